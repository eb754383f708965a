"""Language identification for chat messages: Indonesian (`id`), Javanese (`jv`), Sundanese (`su`) or `other`.

A multinomial naive Bayes over word unigrams and character 1-5-grams (with word boundaries). It is pure
Python on purpose: the NLU pipeline, the action server, the gateway and tests can all use it without Rasa,
and it is built from the text shipped in `core/language/resources/` at load (a fraction of a second), so no
model file can go stale and nothing is downloaded.

Training text (see `core/language/resources/README.md`; read through `core.language.resources`): NusaX-MT
train+valid (Indonesian, Javanese, Sundanese; English as `other`), the NusaX Indonesian→Javanese/Sundanese
word lexicons, informal Indonesian tweets from STIF-Indonesia (so chat slang counts as `id`), a hand-written
seed of chat sentences, and the project's own intent examples (`nlu/data/nlu/`: jv.yml is Javanese, su.yml
Sundanese, every other file Indonesian). The last two are weighted up: they are chat about planning, with
the Indonesian loanwords (usulan, status, musrenbang) that Javanese and Sundanese speakers really mix in,
which NusaX's product reviews lack.
Balinese and Minangkabau are left out of `other`: they share much vocabulary with Indonesian (and Balinese
with Javanese krama), so as `other` they would steal real Indonesian and Javanese messages; such text ends
up `jv` or `id`.
"""

from __future__ import annotations

import math
import re
import threading
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path

from core.language import resources as shipped
from core.language.fold import fold_accents
from core.language.words import alpha_tokens

RESOURCES = shipped.RESOURCES
NLU_EXAMPLES = shipped.NLU_EXAMPLES

LANGUAGES = ("id", "jv", "su", "other")
DEFAULT_LANGUAGE = "id"
# Confidence for a guess that rests on no evidence: uniform over the four labels.
LOW_CONFIDENCE = 0.25

_MAX_NGRAM = 5
_ALPHA = 0.1  # additive smoothing; small because the features are sparse and many
# Below these, a message carries too little evidence and gets the default language.
_MIN_WORDS = 2
_MIN_LETTERS = 4
_MAX_WORDS = 200  # enough to decide; bounds the cost of pasted essays
# Weight of each STIF tweet: 1,900 telecom and shop complaints would otherwise make planning words
# ("usulan", "penerangan", "desa") rare in Indonesian and so relatively Javanese or Sundanese.
_STIF_WEIGHT = 0.5
# Weight of each in-domain chat sentence (seed and intent examples): see the module docstring.
_CHAT_WEIGHT = 3.0
# Naive Bayes treats the ~20 n-grams of a word as independent evidence and so is wildly overconfident.
# Log-likelihoods are divided by sqrt(#features) * _TEMPERATURE before the softmax: confidence then grows
# with the amount of evidence instead of jumping to 1.0 for any three-word message.
_TEMPERATURE = 1.0
# Prior in favour of Indonesian, the deployment's default, on that calibrated scale (log-odds): answering
# a Javanese speaker in Indonesian is a smaller mistake than the reverse. It settles language-neutral
# messages such as "usulan penerangan jalan desa" and does not outweigh a clearly regional sentence.
_ID_PRIOR = 1.5
_CACHE_LIMIT = 50_000

# Tracking codes (USL-XXXXXX in any spelling), links, addresses and mentions are not language.
_NOISE_RE = re.compile(
    r"(?<![0-9a-z])usl[\s\-._]?[0-9a-z]{6}(?![0-9a-z])"
    r"|https?://\S+|www\.\S+|\S+@\S+\.\S+|@\w+"
    r"|xxx[a-z]*xxx",  # STIF-Indonesia's anonymisation placeholders
    re.IGNORECASE,
)


def words(text: str) -> list[str]:
    """Lower-case letter-only words of `text`; tokens with digits (codes, RT numbers, prices) are dropped."""
    if not text:
        return []
    return alpha_tokens(_NOISE_RE.sub(" ", fold_accents(text).lower()))


def word_features(word: str) -> list[str]:
    """The word itself plus its character n-grams, padded with spaces so that affixes are marked."""
    padded = f" {word} "
    length = len(padded)
    features = [padded[i : i + n] for n in range(2, _MAX_NGRAM + 1) for i in range(length - n + 1)]
    features.extend(word)  # unigrams, without the two bare padding spaces
    features.append("w:" + word)
    return features


def training_texts(resources: Path = RESOURCES, examples: Path = NLU_EXAMPLES) -> Iterator[tuple[str, str, float]]:
    """(language, text, weight) from the shipped resources; the NusaX test split is never among them."""
    for split in ("train", "valid"):
        for language in LANGUAGES:
            for text in shipped.nusax_sentences(split, language, resources):
                yield language, text, 1.0
    for language in ("jv", "su"):
        yield from (("id", text, 1.0) for text in shipped.nusax_lexicon(language, "id", resources))
        yield from ((language, text, 1.0) for text in shipped.nusax_lexicon(language, language, resources))
    yield from (("id", line, _STIF_WEIGHT) for line in shipped.stif_lines(resources))
    yield from ((language, text, _CHAT_WEIGHT) for language, text in shipped.seed_sentences(resources))
    yield from intent_examples(examples)


def intent_examples(folder: Path = NLU_EXAMPLES) -> Iterator[tuple[str, str, float]]:
    """(language, text, weight) for the examples of intent blocks in the Rasa NLU files of `folder`."""
    yield from ((language, text, _CHAT_WEIGHT) for language, text in shipped.intent_examples(folder))


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
        """Build the model from the text shipped in `resources` (about 0.3 s)."""
        return cls.train(training_texts(resources))

    @classmethod
    def train(cls, samples: Iterable[tuple[str, str, float]]) -> LanguageModel:
        """Fit on (language, text, weight). Counts words first so each distinct word is split into n-grams once."""
        word_counts: dict[str, Counter[str]] = {language: Counter() for language in LANGUAGES}
        for language, text, weight in samples:
            counts = word_counts[language]
            for word in words(text):
                counts[word] += weight
        feature_counts: dict[str, Counter[str]] = {language: Counter() for language in LANGUAGES}
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
        """Naive Bayes log-likelihood per language (in LANGUAGES order) and the number of features seen."""
        totals = [0.0, 0.0, 0.0, 0.0]
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
        scale = math.sqrt(seen) * _TEMPERATURE
        logits = [score / scale for score in totals]
        logits[0] += _ID_PRIOR
        best = max(range(len(LANGUAGES)), key=logits.__getitem__)
        top = logits[best]
        return LANGUAGES[best], 1.0 / sum(math.exp(logit - top) for logit in logits)


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
