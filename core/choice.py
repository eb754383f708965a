"""Typed answers to a choice of buttons: "1", "yg kedua", "sing kapindho", "nu katilu", "iya yg itu", a title.

A citizen shown buttons often types instead of tapping (WhatsApp lists, the terminal chat, old phones). `pick`
reads what was typed against the titles shown and returns the index of the option meant, or None when the
answer is not a choice, points outside the list, or could mean more than one option. None is always safe: the
caller then treats the message as it would any other answer (a hint, the sector list, a new description).

What is read, in Indonesian, Javanese (ngoko and krama) and Sundanese (loma and lemes):
- the exact title, ignoring case, accents and punctuation ("kalen/saluran" = "Kalèn/saluran");
- a number or an ordinal, alone or with the usual words around it: "2", "no 2", "nomer 3", "yg ke-2",
  "pilihan kedua", "sing kapindho", "ingkang kaping kalih", "nu kadua", "nu ka-2", "terakhir", "pungkasan",
  "nu panungtung", "paling atas";
- "that one" ("yang itu", "iya yg itu", "itu aja", "sing kuwi", "ingkang punika", "nu eta", "eta we") and a
  plain "yes" ("iya", "nggih", "muhun"), only when exactly one option is shown: with several they are ambiguous;
- part of a title, typos tolerated in longer words ("jembtan gantung"), when one title matches clearly better
  than every other and the words typed are mostly the title's.
A negation ("bukan yang itu", "yang lain", "tidak", "ora", "sanes", "teu") is never a choice.

Pass the titles of the options only; "another kind" buttons are recognised by their own function
(core.sectors.wants_menu), to be asked before this one.
"""

from __future__ import annotations

import re

from rapidfuzz import fuzz

from core.language.fold import collapse_elongation, fold
from core.language.words import WORD_RE

__all__ = ["is_affirmation", "pick"]

_LETTER_DIGIT_RE = re.compile(r"(?<=[a-z])(?=[0-9])|(?<=[0-9])(?=[a-z])")  # "ke2" → "ke 2", "no3" → "no 3"

# Chat spellings of the words read below.
_SPELLING: dict[str, str] = {
    **dict.fromkeys(("yg", "yng", "yang2", "ynag"), "yang"),
    **dict.fromkeys(("sng", "seng"), "sing"),
    **dict.fromkeys(("nmr", "nmor", "nomer", "nr", "num", "number"), "nomor"),
    **dict.fromkeys(("aj", "ajah", "ajh", "aza", "doang", "sj"), "aja"),
    **dict.fromkeys(("iy", "iyah", "iyo", "iye", "iyes", "yoi", "yups", "yup", "yap", "yep", "yes", "ye"), "iya"),
    **dict.fromkeys(("ok", "okey", "okay", "okeh", "oce", "okee", "okok", "sip", "siap", "oks"), "oke"),
    # not "tak": in Javanese it is "I" ("tak pilih sing kapindho")
    **dict.fromkeys(("gak", "ga", "gk", "nggak", "ngga", "enggak", "engga", "tdk", "ndak", "nda", "ndk"), "tidak"),
    **dict.fromkeys(("bkn", "bukn"), "bukan"),
    "ra": "ora", "boten": "mboten",
    **dict.fromkeys(("henteu", "hente"), "teu"),
    **dict.fromkeys(("sejen", "seje", "sanis"), "sanes"),
    **dict.fromkeys(("hooh", "hoo", "heeh", "hoh", "heem", "hem"), "iya"),
    "tu": "itu", "entu": "itu",
}

# Words that go around a choice without changing it ("saya pilih yang nomor 2 saja pak").
_FILLER = frozenset(
    # Indonesian (with chat forms already spelled out above)
    "yang nomor no ke pilih pilihan opsi option tombol angka aja saja deh dong sih lah kok pak bu bapak ibu mas"
    " mbak kak kakak min admin bang om tolong mohon saya aku sy aq kami mau pengen ingin pingin ambil pake pakai"
    " nya itulah yaitu jawab jawaban sudah udah dah makasih makasi mksh trims terima kasih semua semuanya sekali pisan"
    " the please one choice thanks thx"
    # Javanese
    " sing ingkang kang kula kulo milih kersa arep ajeng badhe mawon wae ae lho kaping ping wis uwis sampun matur"
    " nuwun suwun tak dak"
    # Sundanese
    " nu anu abdi bade hoyong hayang we bae mah teh atuh ka akang ceu pa tos geus parantos hatur nuhun".split()
)
# "That one": a choice only when one option is shown.
_THAT_ONE = frozenset(
    "itu ini tersebut kuwi kui iku kae iki niku niki punika puniki menika mekaten eta ieu that this".split()
)
# Plain yes: a choice only when one option is shown.
_AFFIRM = frozenset(
    "iya ya y oke betul benar bener setuju boleh cocok pas tepat sesuai mantap lanjut gas baik baiklah"
    " nggih inggih enggih injih enggeh iyo yo leres cocog trep bana alah"
    " muhun sumuhun enya heueuh kitu mangga leres sae"
    " right correct sure".split()
)
# Not a choice at all, whatever else is said.
_NEGATION = frozenset(
    "bukan tidak jangan lain lainnya beda selain dudu ora mboten sanes liyane liya liyo liyan lia liane"
    " teu lian lianna sanesna bentenna benten salian not other".split()
)

# Ordinals and counting words → position (1-based); negative = counted from the end (-1 = last).
_ORDINAL: dict[str, int] = {
    # Indonesian
    "pertama": 1, "kesatu": 1, "satu": 1, "kedua": 2, "dua": 2, "ketiga": 3, "tiga": 3, "keempat": 4, "empat": 4,
    "kelima": 5, "lima": 5, "keenam": 6, "enam": 6, "ketujuh": 7, "tujuh": 7, "kedelapan": 8, "delapan": 8,
    "kesembilan": 9, "sembilan": 9, "kesepuluh": 10, "sepuluh": 10,
    "terakhir": -1, "akhir": -1, "buncit": -1, "teratas": 1, "atas": 1, "terbawah": -1, "bawah": -1,
    # Javanese ngoko / krama
    "kapisan": 1, "kapisane": 1, "siji": 1, "setunggal": 1, "sepisan": 1, "kapindho": 2, "kapindo": 2,
    "pindho": 2, "pindo": 2, "loro": 2, "kalih": 2, "katelu": 3, "telu": 3, "kapapat": 4,
    "papat": 4, "sekawan": 4, "kalima": 5, "gangsal": 5, "pungkasan": -1, "pungkasane": -1, "wekasan": -1,
    "mburi": -1, "ndhuwur": 1, "nduwur": 1, "inggil": 1, "ngisor": -1, "ngandhap": -1, "ngandap": -1,
    # Sundanese
    "kahiji": 1, "hiji": 1, "kadua": 2, "katilu": 3, "tilu": 3, "kaopat": 4, "opat": 4,
    "panungtung": -1, "pamungkas": -1, "pangahirna": -1, "pangakhirna": -1, "tungtung": -1, "luhur": 1,
    "handap": -1, "pangluhurna": 1, "panghandapna": -1,
    # English
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "last": -1, "two": 2, "three": 3,
}
# Words that only qualify an ordinal ("paling atas", "ingkang paling ngandhap", "nu pangluhurna").
_ORDINAL_QUALIFIER = frozenset("paling pang dhewe dewe pisan banget".split())

FUZZY_MIN_LENGTH = 6  # shorter words must be typed exactly: "bidang" is not a typo of "bidan"
FUZZY_CUTOFF = 85.0  # one letter added, dropped or (from 7 letters) replaced
PREFIX_MIN_LENGTH = 4  # "rehab" for "rehabilitasi", "aspal" inside "pengaspalan": a part of 4+ letters...
AFFIX_MIN_LENGTH = 2  # ...with at least two letters around it ("bidan" is not part of "bidang")
CIRCUMFIXED_MIN_LENGTH = 6  # a longer word inside an affixed one: "bencana" in "kabencanaan"
MIN_COVERAGE = 0.5  # at least half of the words typed (beyond fillers) must belong to the chosen title...
MIN_TITLE_COVERAGE = 1 / 3  # ...and a lone word a third of it: "jalan" is not "Lampu penerangan jalan umum"
MIN_MATCH = 0.8  # one word typed exactly or as a clear part of a title's word ("rehab")
MARGIN = 0.5  # the best title must beat the runner-up by this many matched words
_TITLE_STOPWORDS = frozenset("dan atau di ke dari untuk bagi yang lan utawi sareng jeung kanggo".split())


def _normalise(text: str) -> str:
    """Folded ("iyaaa" → "iya", "Kalèn" → "kalen"), apostrophes dropped ("ho'oh" → "hooh"), "ke2" → "ke 2"."""
    folded = fold((text or "").replace("'", "").replace("\u2019", ""))
    return _LETTER_DIGIT_RE.sub(" ", collapse_elongation(folded))


def _words(text: str) -> list[str]:
    return [_SPELLING.get(word, word) for word in WORD_RE.findall(_normalise(text))]


def _key(text: str) -> str:
    """A title or answer without case, accents, punctuation and spaces: "Kalèn/saluran" → "kalensaluran"."""
    return "".join(WORD_RE.findall(_normalise(text)))


def _negated(words: list[str], titles: list[str]) -> bool:
    """A negation that is not one of the titles' own words ("... keluarga tidak mampu")."""
    own = {word for title in titles for word in _words(title)}
    return any(word in _NEGATION and word not in own for word in words)


def _position(words: list[str], count: int) -> int | None:
    """The index an answer made only of fillers and one number or ordinal points to; None otherwise."""
    positions: set[int] = set()
    for word in words:
        if word.isdigit():
            positions.add(int(word))
        elif word in _ORDINAL:
            positions.add(_ORDINAL[word])
        elif not (word in _FILLER or word in _AFFIRM or word in _THAT_ONE or word in _ORDINAL_QUALIFIER):
            return None  # another word: a description or a title, not a position
    if len(positions) != 1:
        return None
    position = positions.pop()
    if position < 0:
        position = count + 1 + position
    return position - 1 if 1 <= position <= count else None


def _is_that_one(words: list[str]) -> bool:
    """Only fillers, "that one" and yes-words, with at least one of the last two: "iya yg itu", "nu eta"."""
    return (any(word in _THAT_ONE or word in _AFFIRM for word in words)
            and all(word in _FILLER or word in _THAT_ONE or word in _AFFIRM for word in words))


def is_affirmation(text: str) -> bool:
    """True when the text only says "yes" / "that one" ("iya", "yg itu aja", "nggih sing kuwi", "muhun nu eta"):
    the choice of the one option shown, and no choice among several."""
    words = _words(text)
    return bool(words) and not _negated(words, []) and _is_that_one(words)


def _similarity(word: str, title_word: str) -> float:
    """How well a typed word stands for a title's word: 1 the same, less for a typo or a clear part of it."""
    if word == title_word:
        return 1.0
    shorter = min(len(word), len(title_word))
    if shorter >= FUZZY_MIN_LENGTH and fuzz.ratio(word, title_word) >= FUZZY_CUTOFF:
        return 0.9
    if len(word) >= PREFIX_MIN_LENGTH and len(title_word) - len(word) >= AFFIX_MIN_LENGTH and word in title_word:
        return 0.8  # "rehab" → "rehabilitasi", "aspal" → "pengaspalan"
    if len(title_word) >= PREFIX_MIN_LENGTH and len(word) - len(title_word) >= AFFIX_MIN_LENGTH \
            and (word.startswith(title_word) or (len(title_word) >= CIRCUMFIXED_MIN_LENGTH and title_word in word)):
        return 0.8  # "jalannya" → "jalan", "kretege" → "kreteg", "kabencanaan" → "bencana"
    return 0.0


def _partial(words: list[str], titles: list[str]) -> int | None:
    """The one title the typed words clearly belong to."""
    typed = [w for w in words if w not in _FILLER and w not in _THAT_ONE and w not in _AFFIRM
             and w not in _TITLE_STOPWORDS]
    if not typed:
        return None
    scores: list[tuple[float, int, int]] = []
    for index, title in enumerate(titles):
        title_words = [w for w in _words(title) if w not in _TITLE_STOPWORDS] or _words(title)
        matched = 0.0
        for word in typed:
            matched += max((_similarity(word, t) for t in title_words), default=0.0)
        scores.append((matched, index, len(title_words)))
    scores.sort(key=lambda entry: -entry[0])
    best, index, title_length = scores[0]
    runner_up = scores[1][0] if len(scores) > 1 else 0.0
    if best < MIN_MATCH or best / len(typed) < MIN_COVERAGE or best - runner_up < MARGIN:
        return None
    # One word that no other title has ("rabat") tells the options apart; alone, or shared, it must weigh more.
    if (len(titles) == 1 or runner_up > 0) and best < 2 * MIN_MATCH and best / title_length < MIN_TITLE_COVERAGE:
        return None
    return index


def pick(text: str, titles: list[str]) -> int | None:
    """The index in `titles` of the option the typed text chooses, or None (not a choice, or ambiguous)."""
    titles = list(titles or [])
    if not titles or not (text or "").strip():
        return None
    key = _key(text)
    exact = [i for i, title in enumerate(titles) if key and _key(title) == key]
    if len(exact) == 1:
        return exact[0]
    parts = [part for part in re.split(r"\s*/\s*", text) if part.strip()]
    if len(parts) > 1:  # "Sanesna / kabencanaan": one part names an option, the other says nothing against it
        found = {index for index in (pick(part, titles) for part in parts) if index is not None}
        if len(found) == 1:
            return found.pop()
    words = _words(text)
    if not words or _negated(words, titles):
        return None
    position = _position(words, len(titles))
    if position is not None:
        return position
    if _is_that_one(words):
        return 0 if len(titles) == 1 else None
    return _partial(words, titles)
