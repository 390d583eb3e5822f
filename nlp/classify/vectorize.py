"""Text features for the auto-coder: content-lemma n-grams and character n-grams, TF-IDF weighted.

The vectoriser is fully described by JSON settings, a vocabulary list and an idf array, so a saved model is rebuilt
without pickle. Word features come from our preprocessing (:func:`nlp.features.make_analyzer`: content lemmas, no stop
words or fillers); character n-grams inside word boundaries catch the parts of Norwegian and Danish compounds
(``kunnskapsdeling`` shares ``kunnskap`` with ``kunnskapen``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import scipy.sparse as sp

__all__ = ["POLARITY_CUE_NAMES", "TextVectorizer", "lemma_analyzer", "polarity_cues", "simple_analyzer"]

_WORD = re.compile(r"\[[^\]\s]{1,30}\]|\w+(?:[-']\w+)*")


def simple_analyzer(text: str) -> list[str]:
    """Lower-cased word tokens of two or more characters (stand-in when :mod:`nlp.features` is not available).

    Examples
    --------
    >>> simple_analyzer("Vi deler kunnskap med [navn] i klyngen.")
    ['vi', 'deler', 'kunnskap', 'med', '[navn]', 'klyngen']
    """
    return [w for w in _WORD.findall(text.lower()) if len(w) > 1]


def lemma_analyzer(name: str, *, lang: str | None = None) -> Callable[[str], list[str]]:
    """The word analyzer called ``name``: ``"lemmas"`` (content lemmas from our preprocessing), ``"lemmas+stop"``
    (lemmas, stop words kept), ``"lemmas+surface"`` (lemmas and, marked ``=word``, the lower-cased surface words)
    or ``"simple"`` (lower-cased words).

    ``"lemmas"`` falls back to nothing: if :mod:`nlp.features` is missing it raises ImportError, so a model trained
    with lemmas is never silently applied with different features.
    """
    if name == "simple":
        return simple_analyzer
    if name == "lemmas+surface":
        lemmas = lemma_analyzer("lemmas", lang=lang)

        def both(text: str) -> list[str]:
            # content lemmas, plus surface words marked with a leading "=" (inflection and small words such as
            # negations carry polarity that lemmatising and stop-word removal take away)
            return [*lemmas(text), *("=" + w for w in simple_analyzer(text))]

        return both
    if name in ("lemmas", "lemmas+stop"):
        from ..features import make_analyzer

        return make_analyzer(lang=lang, keep_stopwords=name == "lemmas+stop")
    raise ValueError(f"unknown word analyzer {name!r}; use 'lemmas', 'lemmas+stop' or 'simple'")


def default_word_analyzer() -> str:
    """``"lemmas+surface"`` when our preprocessing is installed, else ``"simple"``."""
    try:
        from ..features import make_analyzer  # noqa: F401
    except ImportError:
        return "simple"
    return "lemmas+surface"


#: Columns of :func:`polarity_cues`.
POLARITY_CUE_NAMES = ("cue:driver", "cue:barrier", "cue:negation", "cue:any_driver", "cue:any_barrier",
                      "cue:balance")
_CUE_WORD = re.compile(r"\w+")
_CUE_CACHE: dict[str, int] = {}
_NEG, _PHRASE_END = 4, 8  # flags beside the polarity (+1 driver, -1 barrier, 0 neither; stored as v + 1)


def _cue_polarity(word: str) -> int:
    """+1 driver cue, -1 barrier cue, 0 neither (whole word, or a stem of at least ``MIN_PREFIX`` letters)."""
    from ..lang import polarity as lex

    for n in [len(word), *range(len(word) - 1, lex.MIN_PREFIX - 1, -1)]:
        stem = word[:n]
        if stem in lex.BARRIER:
            return -1
        if stem in lex.DRIVER:
            return 1
    return 0


def _cue_code(word: str) -> int:
    from ..lang import polarity as lex

    if len(_CUE_CACHE) > 500_000:
        _CUE_CACHE.clear()
    code = _CUE_CACHE[word] = ((_cue_polarity(word) + 1) | (_NEG if word in lex.NEGATIONS else 0)
                               | (_PHRASE_END if any(b == word for _, b in lex.PHRASES) else 0))
    return code


def polarity_cues(texts: Sequence[str]) -> np.ndarray:
    """Dense driver/barrier cue features from the hand-made lexicon :mod:`nlp.lang.polarity` (n x 6).

    Columns (:data:`POLARITY_CUE_NAMES`): ``log1p`` of driver and barrier cue counts and of negations, driver /
    barrier cue present, and the log balance driver - barrier. A cue within ``NEGATION_SCOPE`` words after a
    negation (``ikke``, ``ingen``, ``aldri``, ``uten`` ...) counts for the other side; two-word cues (``for lite``,
    ``ikke nok``, ``fungerer godt``) override their second word.

    Examples
    --------
    >>> polarity_cues(["Det er en stor utfordring", "ikke noe problem, det fungerer godt"])[:, :2].round(2).tolist()
    [[0.0, 0.69], [1.1, 0.0]]
    """
    from ..lang import polarity as lex

    scope, phrases, cache = lex.NEGATION_SCOPE, lex.PHRASES, _CUE_CACHE
    counts = np.zeros((len(texts), 3))
    for r, text in enumerate(texts):
        ws = _CUE_WORD.findall(text.lower())
        drv = bar = neg = 0
        last_neg = -99
        for i, w in enumerate(ws):
            code = cache.get(w)
            if code is None:
                code = _cue_code(w)
            if code == 1:  # the common case: no cue, no negation, no phrase end
                continue
            if code & _NEG:
                neg, last_neg = neg + 1, i
                continue
            v = (code & 3) - 1
            phrase = phrases.get((ws[i - 1], w)) if i and code & _PHRASE_END else None
            if phrase:
                v = 1 if phrase == "driver" else -1
            if v and i - last_neg <= scope and not (phrase and last_neg == i - 1):
                v = -v  # (a phrase that starts with the negation, "ikke nok", already says it)
            drv, bar = drv + (v > 0), bar + (v < 0)
        counts[r] = drv, bar, neg
    logs = np.log1p(counts)
    return np.column_stack([logs, counts[:, 0] > 0, counts[:, 1] > 0, logs[:, 0] - logs[:, 1]])


def _ngrams(tokens: list[str], lo: int, hi: int) -> list[str]:
    if lo == 1 and hi == 1:
        return tokens
    out = list(tokens) if lo <= 1 else []
    for n in range(max(lo, 2), hi + 1):
        out.extend(" ".join(tokens[i:i + n]) for i in range(len(tokens) - n + 1))
    return out


def _word_grams(word: str, lo: int, hi: int) -> list[str]:
    w = f" {word} "
    L = len(w)
    return [w[i:i + n] for n in range(lo, min(hi, L) + 1) for i in range(L - n + 1)]


def _char_ngrams(text: str, lo: int, hi: int) -> list[str]:
    # the same n-grams as scikit-learn's analyzer="char_wb", written out so a saved model does not depend on it
    return [g for w in text.lower().split() for g in _word_grams(w, lo, hi)]


class TextVectorizer:
    """Word n-gram and char n-gram TF-IDF; each block l2-normalised, blocks side by side.

    Parameters
    ----------
    word_analyzer
        ``"lemmas"`` (content lemmas from :func:`nlp.features.make_analyzer`) or ``"simple"``.
    word_ngrams
        Range of word n-grams over the analyzer's tokens, e.g. ``(1, 2)``.
    char_ngrams
        Range of character n-grams inside words, or ``None`` for word features only.
    min_df
        Minimum number of training texts a feature must occur in.
    sublinear_tf
        Use ``1 + log(tf)``.
    lang
        Passed to the lemma analyzer (``None``: detect per text).
    """

    def __init__(self, *, word_analyzer: str = "lemmas", word_ngrams: tuple[int, int] = (1, 2),
                 char_ngrams: tuple[int, int] | None = (3, 5), min_df: int = 2, sublinear_tf: bool = True,
                 lang: str | None = None) -> None:
        self.word_analyzer = word_analyzer
        self.word_ngrams = word_ngrams
        self.char_ngrams = char_ngrams
        self.min_df = min_df
        self.sublinear_tf = sublinear_tf
        self.lang = lang

    # -- analysis ---------------------------------------------------------------------------------------------
    def _analyzer(self) -> Callable[[str], list[str]]:
        fn = getattr(self, "_analyzer_fn", None)
        if fn is None:
            fn = lemma_analyzer(self.word_analyzer, lang=self.lang)
            self._analyzer_fn = fn
        return fn

    def word_tokens(self, text: str) -> list[str]:
        """The word tokens (lemmas) of ``text`` that word features are built from."""
        return list(self._analyzer()(text))

    def word_grams(self, text: str) -> list[str]:
        """Word n-grams of ``text``; with ``lemmas+surface`` built within each stream (lemmas, ``=surface``)."""
        lo, hi = self.word_ngrams
        if self.word_analyzer == "lemmas+surface":
            lemmas = getattr(self, "_lemma_fn", None)
            if lemmas is None:
                lemmas = self._lemma_fn = lemma_analyzer("lemmas", lang=self.lang)
            return [*_ngrams(list(lemmas(text)), lo, hi), *("=" + g for g in _ngrams(simple_analyzer(text), lo, hi))]
        return _ngrams(self.word_tokens(text), lo, hi)

    def _features(self, text: str) -> list[str]:
        feats = ["w:" + g for g in self.word_grams(text)]
        if self.char_ngrams:
            feats.extend("c:" + g for g in _char_ngrams(text, *self.char_ngrams))
        return feats

    def _counts(self, texts: Sequence[str], index: dict[str, int] | None):
        rows, cols, vals = [], [], []
        grow = index is None
        index = {} if index is None else index
        for r, text in enumerate(texts):
            counts: dict[int, int] = {}
            for f in self._features(text):
                j = index.get(f)
                if j is None:
                    if not grow:
                        continue
                    j = index[f] = len(index)
                counts[j] = counts.get(j, 0) + 1
            for j in sorted(counts):
                rows.append(r)
                cols.append(j)
                vals.append(counts[j])
        m = sp.csr_matrix((np.asarray(vals, dtype=np.float64), (rows, cols)), shape=(len(texts), len(index)))
        return m, index

    # -- estimator API ----------------------------------------------------------------------------------------
    def fit(self, texts: Sequence[str], y: Any = None) -> TextVectorizer:
        self.fit_transform(texts)
        return self

    def fit_transform(self, texts: Sequence[str], y: Any = None) -> sp.csr_matrix:
        counts, index = self._counts(texts, None)
        df = np.bincount(counts.indices, minlength=counts.shape[1])
        keep = np.flatnonzero(df >= self.min_df)
        terms = [t for t, _ in sorted(index.items(), key=lambda kv: kv[1])]
        kept = sorted((terms[j], j) for j in keep)  # sorted vocabulary: deterministic, diff-able
        self.vocabulary_ = [t for t, _ in kept]
        order = np.asarray([j for _, j in kept], dtype=np.int64)
        n = counts.shape[0]
        self.idf_ = np.log((1.0 + n) / (1.0 + df[order])) + 1.0
        self._index = {t: i for i, t in enumerate(self.vocabulary_)}
        return self._weight(counts[:, order] if len(order) else sp.csr_matrix((n, 0)))

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        # Fast path (same result as counting _features): per-word n-gram columns are cached, because words repeat
        # across segments (Zipf), and duplicates are summed by the sparse constructor.
        if not hasattr(self, "_word_index"):
            self._word_index = {t[2:]: i for i, t in enumerate(self.vocabulary_) if t.startswith("w:")}
            self._char_index = {t[2:]: i for i, t in enumerate(self.vocabulary_) if t.startswith("c:")}
            self._char_cache: dict[str, list[int]] = {}
        widx, cidx, cache = self._word_index, self._char_index, self._char_cache
        cols: list[int] = []
        lengths = np.zeros(len(texts), dtype=np.int64)
        for r, text in enumerate(texts):
            before = len(cols)
            for g in self.word_grams(text):
                j = widx.get(g)
                if j is not None:
                    cols.append(j)
            if self.char_ngrams:
                clo, chi = self.char_ngrams
                for w in text.lower().split():
                    hit = cache.get(w)
                    if hit is None:
                        if len(cache) > 500_000:
                            cache.clear()
                        hit = cache[w] = [j for g in _word_grams(w, clo, chi) if (j := cidx.get(g)) is not None]
                    cols.extend(hit)
            lengths[r] = len(cols) - before
        rows = np.repeat(np.arange(len(texts)), lengths)
        counts = sp.csr_matrix((np.ones(len(cols)), (rows, np.asarray(cols, dtype=np.int64))),
                               shape=(len(texts), len(self.vocabulary_)))
        counts.sum_duplicates()
        return self._weight(counts)

    def _weight(self, counts: sp.csr_matrix) -> sp.csr_matrix:
        x = sp.csr_matrix(counts, dtype=np.float64)
        x.sort_indices()
        data = x.data
        if self.sublinear_tf:
            data = 1.0 + np.log(data)
        data = data * self.idf_[x.indices]
        # l2-normalise each block separately so neither swamps the other; the sorted vocabulary puts the
        # "c:" (char) features before the "w:" (word) features
        n_char = self._n_char
        rows = np.repeat(np.arange(x.shape[0]), np.diff(x.indptr))
        key = rows * 2 + (x.indices >= n_char)
        norms = np.sqrt(np.bincount(key, weights=data * data, minlength=2 * x.shape[0]))
        if len(data):
            data = data / norms[key]
        return sp.csr_matrix((data, x.indices.copy(), x.indptr.copy()), shape=x.shape)

    @property
    def _n_char(self) -> int:
        import bisect

        return bisect.bisect_left(self.vocabulary_, "d")  # "c:..." sorts before "d", "w:..." after

    def get_feature_names_out(self) -> np.ndarray:
        return np.asarray(self.vocabulary_, dtype=object)

    # -- pickle-free state ------------------------------------------------------------------------------------
    def get_state(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        """JSON settings + vocabulary, and numeric arrays, from which :meth:`from_state` rebuilds this vectoriser."""
        params = {"word_analyzer": self.word_analyzer, "word_ngrams": list(self.word_ngrams),
                  "char_ngrams": list(self.char_ngrams) if self.char_ngrams else None, "min_df": self.min_df,
                  "sublinear_tf": self.sublinear_tf, "lang": self.lang, "vocabulary": self.vocabulary_}
        return params, {"idf": np.asarray(self.idf_, dtype=np.float64)}

    @classmethod
    def from_state(cls, params: dict[str, Any], arrays: dict[str, np.ndarray]) -> TextVectorizer:
        v = cls(word_analyzer=params["word_analyzer"], word_ngrams=tuple(params["word_ngrams"]),
                char_ngrams=tuple(params["char_ngrams"]) if params["char_ngrams"] else None,
                min_df=int(params["min_df"]), sublinear_tf=bool(params["sublinear_tf"]), lang=params["lang"])
        v.vocabulary_ = list(params["vocabulary"])
        v.idf_ = np.asarray(arrays["idf"], dtype=np.float64)
        if len(v.idf_) != len(v.vocabulary_):
            raise ValueError("idf and vocabulary lengths differ")
        v._index = {t: i for i, t in enumerate(v.vocabulary_)}
        return v
