"""Function words that say something on their own, in Indonesian (formal and chat), Javanese and Sundanese.

Hand-written lists, one definition each: "not", "not yet", "yes / go ahead", the grammar words only one
regional language uses, and greetings that name their language. The answer readers (core/answers.py,
core/sectors.py, core/description.py), the duplicate check (core/similarity.py) and the reply-language
keeper (actions/language.py) build their patterns from them. Not read by the NLU pipeline.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# "Not". Not "tak": in Javanese it is "I (will)" ("tak kirim", "tak pilih sing kapindho").
NEGATIONS: frozenset[str] = frozenset(
    "tidak tdk gak ga gk nggak ngga enggak engga kagak kaga ndak nda indak"  # Indonesian, chat, Betawi, Minang
    " ora ra mboten boten"  # Javanese
    " teu henteu".split()  # Sundanese
)
# "Not yet".
NOT_YET: frozenset[str] = frozenset("belum blm dereng durung acan".split())
# "Yes", "all right", "go ahead": a yes to an offer.
YES: frozenset[str] = frozenset(
    "iya iyaa ya yaa yup yap yoi iyo oke ok okay okey boleh bole mau siap setuju lanjut ajukan usulkan"
    " inggih nggih njih enggih heeh hooh gelem purun kersa monggo ajokaken usulaken"
    " muhun sumuhun enya hoyong mangga ajukeun usulkeun"
    " iye iyee iyes sip leres betul bener yes sure please".split()
) | {prefix + verb for prefix in ("di", "meng", "ng")  # "diusulkan", "ngajukeun", "mengusulaken"
     for verb in ("usulkan", "usulkeun", "usulaken", "ajukan", "ajukeun", "ajokaken")}

# Grammar words only one of the regional languages uses (not content words: "barudak" or "cai" in an Indonesian
# sentence are borrowed, the sentence stays Indonesian). Sundanese and Javanese speakers often write
# Indonesian content words around their own grammar words ("punten, aya petugas nu bisa ditanya? urang rek
# nanya soal dana"), which an n-gram identifier reads as Indonesian; two of these and none of the other
# language's say whose grammar it is.
REGIONAL_MARKERS: dict[str, frozenset[str]] = {
    "su": frozenset("nu aya urang rek teh mah atuh euy kumaha naon teu henteu abdi anjeun hapunten nuhun jeung "
                    "keur ieu eta geus acan iraha saha tiasa hoyong hayang lembur ngusulkeun muhun enya sumuhun "
                    "parantos naha kedah kuring sareng ayeuna upami we ka dieu ditu lamun mun nyaeta oge ogé "
                    "nyuhunkeun dupi tos".split()),
    "jv": frozenset("ora kowe sing iki kuwi piye ning neng kula panjenengan mboten nggih sampun dereng badhe "
                    "ajeng wonten menika punika kaliyan saged karo wis durung arep iso opo tulung ra "
                    "pripun pundi ingkang sanget omah dalan banyu takon lur dab lan ugi niki niku mawon "
                    "sakniki saniki nopo menapa punapa dipun kepripun kados kalih kangge kanggo".split()),
}
REGIONAL_MIN_MARKERS = 2
# Grammar words only Indonesian uses ("aku", "apa", "kapan", "tapi", "bisa" are Javanese or Sundanese too).
INDONESIAN_MARKERS: frozenset[str] = frozenset(
    "yang yg mau ingin pengen tidak tdk gak nggak enggak ngga sudah udah sdh belum blm ada saya sy kami dengan dgn "
    "untuk utk buat ini itu karena krn soalnya juga dari akan sangat kalau kalo gimana bagaimana kenapa dimana "
    "sini situ".split())
# Minang grammar words: an identifier trained on Indonesian, Javanese and Sundanese reads Minang as Sundanese
# ("ambo", "indak ado", "urang"); a Minang speaker reads Indonesian, which the bot then answers in.
MINANG_MARKERS: frozenset[str] = frozenset("ambo awak indak ado nan baa bana kampuang tampek sajo jo lai iko itu "
                                           "alah mambuang maagiah usua urang".split())
# Greetings that name their language on their own: "Sampurasun" is Sundanese, "Sugeng enjing" Javanese.
GREETING_MARKERS: dict[str, str] = {
    "sampurasun": "su", "wilujeng": "su", "rampes": "su", "punten": "su",
    "sugeng": "jv", "nuwun": "jv", "nyuwun": "jv", "matur": "jv", "kulonuwun": "jv", "suwun": "jv", "maturnuwun": "jv",
    "nuhun": "su",
    "kang": "su", "akang": "su", "teteh": "su",  # how a Sundanese speaker greets a man / a woman
}


def regional_grammar(words: Iterable[str]) -> str | None:
    """ "su" or "jv" when the message's grammar words are one regional language's only."""
    words = list(words)
    counts = {lang: sum(w in markers for w in words) for lang, markers in REGIONAL_MARKERS.items()}
    found = [lang for lang, count in counts.items() if count]
    if len(found) == 1 and counts[found[0]] >= REGIONAL_MIN_MARKERS:
        return found[0]
    return None


def outweighs_regional(words: Iterable[str], regional: str) -> bool:
    """Whether Indonesian grammar words are at least as many as the regional language's: "Tetangga sy tuna rungu,
    gak mampu beli. Iso diusulke ra?" is Indonesian with a Javanese question, not Javanese."""
    words = list(words)
    return sum(w in INDONESIAN_MARKERS for w in words) >= sum(w in REGIONAL_MARKERS[regional] for w in words)


def indonesian_grammar(words: Iterable[str]) -> bool:
    """Whether a word only Indonesian uses is among them: a sentence of shared words names no language."""
    return any(w in INDONESIAN_MARKERS for w in words)


def opening_language(words: Iterable[str]) -> str | None:
    """The language a short first message names: a greeting ("Sampurasun", "halo kang") or one grammar word
    of one regional language only ("mas takon", "pagi lur", "euy min", "rek nanya")."""
    words = list(words)
    greeting = next((GREETING_MARKERS[w] for w in words if w in GREETING_MARKERS), None)
    if greeting:
        return greeting
    found = {lang for lang, markers in REGIONAL_MARKERS.items() if any(w in markers for w in words)}
    return found.pop() if len(found) == 1 else None


def reads_minang(words: Iterable[str]) -> bool:
    """Two Minang grammar words or more, outnumbering either regional language's."""
    words = list(words)
    minang = sum(w in MINANG_MARKERS for w in words)
    return minang >= REGIONAL_MIN_MARKERS and all(
        minang > sum(w in markers for w in words) for markers in REGIONAL_MARKERS.values())


def keeps_regional(current: str, words: Iterable[str]) -> bool:
    """A citizen already answered in Javanese or Sundanese keeps it while one grammar word of theirs remains."""
    if current not in REGIONAL_MARKERS:
        return False
    words = list(words)
    others = (markers for lang, markers in REGIONAL_MARKERS.items() if lang != current)
    return any(w in REGIONAL_MARKERS[current] for w in words) and not any(w in m for m in others for w in words)


def alternation(*groups: Iterable[str]) -> str:
    """A regex group matching any of the words (longest first, so "nggak" is not read as "ngga")."""
    words = sorted({word for group in groups for word in group}, key=lambda w: (-len(w), w))
    return "(?:" + "|".join(re.escape(word) for word in words) + ")"
