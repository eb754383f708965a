"""The only reader of the corpora shipped in `core/language/resources/` (see its README for sources and
licences) and of the project's own intent examples. Each function streams one kind of text; the
normaliser, the language identifier and the duplicate check build their word lists from these.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from pathlib import Path

RESOURCES = Path(__file__).resolve().parent / "resources"
# The project's NLU training examples (Rasa YAML): also chat text in a known language.
NLU_EXAMPLES = Path(__file__).resolve().parents[2] / "nlu" / "data" / "nlu"

# NusaX column per language code; English stands for `other`.
NUSAX_COLUMNS = {"id": "indonesian", "jv": "javanese", "su": "sundanese", "other": "english"}
# Intent-example files by language; files not named here are Indonesian.
_EXAMPLE_FILE_LANGUAGE = {"jv.yml": "jv", "su.yml": "su"}
_EXAMPLE_RE = re.compile(r"^ {4}- (?![/{])(.+)$")  # an example line of an intent block, not a button payload
_ANNOTATION_RE = re.compile(r"\[([^\]]+)\]\([^)]*\)|\[([^\]]+)\]\{[^}]*\}")


def _column(path: Path, column: str, delimiter: str = ",") -> Iterator[str]:
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle, delimiter=delimiter):
            yield row[column]


def nusax_sentences(split: str, language: str, resources: Path = RESOURCES) -> Iterator[str]:
    """NusaX-MT sentences of one split ("train", "valid") in one language (`id`, `jv`, `su`, `other`).

    The test split is not shipped: it is the yardstick of tests/nlu, never training text."""
    return _column(resources / "nusax" / f"{split}.csv", NUSAX_COLUMNS[language])


def nusax_lexicon(language: str, side: str, resources: Path = RESOURCES) -> Iterator[str]:
    """The NusaX word lexicon Indonesian → `language` (`jv`, `su`): its `side` "id" or the regional one."""
    name = NUSAX_COLUMNS[language]
    return _column(resources / "nusax" / f"{name}.csv", NUSAX_COLUMNS[side])


def stif_lines(resources: Path = RESOURCES) -> Iterator[str]:
    """Informal Indonesian tweets (STIF-Indonesia, one a line)."""
    with (resources / "stif-indonesia" / "train.inf").open(encoding="utf-8") as handle:
        yield from handle


def seed_sentences(resources: Path = RESOURCES) -> Iterator[tuple[str, str]]:
    """(language, sentence) of the hand-written chat seed; comments and blank lines skipped."""
    with (resources / "langid_seed.tsv").open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip() and not line.startswith("#"):
                language, text = line.rstrip("\n").split("\t", 1)
                yield language, text


def slang_pairs(resources: Path = RESOURCES) -> Iterator[tuple[str, str]]:
    """(informal, formal) pairs of the indo-collex dictionary, as written there."""
    path = resources / "indo-collex" / "inforformal-formal-Indonesian-dictionary.tsv"
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            yield row["informal"], row["formal"]


def intent_examples(folder: Path = NLU_EXAMPLES) -> Iterator[tuple[str, str]]:
    """(language, text) for the examples of intent blocks in the Rasa NLU files of `folder`, annotations
    written as plain text."""
    for path in sorted(folder.glob("*.yml")):
        language = _EXAMPLE_FILE_LANGUAGE.get(path.name, "id")
        in_intent = False
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.startswith("- "):
                in_intent = line.startswith("- intent:")
            elif in_intent and (match := _EXAMPLE_RE.match(line)):
                yield language, _ANNOTATION_RE.sub(lambda m: m.group(1) or m.group(2), match.group(1))
