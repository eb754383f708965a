"""Language identification for chat messages: Indonesian (`id`), Javanese (`jv`), Sundanese (`su`) or `other`.

A multinomial naive Bayes over word unigrams and character 1-5-grams (with word boundaries). It is pure
Python on purpose: the NLU pipeline, the action server and tests can all use it without Rasa, and it is
built from the text shipped in `nlu/resources/` at load (a fraction of a second), so no model file can go
stale and nothing is downloaded.

Training text (see `nlu/resources/README.md`): NusaX-MT train+valid (Indonesian, Javanese, Sundanese;
English as `other`), the NusaX Indonesian→Javanese/Sundanese word lexicons, informal Indonesian tweets from
STIF-Indonesia (so chat slang counts as `id`) and a small hand-written seed of chat sentences, mainly krama
and lemes registers, which the product reviews in NusaX hardly contain. Balinese and Minangkabau are left
out: they share much of their vocabulary with Indonesian and would steal it as `other`.
"""

from __future__ import annotations

import csv
import math
import re
import threading
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path

RESOURCES = Path(__file__).resolve().parent / "resources"

LANGUAGES = ("id", "jv", "su", "other")
DEFAULT_LANGUAGE = "id"
# Confidence for a guess that rests on no evidence: uniform over the four labels.
LOW_CONFIDENCE = 0.25

_NUSAX_COLUMNS = {"id": "indonesian", "jv": "javanese", "su": "sundanese", "other": "english"}
_MAX_NGRAM = 5
_ALPHA = 0.1  # additive smoothing; small because the features are sparse and many
# Log prior in favour of Indonesian, the deployment's default: it decides only near-ties (short messages).
_ID_PRIOR = 2.0
# Below these, a message carries too little evidence and gets the default language.
_MIN_WORDS = 2
_MIN_LETTERS = 4
_MAX_WORDS = 200  # enough to decide; bounds the cost of pasted essays
# Scale of the confidence softmax: margins are divided by sqrt(#features) * this, so that confidence
# grows with the amount of evidence rather than jumping to 1.0 for any three-word message.
_TEMPERATURE = 1.0
_CACHE_LIMIT = 50_000

# Tracking codes (USL-XXXXXX in any spelling), links, addresses and mentions are not language.
_NOISE_RE = re.compile(
    r"(?<![0-9a-z])usl[\s\-._]?[0-9a-z]{6}(?![0-9a-z])"
    r"|https?://\S+|www\.\S+|\S+@\S+\.\S+|@\w+"
    r"|xxx[a-z]*xxx",  # STIF-Indonesia's anonymisation placeholders
    re.IGNORECASE,
)
_TOKEN_RE = re.compile(r"\w+")


def words(text: str) -> list[str]:
    """Lower-case letter-only words of `text`; tokens with digits (codes, RT numbers, prices) are dropped."""
    if not text:
        return []
    if not text.isascii():
        text = "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))
    text = _NOISE_RE.sub(" ", text.lower())
    return [token for token in _TOKEN_RE.findall(text) if token.isalpha()]


def word_features(word: str) -> list[str]:
    """The word itself plus its character n-grams, padded with spaces so that affixes are marked."""
    padded = f" {word} "
    length = len(padded)
    features = [padded[i : i + n] for n in range(2, _MAX_NGRAM + 1) for i in range(length - n + 1)]
    features.extend(word)  # unigrams, without the two bare padding spaces
    features.append("w:" + word)
    return features


def _nusax_texts(path: Path, column: str) -> Iterator[str]:
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            yield row[column]


def training_texts(resources: Path = RESOURCES) -> Iterator[tuple[str, str]]:
    """(language, text) pairs from the shipped resources; the NusaX test split is never among them."""
    for split in ("train.csv", "valid.csv"):
        for language, column in _NUSAX_COLUMNS.items():
            for text in _nusax_texts(resources / "nusax" / split, column):
                yield language, text
    for language, name in (("jv", "javanese"), ("su", "sundanese")):
        path = resources / "nusax" / f"{name}.csv"
        yield from (("id", text) for text in _nusax_texts(path, "indonesian"))
        yield from ((language, text) for text in _nusax_texts(path, name))
    with (resources / "stif-indonesia" / "train.inf").open(encoding="utf-8") as handle:
        yield from (("id", line) for line in handle)
    with (resources / "langid_seed.tsv").open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip() and not line.startswith("#"):
                language, text = line.rstrip("\n").split("\t", 1)
                yield language, text


class LanguageModel:
    """Naive Bayes language identifier; `load()` once, then `predict()` is cheap and thread-safe."""

    def __init__(self, counts: dict[str, Counter[str]]) -> None:
        """`counts`: feature counts per language (every language in LANGUAGES)."""
        self._counts = tuple(counts[language] for language in LANGUAGES)
        size = len(set().union(*self._counts))
        self._log_denominators = tuple(math.log(sum(c.values()) + _ALPHA * size) for c in self._counts)
        # Log-likelihoods are computed per distinct word on first sight, not per feature at load: chat
        # repeats words, so most lookups are one dict hit and loading stays fast.
        self._word_cache: dict[str, tuple[tuple[float, ...], int]] = {}

    @classmethod
    def load(cls, resources: Path = RESOURCES) -> LanguageModel:
        """Build the model from the text shipped in `resources` (about half a second)."""
        return cls.train(training_texts(resources))

    @classmethod
    def train(cls, samples: Iterable[tuple[str, str]]) -> LanguageModel:
        """Fit on (language, text) pairs. Counts words first so each distinct word is split into n-grams once."""
        word_counts = {language: Counter() for language in LANGUAGES}
        for language, text in samples:
            word_counts[language].update(words(text))
        feature_counts = {language: Counter() for language in LANGUAGES}
        for language, counts in word_counts.items():
            target = feature_counts[language]
            for word, count in counts.items():
                for feature in word_features(word):
                    target[feature] += count
        return cls(feature_counts)

    def _word_scores(self, word: str) -> tuple[tuple[float, ...], int]:
        cached = self._word_cache.get(word)
        if cached is not None:
            return cached
        c_id, c_jv, c_su, c_other = self._counts
        d_id, d_jv, d_su, d_other = self._log_denominators
        log = math.log
        s_id = s_jv = s_su = s_other = 0.0
        known = 0
        for feature in word_features(word):
            n_id, n_jv, n_su, n_other = c_id[feature], c_jv[feature], c_su[feature], c_other[feature]
            if n_id or n_jv or n_su or n_other:  # features never seen in training carry no evidence
                s_id += log(n_id + _ALPHA)
                s_jv += log(n_jv + _ALPHA)
                s_su += log(n_su + _ALPHA)
                s_other += log(n_other + _ALPHA)
                known += 1
        result = ((s_id - known * d_id, s_jv - known * d_jv, s_su - known * d_su, s_other - known * d_other), known)
        if len(self._word_cache) >= _CACHE_LIMIT:
            self._word_cache.clear()
        self._word_cache[word] = result
        return result

    def scores(self, tokens: list[str]) -> tuple[list[float], int]:
        """Log-likelihood per language (in LANGUAGES order, Indonesian prior included) and #features seen."""
        totals = [_ID_PRIOR, 0.0, 0.0, 0.0]
        seen = 0
        for word in tokens[:_MAX_WORDS]:
            (s_id, s_jv, s_su, s_other), known = self._word_scores(word)
            totals[0] += s_id
            totals[1] += s_jv
            totals[2] += s_su
            totals[3] += s_other
            seen += known
        return totals, seen

    def predict(self, text: str) -> tuple[str, float]:
        """Language code and a confidence in 0..1; messages too short to tell get ("id", LOW_CONFIDENCE)."""
        tokens = words(text)
        if len(tokens) < _MIN_WORDS or sum(map(len, tokens)) < _MIN_LETTERS:
            return DEFAULT_LANGUAGE, LOW_CONFIDENCE
        totals, seen = self.scores(tokens)
        if not seen:
            return DEFAULT_LANGUAGE, LOW_CONFIDENCE
        best = max(range(len(LANGUAGES)), key=totals.__getitem__)
        scale = math.sqrt(seen) * _TEMPERATURE
        top = totals[best]
        mass = sum(math.exp((score - top) / scale) for score in totals)
        return LANGUAGES[best], 1.0 / mass


_model: LanguageModel | None = None
_model_lock = threading.Lock()


def get_model() -> LanguageModel:
    """The process-wide model, built on first use."""
    global _model
    if _model is None:
        with _model_lock:
            if _model is None:
                _model = LanguageModel.load()
    return _model


def detect(text: str) -> str:
    """Language code (`id`, `jv`, `su` or `other`) of `text`; `id` when unsure."""
    return get_model().predict(text)[0]
