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
from itertools import chain, repeat

import numpy as np

from ..errors import ModelFileError
from ..lang import DATA_DIR, LANGS

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
    return [p[i : i + k] for k in NGRAM_ORDERS for i in range(n - k + 1)]


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

    def __init__(
        self,
        profiles: dict | None = None,
        *,
        langs: Sequence[str] = LANGS,
        alpha: float = 0.1,
        max_words: int = 500_000,
    ) -> None:
        if profiles is None:
            names, grams, counts, totals = _load_profiles()
        else:
            names = list(profiles)
            grams = list(dict.fromkeys(chain.from_iterable(profiles[lang]["ngrams"] for lang in names)))
            counts = np.array(
                [[profiles[lang]["ngrams"].get(g, 0) for lang in names] for g in grams], dtype=np.int64
            ).reshape(len(grams), len(names))
            totals = np.array([profiles[lang]["ngram_total"] for lang in names], dtype=np.int64)
        columns = [names.index(lang) for lang in langs if lang in names]
        self.langs = tuple(names[c] for c in columns)
        counts, totals = counts[:, columns], totals[columns]
        seen = np.flatnonzero(counts.any(axis=1))  # n-grams of the chosen languages only
        counts = counts[seen]
        # n-gram -> row of log-probabilities, one column per language; row 0 is that of n-grams in no profile
        denoms = np.log(totals + alpha * (len(seen) or 1))
        self._grams = np.empty((len(seen) + 1, len(self.langs)))
        self._grams[0] = math.log(alpha) - denoms
        self._grams[1:] = np.where(counts > 0, np.log(counts + alpha), math.log(alpha)) - denoms
        self._index_grams(np.asarray(grams, dtype=str)[seen])
        self._bias = np.array([WORD_BIAS.get(lang, 0.0) for lang in self.langs])
        # the score rows of the words met so far (one column per language), and word -> row
        self._words = _GrowingTable(len(self.langs))
        self._word_ids: dict[str, int] = {}
        self._max_words = max_words

    def _index_grams(self, grams: np.ndarray) -> None:
        """Number the n-grams (an array of str) for NumPy lookups: each character of the profiles gets a code
        ``1..A`` (``A + 1`` stands for any other character), an n-gram the integer of its codes in base ``A + 2``,
        found in ``_gram_table`` (its row in ``_grams`` is its position there plus 1)."""
        # the array's UTF-32 code points, NUL after the end of a shorter n-gram
        points = grams.view(np.uint32).reshape(len(grams), -1) if grams.size else np.zeros((0, 1), np.uint32)
        filled = points != 0
        present = np.zeros(0x110000, dtype=bool)
        present[points[filled]] = True
        alphabet = np.flatnonzero(present)
        self._base = base = len(alphabet) + 2
        if base ** max(NGRAM_ORDERS) >= 2**63:
            raise ValueError(
                f"the language profiles use {len(alphabet)} characters: too many to number "
                f"their {max(NGRAM_ORDERS)}-grams in 64 bits."
            )
        self._code_of = np.full(0x110000, len(alphabet) + 1, dtype=np.int16)
        self._code_of[alphabet] = np.arange(1, len(alphabet) + 1)
        codes = self._codes(points)
        keys = np.zeros(len(grams), dtype=np.int64)
        for j in range(points.shape[1]):  # key = sum of code * base ** (characters after it in the n-gram)
            keys = np.where(filled[:, j], keys * base + codes[:, j], keys)
        self._gram_table = _KeyTable(keys)

    def _codes(self, points: np.ndarray) -> np.ndarray:
        """Code of each code point: its rank in the profiles' alphabet plus 1, or ``A + 1`` outside it."""
        return self._code_of[points].astype(np.int64)

    @property
    def word_count(self) -> int:
        """Words in the word table (it starts afresh past ``max_words``)."""
        return len(self._word_ids)

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
        return self._sum_by_text(self._word_rows(list(chain.from_iterable(texts))), lengths)

    def span_scores(self, text: str, spans: Sequence[tuple[int, int]]) -> np.ndarray:
        """:meth:`text_scores` of the :func:`word_forms` of each ``text[start:end]`` of ``spans``."""
        return self.text_scores([word_forms(text[a:b]) for a, b in spans])

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
        """Row of each word in the word table; new words are scored first (in one batch)."""
        ids = self._word_ids
        rows = np.fromiter(map(ids.get, words, repeat(-1)), dtype=np.intp, count=len(words))
        if len(rows) and rows.min() < 0:
            new = [w for w in dict.fromkeys(words) if w not in ids]
            if len(ids) + len(new) > self._max_words:  # start afresh, keeping this batch whole
                self._forget_words()
                new = list(dict.fromkeys(words))
            try:
                first = self._append_word_scores(new)
            except BaseException:  # never leave a word without its scores
                self._forget_words()
                raise
            ids.update(zip(new, range(first, first + len(new))))
            rows = np.fromiter(map(ids.__getitem__, words), dtype=np.intp, count=len(words))
        return rows

    def _append_word_scores(self, new: list[str]) -> int:
        lengths = np.fromiter(map(len, new), dtype=np.intp, count=len(new))
        rows, n_grams = self._ngram_rows(new, lengths)
        sums = np.add.reduceat(self._grams[rows], np.cumsum(n_grams) - n_grams, axis=0)
        # a word's n-gram average times a weight growing with its length: long words carry more evidence,
        # without letting one long compound outvote the function words around it
        scale = np.log2(lengths + 2.0) / n_grams
        return self._words.append(sums * scale[:, None] + self._bias)

    def _ngram_rows(self, words: list[str], lengths: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Rows in ``_grams`` of the :func:`char_ngrams` of each word, word after word and in the order of
        :func:`char_ngrams` (orders, then positions), and the number of n-grams of each word; all words in one
        pass of array operations over their characters."""
        codes = self._codes(_code_points("".join(f" {w} " for w in words)))
        padded = lengths + 2
        word_of = np.repeat(np.arange(len(words)), padded)  # word of each character
        at_in_word = np.arange(len(codes)) - np.repeat(np.cumsum(padded) - padded, padded)
        counts = [np.maximum(padded - k + 1, 0) for k in NGRAM_ORDERS]  # k-grams per word
        # at least 1 per word: all words have a character, so the 3-gram " w " exists
        n_grams = sum(counts)
        rows = np.empty(n_grams.sum(), dtype=np.intp)
        order_start = np.cumsum(n_grams) - n_grams  # where a word's n-grams of the order at hand go
        keys = codes
        for k in range(1, max(NGRAM_ORDERS) + 1):
            if k > 1:  # the k-gram starting at each character, from the (k - 1)-gram there
                keys = keys[:-1] * self._base + codes[k - 1 :]
            if k in NGRAM_ORDERS:
                n = len(keys)
                inside = at_in_word[:n] + k <= padded[word_of[:n]]
                rows[order_start[word_of[:n][inside]] + at_in_word[:n][inside]] = (
                    self._gram_table.positions(keys[inside]) + 1
                )
                order_start += counts[NGRAM_ORDERS.index(k)]
        return rows, n_grams

    def _forget_words(self) -> None:
        self._word_ids.clear()
        self._words.clear()

    def identify(
        self, text: str, *, prior: str | None = None, default: str = "nb", margin: float = SWITCH_MARGIN
    ) -> str:
        """The most likely language of ``text``; ``prior`` is kept unless the evidence against it is clear."""
        return self.decide(self.scores(word_forms(text)), prior=prior, default=default, margin=margin)

    def decide(
        self,
        scores: Sequence[float],
        *,
        prior: str | None = None,
        default: str = "nb",
        margin: float = SWITCH_MARGIN,
    ) -> str:
        if not any(scores):
            return prior or default
        best = max(range(len(scores)), key=scores.__getitem__)
        if prior in self.langs and scores[best] - scores[self.langs.index(prior)] < margin:
            return prior
        return self.langs[best]


def _code_points(text: str) -> np.ndarray:
    """The code points of ``text`` as an array (lone surrogates included)."""
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


class _KeyTable:
    """Positions of distinct non-negative int64 keys, found for many keys at once: an open-addressing hash table
    (linear probing, at most half full) probed with array operations, a round per probe step."""

    _MULTIPLIER = np.uint64(
        0x9E3779B97F4A7C15
    )  # Fibonacci hashing: the high bits of key * 2**64 / golden ratio

    def __init__(self, keys: np.ndarray) -> None:
        self._keys = np.asarray(keys, dtype=np.int64)
        self._bits = max(4, int(2 * len(self._keys)).bit_length())
        self._mask = (1 << self._bits) - 1
        self._slots = np.full(1 << self._bits, -1, dtype=np.intp)  # position of the key in each slot, or -1
        ordered = np.sort(self._keys)
        if len(ordered) and (ordered[1:] == ordered[:-1]).any():
            raise ValueError("the keys of a _KeyTable must be distinct.")
        pending = np.arange(len(self._keys))
        slot = self._slot(self._keys)
        while len(pending):
            # every key writes itself into its slot if free; where several aim at one slot one of them is there
            # afterwards: the others, and those that met a taken slot, try the next slot
            free = self._slots[slot] == -1
            self._slots[slot[free]] = pending[free]
            left = self._slots[slot] != pending
            pending, slot = pending[left], (slot[left] + 1) & self._mask

    def _slot(self, keys: np.ndarray) -> np.ndarray:
        hashed = keys.astype(np.uint64) * self._MULTIPLIER
        return (hashed >> np.uint64(64 - self._bits)).astype(np.intp)

    def positions(self, keys: np.ndarray) -> np.ndarray:
        """Position of each key in the table's keys, -1 for keys not in it."""
        out = np.full(len(keys), -1, dtype=np.intp)
        todo = np.arange(len(keys) if len(self._keys) else 0)
        slot = self._slot(keys)
        while len(todo):
            held = self._slots[slot]
            found = (held >= 0) & (self._keys[held] == keys[todo])
            out[todo[found]] = held[found]
            more = (held >= 0) & ~found  # another key sits there: probe on
            todo, slot = todo[more], (slot[more] + 1) & self._mask
        return out


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


def _load_profiles() -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray]:
    """(languages, n-grams (an array of str), counts: n-grams x languages, n-gram totals per language) of the
    packaged profiles."""
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
    return langs.tolist(), grams, counts, totals


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
