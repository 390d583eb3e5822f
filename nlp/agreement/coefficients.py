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
:func:`multi_coder_coefficients` gives, for any number of coders with missing values, Gwet's (2014) percent
agreement, AC1, Brennan-Prediger and Conger's kappa (the generalisation of Cohen's kappa), Krippendorff's alpha, and
Fleiss' kappa on the units every coder coded; all of them from per-unit sums (:func:`multi_coder_sums`), so a
bootstrap replicate is a weighted sum.

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
    "MULTI_COEFFICIENTS",
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
    "multi_coder_coefficients",
    "multi_coder_from_sums",
    "multi_coder_sums",
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


def _check_pair(
    a: Sequence[Hashable], b: Sequence[Hashable], labels: Sequence[Hashable] | None
) -> list[Hashable]:
    """Validate two coders' label sequences; return the category list (``labels`` or the observed ones)."""
    a, b = list(a), list(b)
    if len(a) != len(b):
        raise InputError(
            f"the two coders labelled different numbers of units ({len(a)} and {len(b)}).",
            fix="pass one label per unit for each coder, over the same units in the same order.",
        )
    for name, seq in (("first", a), ("second", b)):
        gaps = [i for i, x in enumerate(seq) if _is_missing(x)]
        if gaps:
            raise InputError(
                f"the {name} coder has missing labels at units {gaps[:5]}"
                f"{' ...' if len(gaps) > 5 else ''} ({len(gaps)} in all).",
                fix="drop those units explicitly (and report how many), or use "
                "krippendorff_alpha_nominal, which allows missing values.",
            )
    observed = sorted(set(a) | set(b), key=repr)
    if labels is None:
        return observed
    cats = list(dict.fromkeys(labels))
    unknown = [x for x in observed if x not in set(cats)]
    if unknown:
        raise InputError(
            f"labels {unknown[:5]} are not among the categories {cats[:10]}.",
            fix="add them to the codebook or correct the coding.",
        )
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
    return _corrected(
        po, float(pa @ pb), "Cohen's kappa", "both coders used one and the same single category"
    )


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
        return Coefficient(
            math.nan,
            "Gwet's AC1 is undefined: there is only one category (pass labels= with the full category list).",
        )
    pi = (pa + pb) / 2
    return _corrected(po, float(pi @ (1 - pi)) / (q - 1), "Gwet's AC1", "")


def _bp(a, b, labels=None) -> Coefficient:
    po, _, _, q, reason = _po_margins(a, b, labels)
    if reason:
        return Coefficient(math.nan, f"Brennan-Prediger is undefined: {reason}")
    if q < 2:
        return Coefficient(
            math.nan,
            "Brennan-Prediger is undefined: there is only one category "
            "(pass labels= with the full category list).",
        )
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


def cohen_kappa(
    a: Sequence[Hashable], b: Sequence[Hashable], *, labels: Sequence[Hashable] | None = None
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


def scott_pi(
    a: Sequence[Hashable], b: Sequence[Hashable], *, labels: Sequence[Hashable] | None = None
) -> float:
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


def gwet_ac1(
    a: Sequence[Hashable], b: Sequence[Hashable], *, labels: Sequence[Hashable] | None = None
) -> float:
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


def brennan_prediger(
    a: Sequence[Hashable], b: Sequence[Hashable], *, labels: Sequence[Hashable] | None = None
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
        raise InputError(
            f"the coders labelled different numbers of units ({sorted(n_units)}).",
            fix="give every coder one entry per unit (None where a coder did not code it).",
        )
    cats = sorted({x for r in rows for x in r if not _is_missing(x)}, key=repr)
    idx = {x: float(i) for i, x in enumerate(cats)}
    data = np.array([[math.nan if _is_missing(x) else idx[x] for x in r] for r in rows], dtype=float)
    pairable = (~np.isnan(data)).sum(0) >= 2
    if not pairable.any():
        return Coefficient(math.nan, "Krippendorff's alpha is undefined: no unit was coded by two coders.")
    values = np.unique(data[:, pairable][~np.isnan(data[:, pairable])])
    if len(values) < 2:
        return Coefficient(
            math.nan,
            "Krippendorff's alpha is undefined: all pairable values are one single "
            "category, so there is no variation to agree on.",
        )
    return Coefficient(
        float(
            krippendorff.alpha(
                reliability_data=data,
                level_of_measurement="nominal",
                value_domain=np.arange(len(cats), dtype=float),
            )
        )
    )


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
        raise InputError(
            f"Fleiss' kappa needs the same number (>= 2) of coders on every unit; rows sum to "
            f"{sorted(set(n.tolist()))[:5]}.",
            fix="drop units not coded by every coder, or use krippendorff_alpha_nominal for missing values.",
        )
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
        raise InputError(
            "Fleiss' kappa does not allow missing labels.",
            fix="drop incomplete units, or use krippendorff_alpha_nominal.",
        )
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


def confusion_matrix(
    reference: Sequence[Hashable], other: Sequence[Hashable], *, labels: Sequence[Hashable]
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


def precision_recall_f1(
    reference: Iterable[Iterable[Hashable]],
    other: Iterable[Iterable[Hashable]],
    *,
    labels: Sequence[Hashable] | None = None,
) -> PRF:
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
        raise InputError(
            f"REFERENCE and OTHER cover different numbers of units ({len(ref)} and {len(oth)}).",
            fix="compare codings of the same units.",
        )
    cats = sorted(set().union(*ref, *oth), key=repr) if labels is None else list(labels)
    per: dict = {}
    for c in cats:
        tp = sum(c in r and c in o for r, o in zip(ref, oth))
        fp = sum(c not in r and c in o for r, o in zip(ref, oth))
        fn = sum(c in r and c not in o for r, o in zip(ref, oth))
        precision, recall, f1 = prf_counts(tp, fp, fn)
        per[c] = {
            "tp": tp,
            "fp": fp,
            "fn": fn,
            "support": tp + fn,
            "precision": precision,
            "recall": recall,
            "f1": f1,
            "reason": _prf_reason(tp, fp, fn),
        }
    tp = sum(v["tp"] for v in per.values())
    fp = sum(v["fp"] for v in per.values())
    fn = sum(v["fn"] for v in per.values())
    f1s = [v["f1"] for v in per.values() if not math.isnan(v["f1"])]
    return PRF(per, *prf_counts(tp, fp, fn), float(np.mean(f1s)) if f1s else math.nan)


def pairwise_coefficients(
    a: Sequence[Hashable], b: Sequence[Hashable], *, labels: Sequence[Hashable] | None = None
) -> dict[str, Coefficient]:
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


def table_coefficients(
    table: Sequence[Sequence[float]], *, n_categories: int | None = None
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
        return {
            k: Coefficient(math.nan, f"{name} is undefined: there are no units.") for k, name in _KEYS.items()
        }
    po = float(np.trace(t) / n)
    pa, pb = t.sum(1) / n, t.sum(0) / n
    pi = (pa + pb) / 2
    one = "both coders used one and the same single category"
    out = {
        "percent_agreement": Coefficient(po),
        "cohen_kappa": _corrected(po, float(pa @ pb), "Cohen's kappa", one),
        "scott_pi": _corrected(po, float(pi @ pi), "Scott's pi", one),
    }
    coinc = t + t.T
    nc = coinc.sum(1)
    total = coinc.sum()
    de = float(nc.sum() ** 2 - nc @ nc)
    if total < 2 or de == 0:
        out["krippendorff_alpha"] = Coefficient(
            math.nan,
            "Krippendorff's alpha is undefined: all values are one "
            "single category, so there is no variation to agree on.",
        )
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


_KEYS = {
    "percent_agreement": "Percent agreement",
    "cohen_kappa": "Cohen's kappa",
    "scott_pi": "Scott's pi",
    "krippendorff_alpha": "Krippendorff's alpha",
    "gwet_ac1": "Gwet's AC1",
    "brennan_prediger": "Brennan-Prediger",
}


#: The parts of :func:`multi_coder_sums`; each has the unit axis summed, so per-group sums add up.
MULTI_SUM_KEYS = (
    "n_pairable",
    "pa_sum",
    "n_rated",
    "pi_sum",
    "classified",
    "n_complete",
    "complete_pa_sum",
    "complete_counts",
    "coincidence",
)


def _codes_matrix(
    ratings: Sequence[Sequence[Hashable]], labels: Sequence[Hashable] | None
) -> tuple[np.ndarray, list[Hashable]]:
    """Coders x units matrix of category indices (-1 = not coded) and the category list."""
    rows = [list(r) for r in ratings]
    if len(rows) < 2:
        raise InputError(f"agreement needs at least two coders, got {len(rows)}.")
    if len({len(r) for r in rows}) != 1:
        raise InputError(
            f"the coders labelled different numbers of units ({sorted({len(r) for r in rows})}).",
            fix="give every coder one entry per unit (None where a coder did not code it).",
        )
    observed = sorted({x for r in rows for x in r if not _is_missing(x)}, key=repr)
    cats = observed if labels is None else list(dict.fromkeys(labels))
    unknown = [x for x in observed if x not in set(cats)]
    if unknown:
        raise InputError(
            f"labels {unknown[:5]} are not among the categories {cats[:10]}.",
            fix="add them to the codebook or correct the coding.",
        )
    idx = {x: i for i, x in enumerate(cats)}
    return np.array([[-1 if _is_missing(x) else idx[x] for x in r] for r in rows], dtype=int).reshape(
        len(rows), -1
    ), cats


def multi_coder_sums(codes: np.ndarray, q: int) -> dict[str, np.ndarray]:
    """Sufficient statistics of several coders' nominal labels, summed over the units given.

    Parameters
    ----------
    codes
        Coders x units integer matrix of category indices ``0..q-1``, ``-1`` where a coder did not code the unit.
    q
        Number of categories.

    Returns
    -------
    dict
        ``n_pairable`` (units coded by at least two coders), ``pa_sum`` (their summed agreement
        ``sum_k r_uk (r_uk - 1) / (r_u (r_u - 1))``), ``n_rated`` and ``pi_sum`` (units coded at all, summed
        category shares ``r_uk / r_u``), ``classified`` (coders x categories counts), ``n_complete``,
        ``complete_pa_sum`` and ``complete_counts`` (the same over units every coder coded, for Fleiss' kappa) and
        ``coincidence`` (Krippendorff's coincidence matrix). Sums of two subsets' dicts are the dict of their union.
    """
    codes = np.asarray(codes, dtype=int)
    n_coders = codes.shape[0]
    counts = np.zeros((codes.shape[1], q))  # r_uk
    for row in codes:
        ok = row >= 0
        np.add.at(counts, (np.flatnonzero(ok), row[ok]), 1)
    r = counts.sum(1)
    pair, rated, complete = r >= 2, r >= 1, r == n_coders
    with np.errstate(invalid="ignore", divide="ignore"):
        agree = np.where(pair, (counts * (counts - 1)).sum(1) / (r * (r - 1)), 0.0)
        shares = np.where(rated[:, None], counts / r[:, None], 0.0)
        rc = counts[pair]
        coinc = (rc.T / (r[pair] - 1)) @ rc - np.diag((rc / (r[pair] - 1)[:, None]).sum(0))
    classified = np.stack([np.bincount(row[row >= 0], minlength=q) for row in codes]).astype(float)
    return {
        "n_pairable": np.float64(pair.sum()),
        "pa_sum": np.float64(agree.sum()),
        "n_rated": np.float64(rated.sum()),
        "pi_sum": shares.sum(0),
        "classified": classified,
        "n_complete": np.float64(complete.sum()),
        "complete_pa_sum": np.float64(agree[complete].sum()),
        "complete_counts": counts[complete].sum(0),
        "coincidence": coinc,
    }


#: The coefficients over all coders (more than two), keys of :func:`multi_coder_coefficients`, with their names.
_MULTI_NAMES = {
    "percent_agreement": "Percent agreement",
    "fleiss_kappa": "Fleiss' kappa",
    "gwet_ac1": "Gwet's AC1",
    "brennan_prediger": "Brennan-Prediger",
    "conger_kappa": "Conger's kappa",
    "krippendorff_alpha": "Krippendorff's alpha",
}
MULTI_COEFFICIENTS = tuple(_MULTI_NAMES)


def multi_coder_from_sums(
    sums: dict[str, np.ndarray], *, coders: Sequence[str] | None = None
) -> dict[str, Coefficient]:
    """Coefficients for several coders from :func:`multi_coder_sums` (see :func:`multi_coder_coefficients`)."""
    q = len(sums["pi_sum"])
    n_coders = sums["classified"].shape[0]
    n2, n1 = float(sums["n_pairable"]), float(sums["n_rated"])
    if n2 == 0:
        return {
            k: Coefficient(math.nan, f"{name} is undefined: no unit was coded by two coders.")
            for k, name in _MULTI_NAMES.items()
        }
    pa = float(sums["pa_sum"]) / n2
    out = {"percent_agreement": Coefficient(pa)}
    nc = float(sums["n_complete"])
    if nc == 0:
        out["fleiss_kappa"] = Coefficient(
            math.nan, "Fleiss' kappa is undefined: no unit was coded by every coder."
        )
    else:
        pj = sums["complete_counts"] / sums["complete_counts"].sum()
        out["fleiss_kappa"] = _corrected(
            float(sums["complete_pa_sum"]) / nc,
            float(pj @ pj),
            "Fleiss' kappa",
            "all ratings fall in one category",
        )
    pi = sums["pi_sum"] / n1
    if q < 2:
        only = "there is only one category (pass labels= with the full category list)."
        out["gwet_ac1"] = Coefficient(math.nan, f"Gwet's AC1 is undefined: {only}")
        out["brennan_prediger"] = Coefficient(math.nan, f"Brennan-Prediger is undefined: {only}")
    else:
        out["gwet_ac1"] = _corrected(pa, float(pi @ (1 - pi)) / (q - 1), "Gwet's AC1", "")
        out["brennan_prediger"] = Coefficient(float((pa - 1 / q) / (1 - 1 / q)))
    n_g = sums["classified"].sum(1)
    if np.any(n_g == 0):
        who = [str(coders[i]) if coders else f"coder {i + 1}" for i in np.flatnonzero(n_g == 0)]
        out["conger_kappa"] = Coefficient(
            math.nan, f"Conger's kappa is undefined: {', '.join(who)} coded no unit."
        )
    else:
        p_gk = sums["classified"] / n_g[:, None]
        s2 = p_gk.var(0, ddof=1)
        pe = float((p_gk.mean(0) ** 2 - s2 / n_coders).sum())
        out["conger_kappa"] = _corrected(
            pa, pe, "Conger's kappa", "every coder used one and the same category"
        )
    coinc = sums["coincidence"]
    n, nk = coinc.sum(), coinc.sum(1)
    de = float(n * n - nk @ nk)
    if de <= 0:
        out["krippendorff_alpha"] = Coefficient(
            math.nan,
            "Krippendorff's alpha is undefined: all pairable values "
            "are one single category, so there is no variation.",
        )
    else:
        out["krippendorff_alpha"] = Coefficient(float(1 - (n - 1) * (n - np.trace(coinc)) / de))
    return {k: out[k] for k in MULTI_COEFFICIENTS}


def multi_coder_coefficients(
    ratings: Sequence[Sequence[Hashable]], *, labels: Sequence[Hashable] | None = None
) -> dict[str, Coefficient]:
    """Agreement of several coders with missing values (Gwet 2014, ch. 2-4), each with its reason when undefined.

    Percent agreement is the mean over units coded by at least two coders of the share of agreeing coder pairs.
    Chance agreement: Gwet's AC1 ``sum_k pi_k (1 - pi_k) / (q - 1)`` and Fleiss ``sum_k pi_k**2`` with ``pi_k`` the
    mean share of category ``k`` per unit; Brennan-Prediger ``1 / q``; Conger's kappa the mean of the pairwise
    Cohen chance agreements, ``sum_k (mean_g p_gk**2 - var_g p_gk / r)`` with ``p_gk`` coder ``g``'s share of
    ``k``. Fleiss' kappa is computed on the units *every* coder coded (the classical definition; ``n`` is smaller);
    Krippendorff's alpha (nominal) uses every pairable value.

    Parameters
    ----------
    ratings
        One sequence per coder, one entry per unit; ``None`` (or ``nan``) where a coder did not code the unit.
    labels
        The full category list (``q`` for AC1 and Brennan-Prediger); defaults to the categories observed.

    Returns
    -------
    dict
        ``percent_agreement``, ``fleiss_kappa`` (complete units), ``gwet_ac1``, ``brennan_prediger``,
        ``conger_kappa``, ``krippendorff_alpha``: :class:`Coefficient` s.

    Examples
    --------
    Krippendorff (2011)'s 4 coders x 12 units with missing values; Gwet (2014) and the irrCAC package give
    AC1 0.7754, Brennan-Prediger 0.7727, Conger's kappa 0.7621, alpha 0.7434 (percent agreement 0.8182); Fleiss'
    kappa on the 8 units all four coded is 0.6415 (irrCAC on those units):

    >>> _ = None
    >>> data = [[1, 2, 3, 3, 2, 1, 4, 1, 2, _, _, _],
    ...         [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, _, 3],
    ...         [_, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, _],
    ...         [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, _]]
    >>> out = multi_coder_coefficients(data)
    >>> {k: round(c.value, 4) for k, c in out.items()}  # doctest: +NORMALIZE_WHITESPACE
    {'percent_agreement': 0.8182, 'fleiss_kappa': 0.6415, 'gwet_ac1': 0.7754, 'brennan_prediger': 0.7727,
     'conger_kappa': 0.7621, 'krippendorff_alpha': 0.7434}
    """
    codes, cats = _codes_matrix(ratings, labels)
    return multi_coder_from_sums(multi_coder_sums(codes, len(cats)))


def kappa_paradox(
    percent: float,
    kappa: float,
    *,
    prevalence: float,
    bias: float,
    positive_agreement: float | None = None,
    high: float = 0.8,
    low: float = 0.4,
    rare: float = 0.8,
    capped: float = 0.6,
) -> str | None:
    """A warning when high percent agreement hides low kappa *because of* prevalence or bias, else None.

    Kappa is low beside high agreement either because the coders really disagree on the few units the code
    applies to, or because of the code's prevalence and the coders' bias (Feinstein & Cicchetti 1990; Byrt, Bishop &
    Carlin 1993). Only the second is a paradox worth a warning: it fires when the prevalence index is extreme
    (``|prevalence| >= rare``: the code is on fewer than about 10 % or more than 90 % of units) or when the
    bias (the coders' different rates) caps the attainable kappa at ``capped`` or below (Cohen 1960's maximum
    kappa given each coder's rate) and kappa comes within half of that cap. A code on 15 % of units with F1 0.44
    gets no warning: its low kappa is real disagreement. When ``positive_agreement`` (F1: agreement on the units
    where the code applies) is given and below 0.5, the warning says that the low kappa is also real disagreement.

    Parameters
    ----------
    percent, kappa
        Percent agreement and Cohen's kappa.
    prevalence, bias
        :func:`prevalence_index` and :func:`bias_index` (for more than two categories: the dominant category
        against the rest, and half the summed differences of the coders' category shares).

    Examples
    --------
    >>> kappa_paradox(0.92, 0.16, prevalence=-0.9, bias=0.0)[:43]
    'Percent agreement is 0.92 but kappa is 0.16'
    >>> kappa_paradox(0.832, 0.34, prevalence=-0.7, bias=0.0) is None  # prevalence 15 %: real disagreement
    True
    >>> kappa_paradox(0.9, 0.8, prevalence=-0.9, bias=0.0) is None
    True
    """
    if any(math.isnan(x) for x in (percent, kappa, prevalence, bias)) or not (
        percent >= high and kappa < low
    ):
        return None
    p_a, p_b = (1 + prevalence + bias) / 2, (1 + prevalence - bias) / 2
    pe = p_a * p_b + (1 - p_a) * (1 - p_b)
    kappa_max = (1 - abs(bias) - pe) / (1 - pe) if pe < 1 else math.nan
    why = []
    if abs(prevalence) >= rare:
        why.append(
            f"the code is very {'rare' if prevalence < 0 else 'frequent'} (prevalence index "
            f"{prevalence:+.2f}), so {pe:.0%} agreement is expected by chance"
        )
    if not math.isnan(kappa_max) and kappa_max <= capped and kappa >= kappa_max / 2:
        why.append(
            f"the coders apply it at different rates (bias index {bias:+.2f}), which caps kappa at "
            f"{kappa_max:.2f}"
        )
    if not why:
        return None
    real = ""
    if positive_agreement is not None and not math.isnan(positive_agreement) and positive_agreement < 0.5:
        real = (
            f" Agreement on the units where it applies (F1) is only {positive_agreement:.2f}, so the low kappa "
            f"is also real disagreement."
        )
    return (
        f"Percent agreement is {percent:.2f} but kappa is {kappa:.2f}: {' and '.join(why)}.{real} Report kappa "
        f"with the prevalence and bias indices, and Gwet's AC1 or PABAK beside it."
    )
