"""Normalise informal Indonesian chat before tokenising, so that "gmn", "gimana" and "bagaimana" look alike.

`normalise(text)` is a pure function of its input (the word lists it consults are read once from
`core/language/resources/`). It collapses elongations ("haloooo" → "halo", `core.language.fold`),
expands abbreviations and spelling variants from the indo-collex informal→formal dictionary ("yg" → "yang",
"udh" → "sudah"), writes RT/RW numbers one way ("rt3/rw02" and "rt tiga rw loro" → "RT 03 RW 02",
core/numbers.py) and leaves alone:

- tracking codes (USL-XXXXXX in any spelling), links, e-mail addresses and @mentions;
- any word that is also Javanese, Sundanese or English (NusaX train text and lexicons): users write those
  languages too, and "aku", "dalan", "cai" or "teu" must reach the language identifier as written;
- capitalised words inside a sentence, which are names (villages are often called like slang words).

Only entries where the informal word is an abbreviation or spelling variant of the formal one are used (its
consonants appear in order in the formal word: "dgn" → "dengan", "sampe" → "sampai"); translations such as
"gue" → "saya" or English → Indonesian are not normalisation and are skipped, as are the few reviewed
entries in `_BLOCKED`.
"""

from __future__ import annotations

import itertools
import re
import threading
from pathlib import Path
from typing import Any

from core.language import resources as shipped
from core.language.fold import collapse_elongation
from core.language.words import RUN_RE, letter_words
from core.numbers import digits_after_rt_rw

RESOURCES = shipped.RESOURCES

# Reviewed by hand: wrong or harmful dictionary entries, regional words NusaX train lacks, and informal
# words that are also names of places (Kemendagri 2025) users type in lower case.
_BLOCKED = frozenset(
    # wrong, reversed or meaning-changing entries
    "diubah dikata hehe haha hihi hehehe jamming tracking makannya katanya malang bang ngalam ko km se tt ml"
    " pb op os og ori ver tf tl sr jr fm mm uuu hu kkk kkkk kkkkk pcx kppn umrik salalu teling pileg"
    " spn pku micin sekotong kotagede dlingo mlati kraton kedaton kramat padasuka gunungsari gunungkidul"
    " bukittinggi jogja muaro pulo batur bolang waena wahab todo depe kenali samo curug"
    # Javanese, Sundanese and other regional words
    " opo sopo piro ono kulo sampun nggih nggeh mboh isok jebul songo adus dewek sedulur rapopo roso kerjo jowo"
    " maem mosok yowes ndeso soale tuo kito jugo apo sape lau le eug ja nda ndk tebel simpen pait itung ilang"
    " lheue lhok rumoh pulak tjilik suru teros turu dolo kao kanaan kgn njing atu amo mangat laen alon mampet"
    " temen malem dateng anggep jo bapake suroboyo eu"
    # abbreviations that mean something else in addresses, units or government letters
    " sk kp cp des cm sg ee eek kk pp bhs ntar ntr ulakkarang".split()
)

# Tracking codes, links, e-mail addresses and @mentions pass through untouched.
_PROTECTED_RE = re.compile(
    r"(?<![0-9A-Za-z])USL[\s\-._]?[0-9A-Za-z]{6}(?![0-9A-Za-z])"
    r"|https?://\S+|www\.\S+|[\w.+-]+@[\w-]+\.[\w.]+|@\w+",
    re.IGNORECASE,
)
# "RT/RW 003/005", "rt/rw: 3/5"
_RT_RW_PAIR_RE = re.compile(
    r"(?<![^\W\d_])rt\s*/\s*rw\.?\s*[:.\-]?\s*0*(\d{1,3})\s*/\s*0*(\d{1,3})(?!\d)", re.IGNORECASE
)
# "rt3", "RT.03", "rt 003", "Rw05", "rt: 3", "RT-3"
_RT_RW_RE = re.compile(r"(?<![^\W\d_])(rt|rw)\s*[.:\-]?\s*0*(\d{1,3})(?!\d)", re.IGNORECASE)
# "RT 03/RW 05", "RT 03, RW 05", "RT 03 - RW 05" → "RT 03 RW 05"
_RT_THEN_RW_RE = re.compile(r"(RT \d{2,3})\s*[/,\-]?\s*(RW \d{2,3})")
_SENTENCE_END = ".!?\n"
_VOWELS = frozenset("aeiou")


def _is_abbreviation_of(informal: str, formal: str) -> bool:
    """True when the consonants of `informal` occur in order in `formal` ("gmn" → "bagaimana")."""
    remaining = iter(formal.lower())
    return all(ch in remaining for ch in informal if ch not in _VOWELS)


def _is_regional_form(informal: str, formal: str) -> bool:
    """Shapes that are ordinary Javanese or Sundanese words too, even when NusaX lacks the word itself.

    Nasal verbs without "me-" ("nulis" → "menulis", "ngurus" → "mengurus") are how Javanese and Sundanese
    form verbs; Jakarta's "-in" verbs ("ngerjain") are not. A final "-e" for "-nya" ("bapake") is Javanese.
    Old spellings ("oe" for "u") are left to the names that keep them.
    """
    if formal.startswith("me") and not informal.startswith("me") and not informal.endswith("in"):
        return True
    if "oe" in informal and "oe" not in formal:
        return True  # pre-1972 spelling ("waroeng", "boemi") survives mostly in names of shops and people
    return informal.endswith("e") and formal.endswith("nya")


class _Lexicon:
    """The dictionary and word lists behind `normalise`, built once from the shipped resources."""

    def __init__(self, resources: Path) -> None:
        protected: set[str] = set()  # Javanese, Sundanese and English words
        known: set[str] = set()  # spellings that exist, to undo elongation correctly ("maaaf" → "maaf")
        for language in ("jv", "su", "other"):
            for text in shipped.nusax_sentences("train", language, resources):
                protected.update(letter_words(text))
        for language in ("jv", "su"):
            for text in shipped.nusax_lexicon(language, language, resources):
                protected.update(letter_words(text))
            for text in shipped.nusax_lexicon(language, "id", resources):
                known.update(letter_words(text))
        for language, text in shipped.seed_sentences(resources):
            if language in ("jv", "su", "other"):
                protected.update(letter_words(text))
        for split in ("train", "valid"):
            for language in ("id", "jv", "su", "other"):
                for text in shipped.nusax_sentences(split, language, resources):
                    known.update(letter_words(text))
        for line in shipped.stif_lines(resources):
            known.update(letter_words(line))

        self.slang: dict[str, str] = {}
        for informal, formal in shipped.slang_pairs(resources):
            informal, formal = informal.strip().lower(), formal.strip()
            known.update(letter_words(formal))
            if (
                informal.isalpha()
                and informal not in protected
                and informal not in _BLOCKED
                and formal.lower() != informal
                and _is_abbreviation_of(informal, formal)
                and not _is_regional_form(informal, formal.lower())
            ):
                self.slang[informal] = formal.lower()
        self.known = frozenset(known | protected)


_lexicon: _Lexicon | None = None
_lexicon_lock = threading.Lock()


def _get_lexicon() -> _Lexicon:
    global _lexicon
    if _lexicon is None:
        with _lexicon_lock:
            if _lexicon is None:
                _lexicon = _Lexicon(RESOURCES)
    return _lexicon


def slang_dictionary() -> dict[str, str]:
    """The informal → formal entries `normalise` applies (a copy)."""
    return dict(_get_lexicon().slang)


def _match_case(replacement: str, original: str) -> str:
    if len(original) > 1 and original.isupper():
        return replacement.upper()
    if original[:1].isupper():
        return replacement[:1].upper() + replacement[1:]
    return replacement


def _sentence_start(text: str, index: int) -> bool:
    before = text[:index].rstrip(" \t\"'([")
    return not before or before[-1] in _SENTENCE_END


def _normalise_words(text: str, lexicon: _Lexicon) -> str:
    def replace(match: re.Match[str]) -> str:
        word = match.group(0)
        if not word.isalpha():
            return word
        word = collapse_elongation(word, lexicon.known)
        formal = lexicon.slang.get(word.lower())
        if formal is None:
            return word
        if word[:1].isupper() and not word.isupper() and not _sentence_start(text, match.start()):
            return word  # a name ("Mlati", "Tempel") rather than slang
        return _match_case(formal, word)

    return RUN_RE.sub(replace, text)


def _rt_rw(match: re.Match[str]) -> str:
    return f"{match.group(1).upper()} {int(match.group(2)):02d}"


def _normalise_segment(text: str, lexicon: _Lexicon) -> str:
    text = digits_after_rt_rw(text)
    text = _RT_RW_PAIR_RE.sub(lambda m: f"RT {int(m.group(1)):02d} RW {int(m.group(2)):02d}", text)
    text = _RT_RW_RE.sub(_rt_rw, text)
    text = _RT_THEN_RW_RE.sub(r"\1 \2", text)
    return _normalise_words(text, lexicon)


def normalise(text: str) -> str:
    """Informal Indonesian chat written the standard way; Javanese, Sundanese and codes left as they are."""
    if not text:
        return text
    lexicon = _get_lexicon()
    pieces, last = [], 0
    for match in _PROTECTED_RE.finditer(text):
        pieces.append(_normalise_segment(text[last : match.start()], lexicon))
        pieces.append(match.group(0))
        last = match.end()
    pieces.append(_normalise_segment(text[last:], lexicon))
    return "".join(pieces)


def normalise_example(text: str, entities: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    """Normalise a training example and move its entity offsets along.

    The text is cut at every entity boundary and each piece normalised on its own, so a boundary maps to
    the end of the normalised text before it. Values that were the annotated text itself follow the new
    text; explicit values (synonyms such as `{"value": "rt_rw"}`) are kept.
    """
    if not entities or any(
        not isinstance(entity.get("start"), int) or not isinstance(entity.get("end"), int) for entity in entities
    ):
        return normalise(text), entities
    boundaries = sorted(
        {0, len(text)} | {entity["start"] for entity in entities} | {entity["end"] for entity in entities}
    )
    moved = {0: 0}
    pieces: list[str] = []
    for start, end in itertools.pairwise(boundaries):
        pieces.append(normalise(text[start:end]))
        moved[end] = moved[start] + len(pieces[-1])
    new_text = "".join(pieces)
    new_entities = []
    for entity in entities:
        start, end = entity["start"], entity["end"]
        updated = {**entity, "start": moved[start], "end": moved[end]}
        if entity.get("value") == text[start:end]:
            updated["value"] = new_text[moved[start] : moved[end]]
        new_entities.append(updated)
    return new_text, new_entities
