"""Language identification among nb, nn, da, sv and en: a character n-gram naive Bayes, fast per word.

The profiles (``nlp/lang/langid.npz``) hold counts of character 3-5-grams of space-padded lower-cased words, built
by ``scripts/build_lang_data.py`` from UD dev splits, LIA train+dev, the Danish LCC sentences and wordfreq lists
(never from the UD test splits that ``bench/lemmas.py`` measures on). A word's log-likelihood under each language is
computed once (in batches, with NumPy) and kept, so scoring a turn costs one dictionary lookup per word plus a sum.

Spoken Norwegian and Danish mix, and short turns ("ja", "mm") carry no evidence: :func:`identify_language` takes a
``prior`` (the transcript's language) that a turn keeps unless its own evidence against it is clear.
"""

from __future__ import annotations

import math
import re
import zipfile
from collections.abc import Iterable, Sequence
from functools import lru_cache
from itertools import chain

import numpy as np

from ..errors import ModelFileError
from ..lang import DATA_DIR, LANGS
from .speedups import native

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
    if native is not None:
        return native.word_forms(text)
    return _word_forms_python(text)


def _word_forms_python(text: str) -> list[str]:
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
        ``{lang: {"ngrams": {gram: count}, "ngram_total": int}}``; ``None`` loads ``nlp/lang/langid.npz``.
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
            names, grams, counts, totals = _load_profiles()
        else:
            names = list(profiles)
            grams = list(dict.fromkeys(chain.from_iterable(profiles[lang]["ngrams"] for lang in names)))
            counts = np.array([[profiles[lang]["ngrams"].get(g, 0) for lang in names] for g in grams],
                              dtype=np.int64).reshape(len(grams), len(names))
            totals = np.array([profiles[lang]["ngram_total"] for lang in names], dtype=np.int64)
        columns = [names.index(lang) for lang in langs if lang in names]
        self.langs = tuple(names[c] for c in columns)
        counts, totals = counts[:, columns], totals[columns]
        seen = np.flatnonzero(counts.any(axis=1))  # n-grams of the chosen languages only
        counts = counts[seen]
        # n-gram -> row of log-probabilities, one column per language; row 0 is that of n-grams in no profile
        self._gram_ids = dict(zip([grams[i] for i in seen], range(1, len(seen) + 1)))
        denoms = np.log(totals + alpha * (len(seen) or 1))
        self._grams = np.empty((len(seen) + 1, len(self.langs)))
        self._grams[0] = math.log(alpha) - denoms
        self._grams[1:] = np.where(counts > 0, np.log(counts + alpha), math.log(alpha)) - denoms
        self._gram_table = native.NgramTable(self._gram_ids) if native is not None else None
        self._bias = np.array([WORD_BIAS.get(lang, 0.0) for lang in self.langs])
        # the score rows of the words met so far (one column per language), and word -> row: a C map keyed by the
        # characters where nlp.normalise.speedups has it (a word is looked up without making a str of it), else a dict
        self._words = _GrowingTable(len(self.langs))
        self._word_ids: dict[str, int] = {}
        self._word_map = native.CodepointMap() if native is not None else None
        self._max_words = max_words

    @property
    def word_count(self) -> int:
        """Words in the word table (it starts afresh past ``max_words``)."""
        return len(self._word_map) if self._word_map is not None else len(self._word_ids)

    def word_scores(self, word: str) -> tuple[float, ...]:
        """Log-likelihood of a lower-cased word under each language, normalised by its n-gram count."""
        (i,) = self._word_rows([word])
        return tuple(self._words.rows[i].tolist())

    def scores(self, words: Iterable[str]) -> tuple[float, ...]:
        """Summed per-word scores of lower-cased words (one value per language in :attr:`langs`)."""
        rows = self._word_rows(list(words))
        if not len(rows):
            return (0.0,) * len(self.langs)
        return tuple(self._words.rows[rows].sum(axis=0).tolist())

    def text_scores(self, texts: Sequence[Sequence[str]]) -> np.ndarray:
        """Summed per-word scores of each text's lower-cased words: an array of ``len(texts)`` x ``len(langs)``
        (zeros for a text without words). One batch for all texts: the cost per word is a dictionary lookup."""
        lengths = np.fromiter(map(len, texts), dtype=np.intp, count=len(texts))
        return self._sum_by_text(self._word_rows([w for words in texts for w in words]), lengths)

    def span_scores(self, text: str, spans: Sequence[tuple[int, int]]) -> np.ndarray:
        """:meth:`text_scores` of the :func:`word_forms` of each ``text[start:end]`` of ``spans`` (in C, without a
        str per word, where :mod:`nlp.normalise.speedups` has it)."""
        if self._word_map is None:
            return self.text_scores([word_forms(text[a:b]) for a, b in spans])
        starts, ends = [a for a, _ in spans], [b for _, b in spans]
        rows, counts, new = native.span_word_rows(text, starts, ends, self._word_map)
        if new and self.word_count > self._max_words:  # start afresh, keeping this batch whole
            self._forget_words()
            rows, counts, new = native.span_word_rows(text, starts, ends, self._word_map)
        rows = np.frombuffer(rows, dtype=np.int64)
        if new:
            rows = self._score_new_words(new, rows.copy())
        return self._sum_by_text(rows, np.frombuffer(counts, dtype=np.int64))

    def _sum_by_text(self, rows: np.ndarray, lengths: np.ndarray) -> np.ndarray:
        out = np.zeros((len(lengths), len(self.langs)))
        if not lengths.any():
            return out
        scores = self._words.rows[rows]
        nonempty = lengths > 0
        starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))
        out[nonempty] = np.add.reduceat(scores, starts[nonempty], axis=0)
        return out

    def _word_rows(self, words: list[str]) -> np.ndarray:
        """Row of each word in the word table; new words are scored first."""
        rows = np.empty(len(words), dtype=np.intp)
        new = self._lookup(words, rows)
        if new and self.word_count > self._max_words:  # start afresh, keeping this batch whole
            self._forget_words()
            new = self._lookup(words, rows)
        return self._score_new_words(new, rows) if new else rows

    def _score_new_words(self, new: list[str], rows: np.ndarray) -> np.ndarray:
        """Score the words ``new`` and give them their rows: in ``rows``, the placeholder ``-(1 + k)`` of
        ``new[k]`` becomes its row."""
        try:
            first = self._append_word_scores(new)
        except BaseException:  # the table holds placeholders for the new words: never leave them behind
            self._forget_words()
            raise
        placeholders = rows < 0
        rows[placeholders] = first - 1 - rows[placeholders]
        return rows

    def _append_word_scores(self, new: list[str]) -> int:
        lengths = np.fromiter(map(len, new), dtype=np.intp, count=len(new))
        # n-grams of each space-padded word: sum over the orders k of (len + 2 - k + 1), at least 1 (all words have
        # a letter, so the 3-gram " w " exists)
        n_grams = sum(np.maximum(lengths + 3 - k, 0) for k in NGRAM_ORDERS)
        sums = np.empty((len(new), len(self.langs)))
        if native is not None:
            native.ngram_sums(new, self._gram_table, self._grams, NGRAM_ORDERS, sums)
        else:
            self._ngram_sums_python(new, n_grams, sums)
        # a word's n-gram average times a weight growing with its length: long words carry more evidence,
        # without letting one long compound outvote the function words around it
        scale = np.log2(lengths + 2.0) / n_grams
        first = self._words.append(sums * scale[:, None] + self._bias)
        if self._word_map is not None:
            native.set_word_rows(self._word_map, new, first)
        else:
            self._word_ids.update(zip(new, range(first, first + len(new))))
        return first

    def _lookup(self, words: list[str], rows: np.ndarray) -> list[str]:
        """``rows[i]``: the row of ``words[i]``, or ``-(1 + k)`` for a word without one, ``k`` its index in the
        returned list of such words (each once); the word table keeps that placeholder until they are scored."""
        if self._word_map is not None:
            return native.word_rows(words, self._word_map, rows)
        return self._lookup_python(words, rows)

    def _lookup_python(self, words: list[str], rows: np.ndarray) -> list[str]:
        ids = self._word_ids
        new: dict[str, int] = {}
        for i, w in enumerate(words):
            row = ids.get(w)
            if row is None:
                row = ids[w] = new[w] = -1 - len(new)
            rows[i] = row
        return list(new)

    def _forget_words(self) -> None:
        if self._word_map is not None:
            self._word_map.clear()
        self._word_ids.clear()
        self._words.clear()

    def _ngram_sums_python(self, words: list[str], n_grams: np.ndarray, out: np.ndarray) -> None:
        """``out[i]``: the summed n-gram rows of ``words[i]`` (what ``native.ngram_sums`` computes in C)."""
        get_gram = self._gram_ids.get
        gram_rows = self._grams[[get_gram(g, 0) for w in words for g in char_ngrams(w)]]
        out[:] = np.add.reduceat(gram_rows, np.concatenate(([0], np.cumsum(n_grams)[:-1])), axis=0)

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


#: arrays of ``nlp/lang/langid.npz`` (written by ``scripts/build_lang_data.py``)
PROFILE_ARRAYS = ("langs", "grams", "counts", "totals")


def _load_profiles() -> tuple[list[str], list[str], np.ndarray, np.ndarray]:
    """(languages, n-grams, counts: n-grams x languages, n-gram totals per language) of the packaged profiles."""
    path = DATA_DIR / "langid.npz"
    fix = "run scripts/build_lang_data.py --only langid (needs ../shared/data) or reinstall the package."
    if not path.exists():
        raise ModelFileError(f"language profiles {path} are missing.", path=path, fix=fix)
    try:
        with np.load(path, allow_pickle=False) as arrays:
            langs, grams, counts, totals = (arrays[name] for name in PROFILE_ARRAYS)
    except (OSError, ValueError, KeyError, zipfile.BadZipFile) as exc:
        raise ModelFileError(f"{path} is not a language profile file ({exc}).", path=path, fix=fix) from exc
    if counts.shape != (len(grams), len(langs)) or totals.shape != (len(langs),):
        raise ModelFileError(f"{path}: the profile arrays do not fit together.", path=path, fix=fix)
    return langs.tolist(), grams.tolist(), counts, totals


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
