"""Honest validation of an auto-coder: grouped, repeated cross-validation and a learning curve.

Folds are scikit-learn's ``StratifiedGroupKFold`` grouped by ``unit.group`` (interview/informant), so no informant is
ever in both the training and the test part. Scores are computed on the pooled out-of-fold predictions of each
repetition; the report gives the mean over repetitions and the spread (standard deviation). Precision, recall and F1
are :func:`nlp.agreement.precision_recall_f1` (``nan`` where undefined, e.g. precision of a code never predicted; the
averages skip those).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np
from sklearn.model_selection import StratifiedGroupKFold

from ..agreement.coefficients import cohen_kappa as _kappa
from ..agreement.coefficients import precision_recall_f1
from ..features import Analysis, as_analyses

__all__ = [
    "coding_scores",
    "cohen_kappa",
    "cross_validate",
    "fit_rows",
    "grouped_folds",
    "learning_curve",
    "scores_at",
]


def cohen_kappa(a: Sequence[Any], b: Sequence[Any]) -> float:
    """Cohen's kappa of two label sequences (:func:`nlp.agreement.cohen_kappa`), NaN without a warning where
    undefined: in cross-validation a code is often absent from a whole fold.

    Examples
    --------
    >>> round(cohen_kappa([1, 1, 0, 0], [1, 0, 0, 0]), 3)
    0.5
    """

    a, b = list(a), list(b)
    if len(set(a) | set(b)) < 2:
        return float("nan")  # undefined: both used one and the same label throughout
    return float(_kappa(a, b))


def _mean(values: Sequence[float]) -> float:
    """Mean of the defined values (``nan`` when none is)."""
    vals = [v for v in values if not math.isnan(v)]
    return float(np.mean(vals)) if vals else math.nan


def coding_scores(
    true_codes: Sequence[Iterable[str]],
    pred_codes: Sequence[Iterable[str]],
    true_polarity: Sequence[str | None],
    pred_polarity: Sequence[str | None],
    *,
    classes: Sequence[str],
    polarity_classes: Sequence[str] = ("driver", "barrier", "neutral"),
) -> dict[str, Any]:
    """Per-code precision/recall/F1/support/kappa, macro and micro averages, and polarity scores.

    Precision, recall and F1 come from :func:`nlp.agreement.precision_recall_f1`: ``nan`` where undefined (a code
    never predicted has no precision); macro averages are over the codes with support, skipping undefined values.
    Polarity is scored on units with a gold polarity; a predicted ``None`` (abstain) counts as wrong for F1 and
    accuracy and is reported as ``polarity_coverage``; kappa is computed on the units the model did label.

    Examples
    --------
    >>> s = coding_scores([{"a"}, {"b"}], [{"a"}, {"a"}], ["driver", "barrier"], ["driver", "barrier"],
    ...                   classes=["a", "b"])
    >>> s["codes"]["a"]["precision"], s["codes"]["b"]["precision"], s["micro"]["f1"], s["polarity"]["kappa"]
    (0.5, nan, 0.5, 1.0)
    """
    t = [frozenset(c) for c in true_codes]
    p = [frozenset(c) for c in pred_codes]
    prf = precision_recall_f1(t, p, labels=list(classes))
    per: dict[str, dict[str, float]] = {}
    for c in classes:
        v = prf.per_label[c]
        per[c] = {
            "precision": v["precision"],
            "recall": v["recall"],
            "f1": v["f1"],
            "support": int(v["support"]),
            "kappa": cohen_kappa([c in s for s in t], [c in s for s in p]),
        }
    scored = [c for c in classes if per[c]["support"] > 0]
    macro = {k: _mean([per[c][k] for c in scored]) for k in ("precision", "recall", "f1", "kappa")}
    idx = [i for i, v in enumerate(true_polarity) if v is not None]
    tp_, pp_ = [true_polarity[i] for i in idx], [pred_polarity[i] for i in idx]
    pol_prf = precision_recall_f1(
        [{a} for a in tp_], [{b} if b is not None else set() for b in pp_], labels=list(polarity_classes)
    )
    pol_per = {
        c: {"precision": v["precision"], "recall": v["recall"], "f1": v["f1"], "support": int(v["support"])}
        for c, v in pol_prf.per_label.items()
    }
    covered = [(a, b) for a, b in zip(tp_, pp_) if b is not None]
    pol_scored = [c for c in polarity_classes if pol_per[c]["support"] > 0]
    return {
        "n": len(t),
        "codes": per,
        "macro": macro,
        "micro": {"precision": prf.micro_precision, "recall": prf.micro_recall, "f1": prf.micro_f1},
        "polarity": {
            "classes": pol_per,
            "macro_f1": _mean([pol_per[c]["f1"] for c in pol_scored]),
            "accuracy": float(np.mean([a == b for a, b in zip(tp_, pp_)])) if tp_ else math.nan,
            "kappa": cohen_kappa([a for a, _ in covered], [b for _, b in covered]) if covered else math.nan,
            "coverage": len(covered) / len(tp_) if tp_ else math.nan,
            "n": len(tp_),
        },
    }


def grouped_folds(groups: Sequence[Any], strata: Sequence[Any], *, n_splits: int, random_state: int):
    """Stratified grouped folds: every group entirely in one test fold; strata (e.g. polarity) balanced."""
    groups = np.asarray([str(g) for g in groups])
    k = min(n_splits, len(np.unique(groups)))
    if k < 2:
        raise ValueError(f"grouped cross-validation needs at least 2 groups, got {k}")
    cv = StratifiedGroupKFold(n_splits=k, shuffle=True, random_state=random_state)
    with warnings.catch_warnings():  # rare strata are expected in small coded sets; the folds stay grouped
        warnings.simplefilter("ignore", UserWarning)
        return list(cv.split(np.zeros(len(groups)), np.asarray([str(s) for s in strata]), groups))


def fit_rows(
    make_model: Callable[[], Any],
    rows: Sequence[int],
    texts: Sequence[Any],
    codes: Sequence[frozenset[str]],
    polarity: Sequence[str | None],
    groups: Sequence[str],
    *,
    classes: Sequence[str],
) -> Any:
    """A coder made by ``make_model()``, fitted on the texts at ``rows`` (a row given twice counts twice) with their
    codes, polarity and groups: one training step of cross-validation, the learning curve and the transfer runs.

    Examples
    --------
    >>> from nlp.classify import KeywordCoder
    >>> texts = ["vi deler kunnskap", "konkurrenter overalt", "vi deler", "konkurrenter"]
    >>> m = fit_rows(lambda: KeywordCoder(word_analyzer="surface", min_df=1), [0, 1, 2, 3], texts,
    ...              [{"ks"}, {"comp"}, {"ks"}, {"comp"}], ["driver", "barrier"] * 2, list("abcd"),
    ...              classes=["ks", "comp"])
    >>> sorted(m.predict(["vi deler kunnskap"])[0][0])
    ['ks']
    """
    return make_model().fit(
        [texts[i] for i in rows],
        [codes[i] for i in rows],
        [polarity[i] for i in rows],
        groups=[groups[i] for i in rows],
        classes=classes,
    )


def scores_at(
    rows: Sequence[int],
    codes: Sequence[frozenset[str]],
    polarity: Sequence[str | None],
    predictions: Sequence[tuple[Iterable[str], str | None]],
    *,
    classes: Sequence[str],
) -> dict[str, Any]:
    """:func:`coding_scores` of ``predictions`` (``(codes, polarity)``, one per row) against the reference coding
    at ``rows``.

    Examples
    --------
    >>> s = scores_at([1, 2], [{"a"}, {"a"}, {"b"}], [None, "driver", "barrier"], [({"a"}, "driver"), ({"a"}, None)],
    ...               classes=["a", "b"])
    >>> s["micro"]["f1"], s["n"]
    (0.5, 2)
    """
    return coding_scores(
        [codes[i] for i in rows],
        [p[0] for p in predictions],
        [polarity[i] for i in rows],
        [p[1] for p in predictions],
        classes=classes,
    )


def _summarise(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Mean of numeric leaves over repetitions, with ``*_sd`` beside the headline numbers."""

    def mean(vals):
        if isinstance(vals[0], dict):
            return {k: mean([v[k] for v in vals]) for k in vals[0]}
        if isinstance(vals[0], (int, float)):
            return _mean([float(v) for v in vals])
        return vals[0]

    out = mean(runs)
    out["sd"] = {
        "concept_macro_f1": float(np.std([r["macro"]["f1"] for r in runs])),
        "concept_micro_f1": float(np.std([r["micro"]["f1"] for r in runs])),
        "polarity_macro_f1": float(np.std([r["polarity"]["macro_f1"] for r in runs])),
        "polarity_kappa": float(np.std([r["polarity"]["kappa"] for r in runs])),
    }
    out["repeats"] = len(runs)
    return out


def cross_validate(
    make_model: Callable[[], Any],
    X: Sequence[Analysis | str],
    codes: Sequence[Iterable[str]],
    polarity: Sequence[str | None],
    groups: Sequence[Any],
    *,
    classes: Sequence[str],
    n_splits: int = 5,
    n_repeats: int = 3,
    random_state: int = 0,
    return_predictions: bool = False,
    tested: Sequence[bool] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, Any]:
    """Repeated grouped K-fold cross-validation of a coder made by ``make_model()`` (an
    :class:`~nlp.classify.AutoCoder` or the :class:`~nlp.classify.KeywordCoder` baseline) on analyses ``X``.

    Returns the mean scores over repetitions (see :func:`coding_scores`) plus ``sd`` and ``codes_per_unit`` (the
    model's and the reference's); with ``return_predictions`` also the out-of-fold ``(codes, polarity)`` of the
    first repetition. ``tested`` (one flag per text) keeps the rows marked False in every training part and out of
    every test part (a prior corpus beside the researcher's own coding: only the own study is scored).
    ``progress(done, total)`` is called after each fitted fold (``total = n_repeats * n_splits``).
    """
    texts = as_analyses(X)
    codes = [frozenset(c) for c in codes]
    polarity = list(polarity)
    groups = [str(g) for g in groups]
    scored = [i for i in range(len(texts)) if tested is None or tested[i]]
    always = [i for i in range(len(texts)) if tested is not None and not tested[i]]
    runs, first, used = [], None, 0
    fitted = 0
    for r in range(n_repeats):
        preds: list[Any] = [None] * len(texts)
        folds = grouped_folds(
            [groups[i] for i in scored],
            [polarity[i] or "-" for i in scored],
            n_splits=n_splits,
            random_state=random_state + r,
        )
        used = len(folds)
        for tr_local, te_local in folds:
            tr = [scored[i] for i in tr_local] + always
            te = [scored[i] for i in te_local]
            if {groups[i] for i in tr} & {groups[i] for i in te}:  # pragma: no cover - invariant
                raise RuntimeError("a group is in both the training and the test part of a fold")
            model = fit_rows(make_model, tr, texts, codes, polarity, groups, classes=classes)
            for i, pr in zip(te, model.predict([texts[i] for i in te])):
                preds[i] = pr
            fitted += 1
            if progress is not None:
                progress(fitted, n_repeats * n_splits)
        s = scores_at(scored, codes, polarity, [preds[i] for i in scored], classes=classes)
        s["codes_per_unit"] = {
            "model": float(np.mean([len(preds[i][0]) for i in scored])),
            "reference": float(np.mean([len(codes[i]) for i in scored])),
        }
        runs.append(s)
        if first is None:
            first = preds
    out = _summarise(runs)
    # the folds actually used: fewer than asked for when there are fewer groups (3 interviews: 3 folds, not 5)
    out.update(
        {
            "n_splits": used,
            "n_splits_requested": n_splits,
            "n_groups": len({groups[i] for i in scored}),
            "random_state": random_state,
        }
    )
    if return_predictions:
        out["predictions"] = [{"codes": list(first[i][0]), "polarity": first[i][1]} for i in scored]
    return out


def learning_curve(
    make_model: Callable[[], Any],
    X: Sequence[Analysis | str],
    codes: Sequence[Iterable[str]],
    polarity: Sequence[str | None],
    groups: Sequence[Any],
    *,
    classes: Sequence[str],
    sizes: Sequence[int] = (2, 4, 8, 16, 32),
    n_splits: int = 5,
    random_state: int = 0,
    progress: Callable[[int, int], None] | None = None,
) -> list[dict[str, Any]]:
    """Quality against the number of coded groups (interviews/informants) used for training.

    For each outer grouped fold and each size ``n``, a seeded random choice of ``n`` training groups is fitted and
    tested on the fold; scores are computed on the pooled test predictions per size. ``progress(done, total)`` is
    called after each (size, fold) step, ``total = len(sizes) * n_splits``.
    """
    rng = np.random.default_rng(random_state)
    texts = as_analyses(X)
    codes = [frozenset(c) for c in codes]
    polarity = list(polarity)
    groups = [str(g) for g in groups]
    folds = grouped_folds(groups, [p or "-" for p in polarity], n_splits=n_splits, random_state=random_state)
    rows = []
    steps = 0
    for n in sizes:
        t_idx, preds, n_units = [], [], []
        for tr, te in folds:
            train_groups = sorted({groups[i] for i in tr})
            chosen = (
                set(rng.choice(train_groups, size=n, replace=False).tolist())
                if n <= len(train_groups)
                else set()
            )
            sub = [i for i in tr if groups[i] in chosen]
            if any(codes[i] for i in sub):
                model = fit_rows(make_model, sub, texts, codes, polarity, groups, classes=classes)
                t_idx.extend(te)
                preds.extend(model.predict([texts[i] for i in te]))
                n_units.append(len(sub))
            steps += 1
            if progress is not None:
                progress(steps, len(sizes) * len(folds))
        if not t_idx:
            continue
        s = scores_at(t_idx, codes, polarity, preds, classes=classes)
        rows.append(
            {
                "n_groups": int(n),
                "n_units": float(np.mean(n_units)),
                "concept_macro_f1": s["macro"]["f1"],
                "concept_micro_f1": s["micro"]["f1"],
                "polarity_macro_f1": s["polarity"]["macro_f1"],
                "polarity_kappa": s["polarity"]["kappa"],
            }
        )
    return rows
