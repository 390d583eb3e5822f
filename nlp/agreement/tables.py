"""Contingency tables per group, bootstrap over groups, and the per-code rows of a comparison (internal).

Used by :mod:`nlp.agreement.comparison` and :mod:`nlp.agreement.characters`; every figure comes from :mod:`nlp.agreement`'s formulas
applied to summed tables, so a bootstrap replicate is just a weighted sum of per-group tables.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from ..frames import comparison_frame
from .coefficients import kappa_paradox, prf_counts, table_coefficients

if TYPE_CHECKING:
    import pandas as pd


__all__ = [
    "COEFFICIENTS",
    "MAX_DROPPED_SHARE",
    "MIN_DISTINCT_RESAMPLES",
    "Comparison",
    "Stat",
    "boot_weights",
    "bootstrap_plan",
    "distinct_resamples",
    "dropped_warnings",
    "effective_groups",
    "paradox_warnings",
    "per_code_rows",
    "prf_stats",
    "stat_with_ci",
    "stats_from_tables",
    "table_paradox",
]

#: Below this many distinct bootstrap resamples (``C(2n - 1, n)`` for ``n`` groups: 35 for 4, 126 for 5) the
#: percentile interval's 2.5 % tails rest on a handful of possible resamples, so no interval is given.
MIN_DISTINCT_RESAMPLES = 100
#: Above this share of replicates in which a coefficient is undefined, its interval gets a warning.
MAX_DROPPED_SHARE = 0.05


@dataclass(frozen=True)
class Stat:
    """One figure: ``name`` of ``target`` (``polarity``, ``concepts``, a code id) between two coders (or all)."""

    target: str
    name: str
    reference: str
    other: str
    value: float
    ci_low: float = math.nan
    ci_high: float = math.nan
    n_units: int = 0
    reason: str | None = None
    n_dropped: int = 0  # bootstrap replicates in which the coefficient was undefined (left out of the CI)
    ci_reason: str | None = None  # why there is no interval, when there is none


COEFFICIENTS = (
    "percent_agreement",
    "cohen_kappa",
    "scott_pi",
    "krippendorff_alpha",
    "gwet_ac1",
    "brennan_prediger",
)


@dataclass
class Comparison:
    """Everything :func:`compare` measured; :mod:`nlp.agreement.render` renders it."""

    unit: str
    reference: str
    others: tuple[str, ...]
    n_units: int
    n_groups: int
    n_transcripts: int
    confidence: float
    n_boot: int
    random_state: int
    stats: list[Stat] = field(default_factory=list)
    per_code: list[dict] = field(default_factory=list)
    confusion: dict = field(default_factory=dict)
    excluded: dict = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    disagreements: list[dict] = field(default_factory=list)
    effective_groups: float = math.nan  # Kish: (sum w)^2 / sum w^2, w = units per group
    distinct_resamples: int = 0  # distinct bootstrap resamples of the groups, C(2n - 1, n)
    no_ci_reason: str | None = None  # why no figure has an interval, when none has
    groups: dict = field(default_factory=dict)  # how the resampling groups were formed (render: methods)
    unit_rule: str = ""  # how code spans become unit labels
    polarity_labels: list = field(default_factory=list)
    coder_notes: dict = field(default_factory=dict)  # provenance of each coding, from the transcripts' meta
    nvivo_kappa: bool = False  # character level: kappa 1 where neither coder used a code

    def get(self, target: str, name: str, other: str | None = None) -> Stat:
        """The :class:`Stat` for ``target`` and coefficient ``name`` (against ``other``, default the first)."""
        other = other or self.others[0]
        for s in self.stats:
            if s.target == target and s.name == name and s.other in (other, "all"):
                return s
        raise KeyError((target, name, other))

    def to_json(self) -> dict:
        out = asdict(self)
        out["stats"] = [asdict(s) for s in self.stats]
        return out

    def to_frame(self, table: str = "stats") -> pd.DataFrame:
        """``stats``, ``per_code`` or ``disagreements`` as a pandas DataFrame (needs the ``pandas`` extra); see
        :func:`nlp.frames.comparison_frame`."""
        return comparison_frame(self, table=table)


def _percentile_ci(reps: np.ndarray, confidence: float) -> tuple[float, float, int, str | None]:
    """Percentile interval of the defined replicates, how many were undefined (dropped), and why there is none."""
    reps = np.asarray(reps, dtype=float)
    defined = reps[~np.isnan(reps)]
    dropped = int(len(reps) - len(defined))
    if len(defined) < 10:
        return (
            math.nan,
            math.nan,
            dropped,
            (f"undefined in {dropped} of {len(reps)} bootstrap replicates, too few left for an interval"),
        )
    lo = (1 - confidence) / 2
    return float(np.quantile(defined, lo)), float(np.quantile(defined, 1 - lo)), dropped, None


def boot_weights(n_groups: int, n_boot: int, random_state: int) -> np.ndarray:
    """(n_boot, n_groups) counts of how often each group is drawn in each replicate (resampling groups)."""
    rng = np.random.default_rng(random_state)
    draws = rng.integers(0, n_groups, size=(n_boot, n_groups))
    return np.stack([np.bincount(d, minlength=n_groups) for d in draws]).astype(float)


def effective_groups(sizes: Sequence[float]) -> float:
    """Kish's effective number of groups, ``(sum w)**2 / sum w**2`` with ``w`` = units per group.

    Equal groups give their number; a few large groups give far fewer: what a bootstrap over groups can resolve.

    Examples
    --------
    >>> effective_groups([10, 10, 10, 10])
    4.0
    >>> round(effective_groups([77, 69] + [6] * 25), 1)  # two groups hold half of 296 units: 27 groups, ~7.6
    7.6
    """
    w = np.asarray(sizes, dtype=float)
    return float(w.sum() ** 2 / (w @ w)) if len(w) and w.any() else math.nan


def distinct_resamples(n_groups: int) -> int:
    """How many different bootstrap resamples ``n`` groups allow (multisets of size ``n``): ``C(2n - 1, n)``.

    Examples
    --------
    >>> distinct_resamples(4), distinct_resamples(5), distinct_resamples(27)
    (35, 126, 973469712824056)
    """
    return math.comb(2 * n_groups - 1, n_groups) if n_groups > 0 else 0


def bootstrap_plan(
    sizes: Sequence[float], *, n_boot: int, random_state: int, what: str = "groups"
) -> tuple[np.ndarray | None, float, int, str | None, list[str]]:
    """Bootstrap weights over groups of the given sizes, or None with the reason, plus warnings.

    Returns ``(weights, effective number of groups, distinct resamples, reason for no interval, warnings)``.
    There is no interval for fewer than two groups or fewer than :data:`MIN_DISTINCT_RESAMPLES` distinct resamples;
    a warning says when the effective number of groups (Kish) is small.
    """
    n = len(sizes)
    eff, distinct = effective_groups(sizes), distinct_resamples(n)
    notes: list[str] = []
    reason = None
    if not n_boot:
        reason = "no bootstrap was asked for (n_boot = 0)"
    elif n < 2:
        reason = f"there is only one of the {what}, so a bootstrap over {what} cannot vary"
    elif distinct < MIN_DISTINCT_RESAMPLES:
        reason = (
            f"{n} {what} allow only {distinct} distinct bootstrap resamples, too few for a percentile "
            f"interval's tails"
        )
    if reason and n_boot:
        notes.append(f"No confidence intervals: {reason}.")
    if n >= 2 and eff < 10 and not reason:
        notes.append(
            f"The {n} {what} are worth about {eff:.1f} equally large ones (Kish's effective number; the "
            f"largest holds {max(sizes) / sum(sizes):.0%} of the units): intervals over so few are rough "
            f"and likely too narrow."
        )
    weights = None if reason else boot_weights(n, n_boot, random_state)
    return weights, eff, distinct, reason, notes


def stats_from_tables(
    tables: np.ndarray,
    weights: np.ndarray | None,
    *,
    target: str,
    ref: str,
    other: str,
    q: int,
    n_units: int,
    confidence: float,
) -> list[Stat]:
    """Coefficients of the summed table with bootstrap CIs; ``tables`` has shape (groups, q, q)."""
    point = table_coefficients(tables.sum(0), n_categories=q)
    reps = {k: [] for k in COEFFICIENTS}
    if weights is not None:
        for t in np.tensordot(weights, tables, axes=1):
            for k, c in table_coefficients(t, n_categories=q).items():
                reps[k].append(c.value)
    return [
        stat_with_ci(
            target,
            k,
            ref,
            other,
            point[k].value,
            reps[k] if weights is not None else None,
            n_units,
            point[k].reason,
            confidence,
        )
        for k in COEFFICIENTS
    ]


def stat_with_ci(
    target: str,
    name: str,
    ref: str,
    other: str,
    value: float,
    reps: Sequence[float] | None,
    n_units: int,
    reason: str | None,
    confidence: float,
) -> Stat:
    """A :class:`Stat` with the percentile interval of its bootstrap replicates ``reps`` (None: no bootstrap) and
    the count of replicates in which it was undefined."""
    if reps is None:
        return Stat(target, name, ref, other, value, n_units=n_units, reason=reason)
    lo, hi, dropped, why = _percentile_ci(np.asarray(reps, dtype=float), confidence)
    return Stat(target, name, ref, other, value, lo, hi, n_units, reason, dropped, why)


def prf_stats(
    code_tables: np.ndarray,
    weights: np.ndarray | None,
    *,
    ref: str,
    other: str,
    n_units: int,
    confidence: float,
) -> list[Stat]:
    """Micro P/R/F1, macro F1 and the mean of the per-code kappas from (groups, codes, 2, 2) tables.

    The mean per-code kappa is given beside the kappa of the pooled unit x code table because pooling codes of
    different prevalence inflates kappa (independent coders still agree more often on the frequent codes).
    """

    def figures(t: np.ndarray) -> dict[str, float]:  # t: (codes, 2, 2), rows reference absent/present
        tp, fp, fn = t[:, 1, 1], t[:, 0, 1], t[:, 1, 0]
        f1 = prf_counts(tp, fp, fn)[2]
        micro = prf_counts(tp.sum(), fp.sum(), fn.sum())
        n = t.sum((1, 2))
        with np.errstate(invalid="ignore", divide="ignore"):
            pa, pb = (t[:, 1, 0] + tp) / n, (fp + tp) / n
            pe = pa * pb + (1 - pa) * (1 - pb)
            kappa = np.where(pe < 1 - 1e-12, ((t[:, 0, 0] + tp) / n - pe) / (1 - pe), np.nan)
        return {
            "micro_precision": float(micro[0]),
            "micro_recall": float(micro[1]),
            "micro_f1": float(micro[2]),
            "macro_f1": float(np.nanmean(f1)) if np.any(~np.isnan(f1)) else math.nan,
            "mean_code_kappa": float(np.nanmean(kappa)) if np.any(~np.isnan(kappa)) else math.nan,
        }

    point = figures(code_tables.sum(0))
    reps = [figures(t) for t in np.tensordot(weights, code_tables, axes=1)] if weights is not None else []
    return [
        stat_with_ci(
            "concepts",
            k,
            ref,
            other,
            float(v),
            [r[k] for r in reps] if weights is not None else None,
            n_units,
            None,
            confidence,
        )
        for k, v in point.items()
    ]


def _binary_extras(t: np.ndarray) -> dict[str, float]:
    n = t.sum()
    if not n:
        return {"prevalence_index": math.nan, "bias_index": math.nan, "pabak": math.nan}
    return {
        "prevalence_index": float((t[1, 1] - t[0, 0]) / n),
        "bias_index": float((t[1, 0] - t[0, 1]) / n),
        "pabak": float(2 * (t[0, 0] + t[1, 1]) / n - 1),
    }


def _code_f1_kappa(t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-code F1 and Cohen's kappa of (..., codes, 2, 2) present/absent tables (NaN where undefined)."""
    tp, fp, fn, tn = t[..., 1, 1], t[..., 0, 1], t[..., 1, 0], t[..., 0, 0]
    n = t.sum((-1, -2))
    f1 = prf_counts(tp, fp, fn)[2]
    with np.errstate(invalid="ignore", divide="ignore"):
        pa, pb = (tp + fn) / n, (tp + fp) / n
        pe = pa * pb + (1 - pa) * (1 - pb)
        kappa = np.where(pe < 1 - 1e-12, ((tp + tn) / n - pe) / (1 - pe), np.nan)
    return f1, kappa


def per_code_rows(
    code_tables: np.ndarray,
    codes: Sequence[str],
    ref: str,
    other: str,
    *,
    weights: np.ndarray | None = None,
    confidence: float = 0.95,
) -> list[dict]:
    """One row per code: counts, every coefficient, P/R/F1, prevalence/bias; with bootstrap ``weights`` over groups
    also the confidence intervals of F1 and kappa (``f1_ci_low`` ...)."""
    boot_f1 = boot_kappa = None
    if weights is not None:
        boot_f1, boot_kappa = _code_f1_kappa(np.tensordot(weights, code_tables, axes=1))  # (n_boot, codes)
    rows = []
    for i, code in enumerate(codes):
        t = code_tables[:, i].sum(0)
        c = table_coefficients(t, n_categories=2)
        precision, recall, f1 = prf_counts(int(t[1, 1]), int(t[0, 1]), int(t[1, 0]))
        row = {
            "code": code,
            "reference": ref,
            "other": other,
            "n_units": int(t.sum()),
            "n_reference": int(t[1].sum()),
            "n_other": int(t[:, 1].sum()),
            "n_both": int(t[1, 1]),
            **{k: v.value for k, v in c.items()},
            "precision": float(precision),
            "recall": float(recall),
            "f1": float(f1),
            **_binary_extras(t),
            "reason": c["cohen_kappa"].reason,
        }
        row["warning"] = kappa_paradox(
            row["percent_agreement"],
            row["cohen_kappa"],
            prevalence=row["prevalence_index"],
            bias=row["bias_index"],
            positive_agreement=row["f1"],
        )
        if boot_f1 is not None:
            row["f1_ci_low"], row["f1_ci_high"], row["f1_boot_dropped"], _ = _percentile_ci(
                boot_f1[:, i], confidence
            )
            row["kappa_ci_low"], row["kappa_ci_high"], row["kappa_boot_dropped"], _ = _percentile_ci(
                boot_kappa[:, i], confidence
            )
        rows.append(row)
    return rows


def table_paradox(table: np.ndarray) -> str | None:
    """:func:`~nlp.agreement.coefficients.kappa_paradox` for a two-coder contingency table of any size.

    For more than two categories the prevalence index is that of the dominant category against the rest and the
    bias index half the summed differences of the two coders' category shares (it is ``|bias index|`` for two).
    """
    t = np.asarray(table, dtype=float)
    n = t.sum()
    if not n:
        return None
    c = table_coefficients(t, n_categories=t.shape[0])
    pa, pb = t.sum(1) / n, t.sum(0) / n
    positive = None
    if t.shape[0] == 2:
        prevalence, bias = (t[1, 1] - t[0, 0]) / n, (t[1, 0] - t[0, 1]) / n
        used = 2 * t[1, 1] + t[0, 1] + t[1, 0]
        positive = float(2 * t[1, 1] / used) if used else None
    else:
        top = int(np.argmax(pa + pb))
        prevalence, bias = float(pa[top] + pb[top] - 1), float(np.abs(pa - pb).sum() / 2)
    return kappa_paradox(
        c["percent_agreement"].value,
        c["cohen_kappa"].value,
        prevalence=float(prevalence),
        bias=float(bias),
        positive_agreement=positive,
    )


def paradox_warnings(result: Comparison, pooled: dict[tuple[str, str], np.ndarray]) -> None:
    """Add the kappa-paradox warnings of the pooled tables (``(target, other) -> table``) and of each code."""
    for (target, other), table in pooled.items():
        w = table_paradox(table)
        if w:
            result.warnings.append(f"{target} ({result.reference} vs {other}): {w}")
    for row in result.per_code:
        if row.get("warning"):
            where = f", {row['source']}" if row.get("source", "(pooled)") != "(pooled)" else ""
            result.warnings.append(
                f"code {row['code']} ({result.reference} vs {row['other']}{where}): {row['warning']}"
            )


def dropped_warnings(result: Comparison) -> None:
    """Warn where more than :data:`MAX_DROPPED_SHARE` of the bootstrap replicates of a figure were undefined."""
    if not result.n_boot:
        return
    for s in result.stats:
        if s.n_dropped > MAX_DROPPED_SHARE * result.n_boot:
            result.warnings.append(
                f"{s.target} {s.name} ({s.reference} vs {s.other}): undefined in {s.n_dropped} of {result.n_boot} "
                f"bootstrap replicates ({s.n_dropped / result.n_boot:.0%}), which were left out of its interval; "
                f"the interval describes only the resamples where it is defined."
            )
    many = sorted(
        {
            f"{r['code']} ({r['other']})"
            for r in result.per_code
            for k in ("f1_boot_dropped", "kappa_boot_dropped")
            if r.get(k, 0) > MAX_DROPPED_SHARE * result.n_boot
        }
    )
    if many:
        result.warnings.append(
            f"Per-code intervals of {', '.join(many)}: F1 or kappa was undefined in more than "
            f"{MAX_DROPPED_SHARE:.0%} of the bootstrap replicates (the code was absent from the "
            f"resample); those replicates were left out, so read these intervals with care."
        )
