"""Text features for the auto-coder: TF-IDF of content-lemma and surface-word n-grams and of character n-grams,
plus the polarity cue-lexicon columns.

Everything is computed from the one analysis of each segment (:class:`nlp.features.Analysis`, what ``nlp preprocess``
writes) through :class:`nlp.features.LemmaVectorizer`: word features are content lemmas and (marked ``=``) the
surface words, which keep inflection and small words such as negations; character n-grams inside the words catch the
parts of Norwegian and Danish compounds (``kunnskapsdeling`` shares ``kunnskap`` with ``kunnskapen``). A fitted
vectorizer is described by JSON settings, vocabularies and idf arrays, so a saved model is rebuilt without pickle.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.exceptions import NotFittedError

from ..features import Analysis, LemmaVectorizer, as_analyses
from ..lang import polarity as lex

__all__ = ["POLARITY_CUE_NAMES", "TextVectorizer", "polarity_cues"]


#: Columns of :func:`polarity_cues`.
POLARITY_CUE_NAMES = (
    "cue:driver",
    "cue:barrier",
    "cue:negation",
    "cue:any_driver",
    "cue:any_barrier",
    "cue:balance",
)
_CUE_CACHE: dict[str, int] = {}
_NEG, _PHRASE_END = 4, 8  # flags beside the polarity (+1 driver, -1 barrier, 0 neither; stored as v + 1)


def _cue_polarity(word: str) -> int:
    """+1 driver cue, -1 barrier cue, 0 neither (whole word, or a stem of at least ``MIN_PREFIX`` letters)."""
    for n in [len(word), *range(len(word) - 1, lex.MIN_PREFIX - 1, -1)]:
        stem = word[:n]
        if stem in lex.BARRIER:
            return -1
        if stem in lex.DRIVER:
            return 1
    return 0


def _cue_code(word: str) -> int:
    if len(_CUE_CACHE) > 500_000:
        _CUE_CACHE.clear()
    code = _CUE_CACHE[word] = (
        (_cue_polarity(word) + 1)
        | (_NEG if word in lex.NEGATIONS else 0)
        | (_PHRASE_END if any(b == word for _, b in lex.PHRASES) else 0)
    )
    return code


def polarity_cues(X: Sequence[Analysis | str], *, lang: str | None = None) -> np.ndarray:
    """Dense driver/barrier cue features from the hand-made lexicon :mod:`nlp.lang.polarity` (n x 6).

    Columns (:data:`POLARITY_CUE_NAMES`): ``log1p`` of driver and barrier cue counts and of negations, driver /
    barrier cue present, and the log balance driver - barrier. A cue within ``NEGATION_SCOPE`` words after a
    negation (``ikke``, ``ingen``, ``aldri``, ``uten`` ...) counts for the other side; two-word cues (``for lite``,
    ``ikke nok``, ``fungerer godt``) override their second word.

    Examples
    --------
    The words are the analyses' surface words (:meth:`nlp.features.Analysis.surface_words`); strings in ``X`` are
    analysed first (in ``lang``).

    >>> polarity_cues(["Det er en stor utfordring", "ikke noe problem, det fungerer godt"])[:, :2].round(2).tolist()
    [[0.0, 0.69], [1.1, 0.0]]
    """
    scope, phrases, cache = lex.NEGATION_SCOPE, lex.PHRASES, _CUE_CACHE
    analyses = as_analyses(X, lang=lang)
    counts = np.zeros((len(analyses), 3))
    for r, analysis in enumerate(analyses):
        ws = analysis.surface_words()
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


class TextVectorizer(TransformerMixin, BaseEstimator):
    """Word n-gram and character n-gram TF-IDF of analyses; each block l2-normalised, blocks side by side (characters
    first), column names ``c:<gram>`` and ``w:<term>`` in ``vocabulary_``.

    Parameters
    ----------
    word_analyzer
        The word stream of :class:`~nlp.features.LemmaVectorizer`: ``"lemmas+surface"`` (content lemmas and the
        surface words), ``"lemmas"``, ``"lemmas+stop"`` or ``"surface"``.
    word_ngrams
        Range of word n-grams, e.g. ``(1, 2)``.
    char_ngrams
        Range of character n-grams inside words, or ``None`` for word features only.
    min_df
        Minimum number of training documents a feature must occur in.
    sublinear_tf
        Use ``1 + log(tf)``.
    lang
        Language of plain strings in ``X`` (``None``: identified per text).

    Examples
    --------
    >>> v = TextVectorizer(word_analyzer="lemmas", char_ngrams=None, min_df=1, lang="nb")
    >>> v.fit_transform(["Vi deler kunnskap.", "Kunnskap deles."]).shape, v.vocabulary_
    ((2, 5), ['w:del', 'w:del kunnskap', 'w:dele', 'w:kunnskap', 'w:kunnskap dele'])
    """

    def __init__(
        self,
        *,
        word_analyzer: str = "lemmas+surface",
        word_ngrams: tuple[int, int] = (1, 2),
        char_ngrams: tuple[int, int] | None = (3, 5),
        min_df: int = 2,
        sublinear_tf: bool = True,
        lang: str | None = None,
    ) -> None:
        self.word_analyzer = word_analyzer
        self.word_ngrams = word_ngrams
        self.char_ngrams = char_ngrams
        self.min_df = min_df
        self.sublinear_tf = sublinear_tf
        self.lang = lang

    def _block(self, analyzer: str, ngrams: tuple[int, int]) -> LemmaVectorizer:
        return LemmaVectorizer(
            analyzer=analyzer,
            ngram_range=tuple(ngrams),
            min_df=self.min_df,
            use_idf=True,
            sublinear_tf=self.sublinear_tf,
            norm="l2",
            lang=self.lang,
        )

    def _blocks(self) -> list[tuple[str, LemmaVectorizer]]:
        return [
            (p, b) for p, b in (("c:", getattr(self, "char_", None)), ("w:", self.word_)) if b is not None
        ]

    def fit(self, X: Sequence[Analysis | str], y: Any = None) -> TextVectorizer:
        """Learn the vocabularies and idf of ``X``; returns self."""
        self.fit_transform(X)
        return self

    def fit_transform(self, X: Sequence[Analysis | str], y: Any = None) -> sp.csr_matrix:
        """Learn from ``X`` and return its feature matrix."""
        analyses = as_analyses(X, lang=self.lang)
        self.word_ = self._block(self.word_analyzer, self.word_ngrams)
        self.char_ = self._block("chars", self.char_ngrams) if self.char_ngrams else None
        blocks = [b.fit_transform(analyses) for _, b in self._blocks()]
        self._set_vocabulary()
        return sp.hstack(blocks, format="csr")

    def transform(self, X: Sequence[Analysis | str]) -> sp.csr_matrix:
        """The feature matrix of ``X`` (n documents x ``len(vocabulary_)``)."""
        if not hasattr(self, "word_"):
            raise NotFittedError("this TextVectorizer is not fitted yet; call fit(X) first.")
        analyses = as_analyses(X, lang=self.lang)
        return sp.hstack([b.transform(analyses) for _, b in self._blocks()], format="csr")

    def _set_vocabulary(self) -> None:
        self.vocabulary_ = [p + t for p, b in self._blocks() for t in b.get_feature_names_out().tolist()]

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """``c:<gram>`` and ``w:<term>`` in column order."""
        return np.asarray(self.vocabulary_, dtype=object)

    # -- pickle-free state ------------------------------------------------------------------------------------
    def get_state(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        """JSON settings and vocabularies, and idf arrays, from which :meth:`from_state` rebuilds this vectorizer."""
        params: dict[str, Any] = {
            k: list(v) if isinstance(v, tuple) else v for k, v in self.get_params().items()
        }
        arrays: dict[str, np.ndarray] = {}
        for prefix, block in self._blocks():
            name = "char" if prefix == "c:" else "word"
            params[name], block_arrays = block.get_state()
            arrays.update({f"{name}.{k}": v for k, v in block_arrays.items()})
        return params, arrays

    @classmethod
    def from_state(cls, params: Mapping[str, Any], arrays: Mapping[str, np.ndarray]) -> TextVectorizer:
        """The vectorizer saved by :meth:`get_state`."""
        init = {k: v for k, v in params.items() if k not in ("word", "char")}
        for key in ("word_ngrams", "char_ngrams"):
            if init.get(key) is not None:
                init[key] = tuple(init[key])
        v = cls(**init)

        def block(name: str) -> LemmaVectorizer:
            return LemmaVectorizer.from_state(
                params[name], {k.split(".", 1)[1]: a for k, a in arrays.items() if k.startswith(name + ".")}
            )

        v.word_ = block("word")
        v.char_ = block("char") if v.char_ngrams else None
        v._set_vocabulary()
        return v
