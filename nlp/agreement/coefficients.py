"""Agreement and validation statistics: pure functions on label sequences.

Two coders' labels for the same units are two equally long sequences (``a[i]`` and ``b[i]`` label unit ``i``).
All coefficients here are for *nominal* data. Chance-corrected coefficients differ only in the expected agreement
``pe`` they subtract from the observed agreement ``po`` (``(po - pe) / (1 - pe)``):

=================  ==========================================================  =================================
coefficient        expected agreement ``pe``                                   reference
=================  ==========================================================  =================================
Cohen's kappa      sum_k p_ak * p_bk (each coder's own marginals)              Cohen (1960)
Scott's pi         sum_k pi_k**2, pi_k = (p_ak + p_bk) / 2 (pooled marginals)  Scott (1955)
Gwet's AC1         sum_k pi_k * (1 - pi_k) / (q - 1)                           Gwet (2008)
Brennan-Prediger   1 / q (uniform over the q categories)                       Brennan & Prediger (1981)
=================  ==========================================================  =================================

Krippendorff's alpha (any number of coders, missing values allowed) is computed by the ``krippendorff`` package with
``level_of_measurement="nominal"``; Fleiss' kappa generalises Scott's pi to more than two coders.

When a coefficient is undefined (e.g. both coders used one single category, so ``pe == 1`` and kappa is 0/0) the
scalar functions return ``nan`` and emit a :class:`~nlp.errors.DataWarning` giving the reason;
:func:`pairwise_coefficients` returns the reason beside the value. Never a silent number.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np

from ..errors import DataWarning, InputError

__all__ = [
    "PRF",
    "Coefficient",
    "bias_index",
    "brennan_prediger",
    "cohen_kappa",
    "confusion_matrix",
    "fleiss_kappa",
    "fleiss_kappa_table",
    "gwet_ac1",
    "kappa_paradox",
    "krippendorff_alpha_nominal",
    "pabak",
    "pairwise_coefficients",
    "percent_agreement",
    "precision_recall_f1",
    "prevalence_index",
    "prf_counts",
    "scott_pi",
    "table_coefficients",
]


class Coefficient(NamedTuple):
    """A coefficient's value and, when it is ``nan``, why."""

    value: float
    reason: str | None = None


def _is_missing(x: object) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def _check_pair(a: Sequence[Hashable], b: Sequence[Hashable], labels: Sequence[Hashable] | None
                ) -> list[Hashable]:
    """Validate two coders' label sequences; return the category list (``labels`` or the observed ones)."""
    a, b = list(a), list(b)
    if len(a) != len(b):
        raise InputError(f"the two coders labelled different numbers of units ({len(a)} and {len(b)}).",
                         fix="pass one label per unit for each coder, over the same units in the same order.")
    for name, seq in (("first", a), ("second", b)):
        gaps = [i for i, x in enumerate(seq) if _is_missing(x)]
        if gaps:
            raise InputError(f"the {name} coder has missing labels at units {gaps[:5]}"
                             f"{' ...' if len(gaps) > 5 else ''} ({len(gaps)} in all).",
                             fix="drop those units explicitly (and report how many), or use "
                                 "krippendorff_alpha_nominal, which allows missing values.")
    observed = sorted(set(a) | set(b), key=repr)
    if labels is None:
        return observed
    cats = list(dict.fromkeys(labels))
    unknown = [x for x in observed if x not in set(cats)]
    if unknown:
        raise InputError(f"labels {unknown[:5]} are not among the categories {cats[:10]}.",
                         fix="add them to the codebook or correct the coding.")
    return cats


def _table(a: Sequence[Hashable], b: Sequence[Hashable], cats: Sequence[Hashable]) -> np.ndarray:
    idx = {x: i for i, x in enumerate(cats)}
    table = np.zeros((len(cats), len(cats)))
    for x, y in zip(a, b):
        table[idx[x], idx[y]] += 1
    return table


def _po_margins(a, b, labels) -> tuple[float, np.ndarray, np.ndarray, int, str | None]:
    cats = _check_pair(a, b, labels)
    table = _table(a, b, cats)
    n = int(table.sum())
    if n == 0:
        return math.nan, np.zeros(0), np.zeros(0), 0, "there are no units."
    return float(np.trace(table) / n), table.sum(1) / n, table.sum(0) / n, len(cats), None


def _corrected(po: float, pe: float, name: str, why: str) -> Coefficient:
    if pe >= 1 - 1e-12:
        return Coefficient(math.nan, f"{name} is undefined: expected agreement is 1 ({why}).")
    return Coefficient(float((po - pe) / (1 - pe)))


def _scalar(c: Coefficient) -> float:
    if c.reason:
        warnings.warn(c.reason, DataWarning, stacklevel=3)
    return c.value


def _percent(a, b, labels=None) -> Coefficient:
    po, _, _, _, reason = _po_margins(a, b, labels)
    return Coefficient(po, reason)


def _cohen(a, b, labels=None) -> Coefficient:
    po, pa, pb, _, reason = _po_margins(a, b, labels)
    if reason:
        return Coefficient(math.nan, f"Cohen's kappa is undefined: {reason}")
    return _corrected(po, float(pa @ pb), "Cohen's kappa", "both coders used one and the same single category")


def _scott(a, b, labels=None) -> Coefficient:
    po, pa, pb, _, reason = _po_margins(a, b, labels)
    if reason:
        return Coefficient(math.nan, f"Scott's pi is undefined: {reason}")
    pi = (pa + pb) / 2
    return _corrected(po, float(pi @ pi), "Scott's pi", "both coders used one and the same single category")


def _gwet(a, b, labels=None) -> Coefficient:
    po, pa, pb, q, reason = _po_margins(a, b, labels)
    if reason:
        return Coefficient(math.nan, f"Gwet's AC1 is undefined: {reason}")
    if q < 2:
        return Coefficient(math.nan, "Gwet's AC1 is undefined: there is only one category "
                                     "(pass labels= with the full category list).")
    pi = (pa + pb) / 2
    return _corrected(po, float(pi @ (1 - pi)) / (q - 1), "Gwet's AC1", "")


def _bp(a, b, labels=None) -> Coefficient:
    po, _, _, q, reason = _po_margins(a, b, labels)
    if reason:
        return Coefficient(math.nan, f"Brennan-Prediger is undefined: {reason}")
    if q < 2:
        return Coefficient(math.nan, "Brennan-Prediger is undefined: there is only one category "
                                     "(pass labels= with the full category list).")
    return Coefficient(float((po - 1 / q) / (1 - 1 / q)))


def percent_agreement(a: Sequence[Hashable], b: Sequence[Hashable]) -> float:
    """Share of units on which the two coders gave the same label.

    Parameters
    ----------
    a, b
        One label per unit for each coder, over the same units in the same order.

    Returns
    -------
    float
        Observed agreement ``po`` in 0..1 (``nan`` for no units).

    Examples
    --------
    Wikipedia's Cohen's kappa example (20 yes/yes, 5 yes/no, 10 no/yes, 15 no/no):

    >>> a = ["yes"] * 25 + ["no"] * 25
    >>> b = ["yes"] * 20 + ["no"] * 5 + ["yes"] * 10 + ["no"] * 15
    >>> percent_agreement(a, b)
    0.7
    """
    return _scalar(_percent(a, b))


def cohen_kappa(a: Sequence[Hashable], b: Sequence[Hashable], *, labels: Sequence[Hashable] | None = None
                ) -> float:
    """Cohen's kappa: agreement corrected for chance as each coder's own label distribution predicts it.

    Parameters
    ----------
    a, b
        One label per unit for each coder (or reference and prediction), same units, same order; no missing values.
    labels
        The category list; labels outside it raise :class:`~nlp.errors.InputError`. Does not change the value.

    Returns
    -------
    float
        Kappa, or ``nan`` with a :class:`~nlp.errors.DataWarning` when undefined (both coders used one category).

    Examples
    --------
    Wikipedia's example, kappa = 0.4:

    >>> a = ["yes"] * 25 + ["no"] * 25
    >>> b = ["yes"] * 20 + ["no"] * 5 + ["yes"] * 10 + ["no"] * 15
    >>> round(cohen_kappa(a, b), 3)
    0.4
    """
    return _scalar(_cohen(a, b, labels))


def scott_pi(a: Sequence[Hashable], b: Sequence[Hashable], *, labels: Sequence[Hashable] | None = None) -> float:
    """Scott's pi: chance agreement from the two coders' pooled label distribution.

    Parameters
    ----------
    a, b
        One label per unit for each coder, same units, same order.
    labels
        The category list (validation only).

    Returns
    -------
    float
        Pi, or ``nan`` with a warning when undefined.

    Examples
    --------
    The Wikipedia kappa example: pooled "yes" share is 0.55, so ``pe = 0.55**2 + 0.45**2 = 0.505``:

    >>> a = ["yes"] * 25 + ["no"] * 25
    >>> b = ["yes"] * 20 + ["no"] * 5 + ["yes"] * 10 + ["no"] * 15
    >>> round(scott_pi(a, b), 4)
    0.3939
    """
    return _scalar(_scott(a, b, labels))


def gwet_ac1(a: Sequence[Hashable], b: Sequence[Hashable], *, labels: Sequence[Hashable] | None = None) -> float:
    """Gwet's AC1, which stays stable when one category dominates (the "kappa paradox").

    Parameters
    ----------
    a, b
        One label per unit for each coder, same units, same order.
    labels
        The full category list; its length is ``q``. Defaults to the categories observed.

    Returns
    -------
    float
        AC1, or ``nan`` with a warning when there is only one category.

    Examples
    --------
    The Wikipedia kappa example: ``pe = 2 * 0.55 * 0.45 = 0.495``:

    >>> a = ["yes"] * 25 + ["no"] * 25
    >>> b = ["yes"] * 20 + ["no"] * 5 + ["yes"] * 10 + ["no"] * 15
    >>> round(gwet_ac1(a, b), 4)
    0.4059
    """
    return _scalar(_gwet(a, b, labels))


def brennan_prediger(a: Sequence[Hashable], b: Sequence[Hashable], *, labels: Sequence[Hashable] | None = None
                     ) -> float:
    """Brennan-Prediger coefficient: chance agreement ``1/q`` for ``q`` categories (= PABAK for ``q = 2``).

    Parameters
    ----------
    a, b
        One label per unit for each coder, same units, same order.
    labels
        The full category list; its length is ``q``. Defaults to the categories observed.

    Returns
    -------
    float
        The coefficient, or ``nan`` with a warning when there is only one category.

    Examples
    --------
    >>> a = ["yes"] * 25 + ["no"] * 25
    >>> b = ["yes"] * 20 + ["no"] * 5 + ["yes"] * 10 + ["no"] * 15
    >>> round(brennan_prediger(a, b), 3)
    0.4
    """
    return _scalar(_bp(a, b, labels))


def _kalpha(ratings: Sequence[Sequence[Hashable]]) -> Coefficient:
    import krippendorff

    rows = [list(r) for r in ratings]
    if len(rows) < 2:
        raise InputError(f"Krippendorff's alpha needs at least two coders, got {len(rows)}.")
    n_units = {len(r) for r in rows}
    if len(n_units) != 1:
        raise InputError(f"the coders labelled different numbers of units ({sorted(n_units)}).",
                         fix="give every coder one entry per unit (None where a coder did not code it).")
    cats = sorted({x for r in rows for x in r if not _is_missing(x)}, key=repr)
    idx = {x: float(i) for i, x in enumerate(cats)}
    data = np.array([[math.nan if _is_missing(x) else idx[x] for x in r] for r in rows], dtype=float)
    pairable = (~np.isnan(data)).sum(0) >= 2
    if not pairable.any():
        return Coefficient(math.nan, "Krippendorff's alpha is undefined: no unit was coded by two coders.")
    values = np.unique(data[:, pairable][~np.isnan(data[:, pairable])])
    if len(values) < 2:
        return Coefficient(math.nan, "Krippendorff's alpha is undefined: all pairable values are one single "
                                     "category, so there is no variation to agree on.")
    return Coefficient(float(krippendorff.alpha(reliability_data=data, level_of_measurement="nominal",
                                                value_domain=np.arange(len(cats), dtype=float))))


def krippendorff_alpha_nominal(ratings: Sequence[Sequence[Hashable]]) -> float:
    """Krippendorff's alpha for nominal data, any number of coders, missing values allowed.

    Computed by the ``krippendorff`` package with ``level_of_measurement="nominal"`` stated explicitly (its
    default is interval, which is wrong for codes).

    Parameters
    ----------
    ratings
        One sequence per coder, one entry per unit; ``None`` (or ``nan``) where a coder did not code the unit.

    Returns
    -------
    float
        Alpha, or ``nan`` with a warning when undefined.

    Examples
    --------
    Krippendorff (2011), "Computing Krippendorff's alpha-reliability", 4 coders x 12 units, nominal alpha = 0.743:

    >>> _ = None
    >>> data = [[1, 2, 3, 3, 2, 1, 4, 1, 2, _, _, _],
    ...         [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, _, 3],
    ...         [_, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, _],
    ...         [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, _]]
    >>> round(krippendorff_alpha_nominal(data), 3)
    0.743
    """
    return _scalar(_kalpha(ratings))


def fleiss_kappa_table(counts: Sequence[Sequence[int]]) -> float:
    """Fleiss' kappa from a units x categories table of how many coders chose each category.

    Parameters
    ----------
    counts
        ``counts[i][k]`` = number of coders who put unit ``i`` in category ``k``; every row must sum to the same
        number of coders ``n >= 2``.

    Returns
    -------
    float
        Kappa, or ``nan`` with a warning when all ratings fall in one category.

    Examples
    --------
    Wikipedia's example (10 units, 14 raters, 5 categories), kappa = 0.210:

    >>> table = [[0, 0, 0, 0, 14], [0, 2, 6, 4, 2], [0, 0, 3, 5, 6], [0, 3, 9, 2, 0], [2, 2, 8, 1, 1],
    ...          [7, 7, 0, 0, 0], [3, 2, 6, 3, 0], [2, 5, 3, 2, 2], [6, 5, 2, 1, 0], [0, 2, 2, 3, 7]]
    >>> round(fleiss_kappa_table(table), 3)
    0.21
    """
    return _scalar(_fleiss_table(np.asarray(counts, dtype=float)))


def _fleiss_table(t: np.ndarray) -> Coefficient:
    if t.ndim != 2 or t.shape[0] == 0:
        raise InputError("Fleiss' kappa needs a non-empty units x categories table of counts.")
    n = t.sum(1)
    if not np.all(n == n[0]) or n[0] < 2:
        raise InputError(f"Fleiss' kappa needs the same number (>= 2) of coders on every unit; rows sum to "
                         f"{sorted(set(n.tolist()))[:5]}.", fix="drop units not coded by every coder, or use "
                                                                 "krippendorff_alpha_nominal for missing values.")
    n = n[0]
    p_unit = ((t * (t - 1)).sum(1) / (n * (n - 1))).mean()
    pj = t.sum(0) / t.sum()
    return _corrected(float(p_unit), float(pj @ pj), "Fleiss' kappa", "all ratings fall in one category")


def fleiss_kappa(ratings: Sequence[Sequence[Hashable]], *, labels: Sequence[Hashable] | None = None) -> float:
    """Fleiss' kappa for two or more coders who each labelled every unit.

    Parameters
    ----------
    ratings
        One row per unit, one label per coder (``ratings[i][j]`` = coder ``j``'s label for unit ``i``).
    labels
        The category list (validation only).

    Returns
    -------
    float
        Kappa, or ``nan`` with a warning when undefined.

    Examples
    --------
    >>> round(fleiss_kappa([["a", "a", "a"], ["a", "b", "b"], ["b", "b", "b"], ["a", "a", "b"]]), 4)
    0.3333
    """
    rows = [list(r) for r in ratings]
    if any(_is_missing(x) for r in rows for x in r):
        raise InputError("Fleiss' kappa does not allow missing labels.",
                         fix="drop incomplete units, or use krippendorff_alpha_nominal.")
    cats = sorted({x for r in rows for x in r}, key=repr) if labels is None else list(dict.fromkeys(labels))
    unknown = sorted({x for r in rows for x in r} - set(cats), key=repr)
    if unknown:
        raise InputError(f"labels {unknown[:5]} are not among the categories {cats[:10]}.")
    idx = {x: i for i, x in enumerate(cats)}
    t = np.zeros((len(rows), len(cats)))
    for i, r in enumerate(rows):
        for x in r:
            t[i, idx[x]] += 1
    return _scalar(_fleiss_table(t))


def confusion_matrix(reference: Sequence[Hashable], other: Sequence[Hashable], *, labels: Sequence[Hashable]
                     ) -> np.ndarray:
    """Counts of (reference label, other label): rows are REFERENCE, columns OTHER, in the order of ``labels``.

    Examples
    --------
    >>> confusion_matrix(["driver", "barrier", "driver"], ["driver", "driver", "neutral"],
    ...                  labels=["driver", "barrier", "neutral"]).tolist()
    [[1, 0, 1], [1, 0, 0], [0, 0, 0]]
    """
    cats = _check_pair(reference, other, labels)
    return _table(list(reference), list(other), cats).astype(int)


def _binary(a: Sequence[bool], b: Sequence[bool]) -> tuple[float, float, float, float, int]:
    a, b = [bool(x) for x in a], [bool(x) for x in b]
    _check_pair(a, b, None)
    n = len(a)
    both = sum(x and y for x, y in zip(a, b))
    neither = sum(not x and not y for x, y in zip(a, b))
    only_a = sum(x and not y for x, y in zip(a, b))
    only_b = n - both - neither - only_a
    return both, only_a, only_b, neither, n


def prevalence_index(a: Sequence[bool], b: Sequence[bool]) -> float:
    """Prevalence index ``(both - neither) / n`` of a present/absent code (Byrt, Bishop & Carlin 1993).

    Near +1 or -1 the code is almost always (or almost never) applied, and kappa is depressed even when agreement
    is high.

    Examples
    --------
    >>> prevalence_index([True] * 25 + [False] * 25, [True] * 20 + [False] * 5 + [True] * 10 + [False] * 15)
    0.1
    """
    both, _, _, neither, n = _binary(a, b)
    return (both - neither) / n if n else math.nan


def bias_index(a: Sequence[bool], b: Sequence[bool]) -> float:
    """Bias index ``(only_a - only_b) / n``: how much more often coder ``a`` applies the code than coder ``b``.

    Examples
    --------
    >>> bias_index([True] * 25 + [False] * 25, [True] * 20 + [False] * 5 + [True] * 10 + [False] * 15)
    -0.1
    """
    _, only_a, only_b, _, n = _binary(a, b)
    return (only_a - only_b) / n if n else math.nan


def pabak(a: Sequence[bool], b: Sequence[bool]) -> float:
    """Prevalence- and bias-adjusted kappa ``2 * po - 1`` for a present/absent code.

    Examples
    --------
    >>> round(pabak([True] * 25 + [False] * 25, [True] * 20 + [False] * 5 + [True] * 10 + [False] * 15), 3)
    0.4
    """
    both, _, _, neither, n = _binary(a, b)
    return 2 * (both + neither) / n - 1 if n else math.nan


@dataclass(frozen=True)
class PRF:
    """Precision, recall and F1 of OTHER against REFERENCE, per label and averaged.

    ``per_label`` maps each label to a dict with ``tp``, ``fp``, ``fn``, ``support``, ``precision``, ``recall``,
    ``f1`` (``nan`` where the denominator is zero: no predictions, no reference, or neither) and ``reason`` (why a
    value is ``nan``, else ``None``).
    """

    per_label: dict
    micro_precision: float
    micro_recall: float
    micro_f1: float
    macro_f1: float


def _ratio(x: float, y: float) -> float:
    return x / y if y else math.nan


def prf_counts(tp: Any, fp: Any, fn: Any) -> tuple[Any, Any, Any]:
    """Precision, recall and F1 from true-positive, false-positive and false-negative counts (numbers or NumPy
    arrays of them, e.g. per code and per bootstrap replicate), ``nan`` where the denominator is zero.

    The one place these three ratios are computed (:func:`precision_recall_f1`, the agreement tables and the
    auto-coder's cross-validation all go through it).

    Examples
    --------
    >>> prf_counts(2, 1, 0)
    (0.6666666666666666, 1.0, 0.8)
    >>> [round(float(x), 2) for x in prf_counts(np.array([1, 0]), np.array([1, 0]), np.array([0, 0]))[2]]
    [0.67, nan]
    """
    if np.ndim(tp) == 0 and np.ndim(fp) == 0 and np.ndim(fn) == 0:
        return _ratio(tp, tp + fp), _ratio(tp, tp + fn), _ratio(2 * tp, 2 * tp + fp + fn)
    tp, fp, fn = (np.asarray(a, dtype=np.float64) for a in (tp, fp, fn))

    def ratio(x: np.ndarray, y: np.ndarray) -> np.ndarray:
        return np.divide(x, y, out=np.full(np.broadcast(x, y).shape, np.nan), where=y > 0)

    return ratio(tp, tp + fp), ratio(tp, tp + fn), ratio(2 * tp, 2 * tp + fp + fn)


def _prf_reason(tp: int, fp: int, fn: int) -> str | None:
    """Why precision, recall or F1 of a label is undefined (``None`` when all three are defined)."""
    if tp + fp + fn == 0:
        return "precision, recall and F1 are undefined: neither side used the label."
    if tp + fp == 0:
        return "precision is undefined: OTHER never used the label."
    if tp + fn == 0:
        return "recall is undefined: REFERENCE never used the label."
    return None


def precision_recall_f1(reference: Iterable[Iterable[Hashable]], other: Iterable[Iterable[Hashable]], *,
                        labels: Sequence[Hashable] | None = None) -> PRF:
    """Multi-label precision, recall and F1 of OTHER's label sets against REFERENCE's, unit by unit.

    Parameters
    ----------
    reference, other
        One set of labels per unit (possibly empty), same units, same order.
    labels
        Labels to report; defaults to every label either side used. Macro F1 averages the labels whose F1 is
        defined (used by at least one side).

    Returns
    -------
    PRF

    Examples
    --------
    >>> r = precision_recall_f1([{"tillit"}, {"tillit", "nettverk"}, set()], [{"tillit"}, {"nettverk"}, {"tillit"}])
    >>> r.micro_precision, r.micro_recall, round(r.micro_f1, 3)
    (0.6666666666666666, 0.6666666666666666, 0.667)
    """
    ref, oth = [set(x) for x in reference], [set(x) for x in other]
    if len(ref) != len(oth):
        raise InputError(f"REFERENCE and OTHER cover different numbers of units ({len(ref)} and {len(oth)}).",
                         fix="compare codings of the same units.")
    cats = sorted(set().union(*ref, *oth), key=repr) if labels is None else list(labels)
    per: dict = {}
    for c in cats:
        tp = sum(c in r and c in o for r, o in zip(ref, oth))
        fp = sum(c not in r and c in o for r, o in zip(ref, oth))
        fn = sum(c in r and c not in o for r, o in zip(ref, oth))
        precision, recall, f1 = prf_counts(tp, fp, fn)
        per[c] = {"tp": tp, "fp": fp, "fn": fn, "support": tp + fn, "precision": precision, "recall": recall,
                  "f1": f1, "reason": _prf_reason(tp, fp, fn)}
    tp = sum(v["tp"] for v in per.values())
    fp = sum(v["fp"] for v in per.values())
    fn = sum(v["fn"] for v in per.values())
    f1s = [v["f1"] for v in per.values() if not math.isnan(v["f1"])]
    return PRF(per, *prf_counts(tp, fp, fn), float(np.mean(f1s)) if f1s else math.nan)


def pairwise_coefficients(a: Sequence[Hashable], b: Sequence[Hashable], *,
                          labels: Sequence[Hashable] | None = None) -> dict[str, Coefficient]:
    """All two-coder coefficients at once, each with the reason when it is undefined (no warnings).

    Examples
    --------
    >>> out = pairwise_coefficients(["ja", "ja"], ["ja", "ja"])
    >>> out["percent_agreement"].value, out["cohen_kappa"].value
    (1.0, nan)
    >>> out["cohen_kappa"].reason
    "Cohen's kappa is undefined: expected agreement is 1 (both coders used one and the same single category)."
    """
    a, b = list(a), list(b)
    _check_pair(a, b, labels)
    return {
        "percent_agreement": _percent(a, b, labels),
        "cohen_kappa": _cohen(a, b, labels),
        "scott_pi": _scott(a, b, labels),
        "krippendorff_alpha": _kalpha([a, b]),
        "gwet_ac1": _gwet(a, b, labels),
        "brennan_prediger": _bp(a, b, labels),
    }


def table_coefficients(table: Sequence[Sequence[float]], *, n_categories: int | None = None
                       ) -> dict[str, Coefficient]:
    """Two-coder coefficients from a contingency table (rows coder A, columns coder B, same category order).

    Much faster than label lists for character-level comparison (millions of units). Krippendorff's alpha uses its
    closed form for two coders without missing values, ``1 - (n - 1) * D_o / D_e`` on the coincidence matrix
    (Krippendorff 2011, section C); the tests check it against the ``krippendorff`` package.

    Parameters
    ----------
    table
        Square table of counts.
    n_categories
        ``q`` for Gwet's AC1 and Brennan-Prediger; defaults to the table's size.

    Returns
    -------
    dict
        Same keys as :func:`pairwise_coefficients`.

    Examples
    --------
    >>> out = table_coefficients([[20, 5], [10, 15]])
    >>> round(out["cohen_kappa"].value, 3), round(out["krippendorff_alpha"].value, 3)
    (0.4, 0.4)
    """
    t = np.asarray(table, dtype=float)
    if t.ndim != 2 or t.shape[0] != t.shape[1]:
        raise InputError(f"a contingency table must be square, got shape {t.shape}.")
    n = t.sum()
    q = t.shape[0] if n_categories is None else n_categories
    if n == 0:
        return {k: Coefficient(math.nan, f"{name} is undefined: there are no units.") for k, name in _KEYS.items()}
    po = float(np.trace(t) / n)
    pa, pb = t.sum(1) / n, t.sum(0) / n
    pi = (pa + pb) / 2
    one = "both coders used one and the same single category"
    out = {"percent_agreement": Coefficient(po),
           "cohen_kappa": _corrected(po, float(pa @ pb), "Cohen's kappa", one),
           "scott_pi": _corrected(po, float(pi @ pi), "Scott's pi", one)}
    coinc = t + t.T
    nc = coinc.sum(1)
    total = coinc.sum()
    de = float(nc.sum() ** 2 - nc @ nc)
    if total < 2 or de == 0:
        out["krippendorff_alpha"] = Coefficient(math.nan, "Krippendorff's alpha is undefined: all values are one "
                                                          "single category, so there is no variation to agree on.")
    else:
        do = float(coinc.sum() - np.trace(coinc))
        out["krippendorff_alpha"] = Coefficient(float(1 - (total - 1) * do / de))
    if q < 2:
        only = "there is only one category (pass the full category list)."
        out["gwet_ac1"] = Coefficient(math.nan, f"Gwet's AC1 is undefined: {only}")
        out["brennan_prediger"] = Coefficient(math.nan, f"Brennan-Prediger is undefined: {only}")
    else:
        out["gwet_ac1"] = _corrected(po, float(pi @ (1 - pi)) / (q - 1), "Gwet's AC1", "")
        out["brennan_prediger"] = Coefficient(float((po - 1 / q) / (1 - 1 / q)))
    return out


_KEYS = {"percent_agreement": "Percent agreement", "cohen_kappa": "Cohen's kappa", "scott_pi": "Scott's pi",
         "krippendorff_alpha": "Krippendorff's alpha", "gwet_ac1": "Gwet's AC1", "brennan_prediger": "Brennan-Prediger"}


def kappa_paradox(percent: float, kappa: float, *, high: float = 0.8, low: float = 0.4) -> str | None:
    """A warning text when high percent agreement hides low kappa (Feinstein & Cicchetti 1990), else None.

    Examples
    --------
    >>> kappa_paradox(0.95, 0.2)[:40]
    'Percent agreement is 0.95 but kappa is 0'
    >>> kappa_paradox(0.9, 0.8) is None
    True
    """
    if math.isnan(percent) or math.isnan(kappa) or not (percent >= high and kappa < low):
        return None
    return (f"Percent agreement is {percent:.2f} but kappa is {kappa:.2f}: the code is very frequent or very rare "
            f"(see the prevalence index), so most agreement is expected by chance. Report both, and Gwet's AC1 "
            f"or PABAK beside kappa.")
