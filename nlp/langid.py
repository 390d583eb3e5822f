"""Language identification among nb, nn, da, sv and en: a character n-gram naive Bayes, fast per word.

The profiles (``nlp/lang/langid.json``) hold counts of character 3-5-grams of space-padded lower-cased words, built
by ``scripts/build_lang_data.py`` from UD dev splits, LIA train+dev, the Danish LCC sentences and wordfreq lists
(never from the UD test splits that ``bench/lemmas.py`` measures on). A word's log-likelihood under each language is
computed once (in batches, with NumPy) and kept, so scoring a turn costs one dictionary lookup per word plus a sum.

Spoken Norwegian and Danish mix, and short turns ("ja", "mm") carry no evidence: :func:`identify_language` takes a
``prior`` (the transcript's language) that a turn keeps unless its own evidence against it is clear.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Sequence
from functools import lru_cache
from itertools import chain

import numpy as np

from .lang import DATA_DIR, LANGS

__all__ = [
    "LanguageIdentifier",
    "char_ngrams",
    "identify_document",
    "identify_language",
    "language_scores",
    "word_forms",
]

#: n-gram orders of the profiles (1- and 2-grams add nothing measurable on the dev splits and cost time)
NGRAM_ORDERS = (3, 4, 5)
#: log-likelihood margin (nats) a turn needs to leave the transcript's language (tuned on held-out halves of UD dev)
SWITCH_MARGIN = 8.0
#: log-prior per word (nats) added to a language's score: nynorsk has far less training text than bokmål, so its
#: n-gram profile is sparser; 0.1 balances nb and nn accuracy on held-out halves of the UD dev splits
WORD_BIAS = {"nn": 0.1}

_WORD = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*")


def word_forms(text: str) -> list[str]:
    """Lower-cased letter words of ``text`` (what language id looks at).

    Examples
    --------
    >>> word_forms("Eg veit ikkje, 3 gonger!")
    ['eg', 'veit', 'ikkje', 'gonger']
    """
    return _WORD.findall(text.lower())


def char_ngrams(word: str) -> list[str]:
    """Character 3-5-grams of a word padded with one space on each side.

    Examples
    --------
    >>> char_ngrams("eg")
    [' eg', 'eg ', ' eg ']
    """
    p = f" {word} "
    n = len(p)
    return [p[i:i + k] for k in NGRAM_ORDERS for i in range(n - k + 1)]


class LanguageIdentifier:
    """Naive Bayes over character n-grams, with per-word scores computed once, in batches, with NumPy.

    Parameters
    ----------
    profiles
        ``{lang: {"ngrams": {gram: count}, "ngram_total": int}}``; ``None`` loads ``nlp/lang/langid.json``.
    langs
        Languages to choose among (a subset of the profiles), in tie-break order.
    alpha
        Additive smoothing of n-gram counts.
    max_words
        Words whose scores are kept: the word table starts afresh when a batch would pass this (a single larger batch
        is kept whole), so memory stays bounded.
    """

    def __init__(self, profiles: dict | None = None, *, langs: Sequence[str] = LANGS, alpha: float = 0.1,
                 max_words: int = 500_000) -> None:
        if profiles is None:
            profiles = _load_profiles()
        self.langs = tuple(lang for lang in langs if lang in profiles)
        counts = [profiles[lang]["ngrams"] for lang in self.langs]
        # n-gram -> row of log-probabilities, one column per language; row 0 is that of n-grams in no profile
        self._gram_ids = {g: i for i, g in enumerate(dict.fromkeys(chain.from_iterable(counts)), start=1)}
        denoms = np.log([profiles[lang]["ngram_total"] + alpha * (len(self._gram_ids) or 1) for lang in self.langs])
        self._grams = np.empty((len(self._gram_ids) + 1, len(self.langs)))
        self._grams[:] = math.log(alpha) - denoms
        for k, c in enumerate(counts):
            rows = np.fromiter(map(self._gram_ids.__getitem__, c), dtype=np.intp, count=len(c))
            self._grams[rows, k] = np.log(np.fromiter(c.values(), dtype=np.float64, count=len(c)) + alpha) - denoms[k]
        self._bias = np.array([WORD_BIAS.get(lang, 0.0) for lang in self.langs])
        # word -> row of its scores, one column per language
        self._words = _GrowingTable(len(self.langs))
        self._word_ids: dict[str, int] = {}
        self._max_words = max_words

    def word_scores(self, word: str) -> tuple[float, ...]:
        """Log-likelihood of a lower-cased word under each language, normalised by its n-gram count."""
        (i,) = self._word_rows([word])
        return tuple(self._words.rows[i].tolist())

    def scores(self, words: Iterable[str]) -> tuple[float, ...]:
        """Summed per-word scores of lower-cased words (one value per language in :attr:`langs`)."""
        ids = self._word_rows(list(words))
        if not ids:
            return (0.0,) * len(self.langs)
        return tuple(self._words.rows[ids].sum(axis=0).tolist())

    def text_scores(self, texts: Sequence[Sequence[str]]) -> np.ndarray:
        """Summed per-word scores of each text's lower-cased words: an array of ``len(texts)`` x ``len(langs)``
        (zeros for a text without words). One batch for all texts: the cost per word is a dictionary lookup."""
        lengths = np.fromiter(map(len, texts), dtype=np.intp, count=len(texts))
        out = np.zeros((len(texts), len(self.langs)))
        if not lengths.any():
            return out
        ids = self._word_rows([w for words in texts for w in words])  # may grow the table: index after
        rows = self._words.rows[ids]
        nonempty = lengths > 0
        starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))
        out[nonempty] = np.add.reduceat(rows, starts[nonempty], axis=0)
        return out

    def _word_rows(self, words: list[str]) -> list[int]:
        ids = self._word_ids
        get = ids.get
        rows = [get(w, -1) for w in words]
        if -1 not in rows:
            return rows
        new = [w for w in dict.fromkeys(words) if w not in ids]
        if len(ids) + len(new) > self._max_words:
            ids.clear()
            self._words.clear()
            new = list(dict.fromkeys(words))
        grams = [char_ngrams(w) for w in new]
        get_gram = self._gram_ids.get
        gram_rows = self._grams[[get_gram(g, 0) for gs in grams for g in gs]]
        n_grams = np.fromiter(map(len, grams), dtype=np.intp, count=len(grams))
        starts = np.concatenate(([0], np.cumsum(n_grams)[:-1]))
        # a word's n-gram average times a weight growing with its length: long words carry more evidence,
        # without letting one long compound outvote the function words around it
        scale = np.log2(np.fromiter(map(len, new), dtype=np.float64, count=len(new)) + 2) / n_grams
        first = self._words.append(np.add.reduceat(gram_rows, starts, axis=0) * scale[:, None] + self._bias)
        ids.update(zip(new, range(first, first + len(new))))
        return [ids[w] for w in words]

    def identify(self, text: str, *, prior: str | None = None, default: str = "nb",
                 margin: float = SWITCH_MARGIN) -> str:
        """The most likely language of ``text``; ``prior`` is kept unless the evidence against it is clear."""
        return self.decide(self.scores(word_forms(text)), prior=prior, default=default, margin=margin)

    def decide(self, scores: Sequence[float], *, prior: str | None = None, default: str = "nb",
               margin: float = SWITCH_MARGIN) -> str:
        if not any(scores):
            return prior or default
        best = max(range(len(scores)), key=scores.__getitem__)
        if prior in self.langs and scores[best] - scores[self.langs.index(prior)] < margin:
            return prior
        return self.langs[best]


class _GrowingTable:
    """Rows of floats appended in blocks; ``rows`` is a view of the filled part (capacity doubles as needed)."""

    def __init__(self, width: int) -> None:
        self._data = np.empty((1024, width))
        self._n = 0
        self.rows = self._data[:0]

    def append(self, block: np.ndarray) -> int:
        """Append rows; returns the index of the first."""
        block = np.asarray(block, dtype=np.float64).reshape(-1, self._data.shape[1])
        first, end = self._n, self._n + len(block)
        if end > len(self._data):
            grown = np.empty((max(end, 2 * len(self._data)), self._data.shape[1]))
            grown[:first] = self._data[:first]
            self._data = grown
        self._data[first:end] = block
        self._n = end
        self.rows = self._data[:end]
        return first

    def clear(self) -> None:
        self._n = 0
        self.rows = self._data[:0]


@lru_cache(maxsize=1)
def _load_profiles() -> dict:
    path = DATA_DIR / "langid.json"
    if not path.exists():
        from .errors import ModelFileError

        raise ModelFileError(f"language profiles {path} are missing.",
                             fix="run scripts/build_lang_data.py (needs ../shared/data) or reinstall the package.")
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)["profiles"]


@lru_cache(maxsize=1)
def _default() -> LanguageIdentifier:
    return LanguageIdentifier()


def language_scores(text: str) -> dict[str, float]:
    """Per-language scores of ``text`` (higher is more likely; differences are log-likelihood ratios).

    Examples
    --------
    >>> s = language_scores("Eg veit ikkje kva eg skal seie.")
    >>> max(s, key=s.get)
    'nn'
    """
    ident = _default()
    return dict(zip(ident.langs, ident.scores(word_forms(text))))


def identify_language(text: str, *, prior: str | None = None, default: str = "nb") -> str:
    """Language of ``text``: one of ``nb``, ``nn``, ``da``, ``sv``, ``en``.

    Parameters
    ----------
    text
        A turn, a sentence or a whole document.
    prior
        The language of the surrounding transcript: kept unless the text's own evidence against it is clear
        (short turns such as "ja" or "mm" carry none).
    default
        Returned for text without any letters when no ``prior`` is given.

    Examples
    --------
    >>> identify_language("Jeg vet ikke hva jeg skal si.")
    'nb'
    >>> identify_language("Det ved jeg ikke, hvad synes du?")
    'da'
    >>> identify_language("ja", prior="nn")
    'nn'
    """
    return _default().identify(text, prior=prior, default=default)


def identify_document(texts: Iterable[str], *, default: str = "nb") -> tuple[str, list[str]]:
    """Language of a whole transcript (all its turns together) and of each turn given that prior.

    Examples
    --------
    >>> identify_document(["Eg veit ikkje kva eg skal seie.", "ja", "Det er ikkje lett."])
    ('nn', ['nn', 'nn', 'nn'])
    """
    ident = _default()
    per_turn = ident.text_scores([word_forms(t) for t in texts])
    if not len(per_turn):
        return default, []
    doc = ident.decide(per_turn.sum(axis=0).tolist(), default=default)
    return doc, [ident.decide(s, prior=doc, default=default) for s in per_turn.tolist()]
