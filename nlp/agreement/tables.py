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
from .coefficients import kappa_paradox, table_coefficients

if TYPE_CHECKING:
    import pandas as pd


__all__ = ["COEFFICIENTS", "Comparison", "Stat", "boot_weights", "paradox_warnings", "per_code_rows", "prf_stats", "stats_from_tables"]


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


COEFFICIENTS = ("percent_agreement", "cohen_kappa", "scott_pi", "krippendorff_alpha", "gwet_ac1",
                "brennan_prediger")


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


def _percentile_ci(reps: np.ndarray, confidence: float) -> tuple[float, float]:
    reps = reps[~np.isnan(reps)]
    if len(reps) < 10:
        return math.nan, math.nan
    lo = (1 - confidence) / 2
    return float(np.quantile(reps, lo)), float(np.quantile(reps, 1 - lo))


def boot_weights(n_groups: int, n_boot: int, random_state: int) -> np.ndarray:
    """(n_boot, n_groups) counts of how often each group is drawn in each replicate (resampling groups)."""
    rng = np.random.default_rng(random_state)
    draws = rng.integers(0, n_groups, size=(n_boot, n_groups))
    return np.stack([np.bincount(d, minlength=n_groups) for d in draws]).astype(float)


def stats_from_tables(tables: np.ndarray, weights: np.ndarray | None, *, target: str, ref: str, other: str,
                      q: int, n_units: int, confidence: float) -> list[Stat]:
    """Coefficients of the summed table with bootstrap CIs; ``tables`` has shape (groups, q, q)."""
    point = table_coefficients(tables.sum(0), n_categories=q)
    reps = {k: [] for k in COEFFICIENTS}
    if weights is not None:
        for t in np.tensordot(weights, tables, axes=1):
            for k, c in table_coefficients(t, n_categories=q).items():
                reps[k].append(c.value)
    out = []
    for k in COEFFICIENTS:
        lo, hi = _percentile_ci(np.asarray(reps[k], dtype=float), confidence) if weights is not None else (
            math.nan, math.nan)
        out.append(Stat(target, k, ref, other, point[k].value, lo, hi, n_units, point[k].reason))
    return out


def prf_stats(code_tables: np.ndarray, weights: np.ndarray | None, *, ref: str, other: str, n_units: int,
              confidence: float) -> list[Stat]:
    """Micro P/R/F1, macro F1 and the mean of the per-code kappas from (groups, codes, 2, 2) tables.

    The mean per-code kappa is given beside the kappa of the pooled unit x code table because pooling codes of
    different prevalence inflates kappa (independent coders still agree more often on the frequent codes).
    """
    def figures(t: np.ndarray) -> dict[str, float]:  # t: (codes, 2, 2), rows reference absent/present
        tp, fp, fn = t[:, 1, 1], t[:, 0, 1], t[:, 1, 0]
        denom = 2 * tp + fp + fn
        f1 = np.divide(2 * tp, denom, out=np.full(len(tp), np.nan), where=denom > 0)
        s_tp, s_fp, s_fn = tp.sum(), fp.sum(), fn.sum()
        n = t.sum((1, 2))
        with np.errstate(invalid="ignore", divide="ignore"):
            pa, pb = (t[:, 1, 0] + tp) / n, (fp + tp) / n
            pe = pa * pb + (1 - pa) * (1 - pb)
            kappa = np.where(pe < 1 - 1e-12, ((t[:, 0, 0] + tp) / n - pe) / (1 - pe), np.nan)
        return {"micro_precision": s_tp / (s_tp + s_fp) if s_tp + s_fp else math.nan,
                "micro_recall": s_tp / (s_tp + s_fn) if s_tp + s_fn else math.nan,
                "micro_f1": 2 * s_tp / (2 * s_tp + s_fp + s_fn) if 2 * s_tp + s_fp + s_fn else math.nan,
                "macro_f1": float(np.nanmean(f1)) if np.any(denom > 0) else math.nan,
                "mean_code_kappa": float(np.nanmean(kappa)) if np.any(~np.isnan(kappa)) else math.nan}
    point = figures(code_tables.sum(0))
    reps = [figures(t) for t in np.tensordot(weights, code_tables, axes=1)] if weights is not None else []
    out = []
    for k, v in point.items():
        lo, hi = _percentile_ci(np.array([r[k] for r in reps], dtype=float), confidence) if reps else (
            math.nan, math.nan)
        out.append(Stat("concepts", k, ref, other, float(v), lo, hi, n_units))
    return out


def _binary_extras(t: np.ndarray) -> dict[str, float]:
    n = t.sum()
    if not n:
        return {"prevalence_index": math.nan, "bias_index": math.nan, "pabak": math.nan}
    return {"prevalence_index": float((t[1, 1] - t[0, 0]) / n), "bias_index": float((t[1, 0] - t[0, 1]) / n),
            "pabak": float(2 * (t[0, 0] + t[1, 1]) / n - 1)}


def _code_f1_kappa(t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-code F1 and Cohen's kappa of (..., codes, 2, 2) present/absent tables (NaN where undefined)."""
    tp, fp, fn, tn = t[..., 1, 1], t[..., 0, 1], t[..., 1, 0], t[..., 0, 0]
    n = t.sum((-1, -2))
    with np.errstate(invalid="ignore", divide="ignore"):
        f1 = np.where(2 * tp + fp + fn > 0, 2 * tp / (2 * tp + fp + fn), np.nan)
        pa, pb = (tp + fn) / n, (tp + fp) / n
        pe = pa * pb + (1 - pa) * (1 - pb)
        kappa = np.where(pe < 1 - 1e-12, ((tp + tn) / n - pe) / (1 - pe), np.nan)
    return f1, kappa


def per_code_rows(code_tables: np.ndarray, codes: Sequence[str], ref: str, other: str, *,
                  weights: np.ndarray | None = None, confidence: float = 0.95) -> list[dict]:
    """One row per code: counts, every coefficient, P/R/F1, prevalence/bias; with bootstrap ``weights`` over groups
    also the confidence intervals of F1 and kappa (``f1_ci_low`` ...)."""
    boot_f1 = boot_kappa = None
    if weights is not None:
        boot_f1, boot_kappa = _code_f1_kappa(np.tensordot(weights, code_tables, axes=1))  # (n_boot, codes)
    rows = []
    for i, code in enumerate(codes):
        t = code_tables[:, i].sum(0)
        c = table_coefficients(t, n_categories=2)
        tp, fp, fn = t[1, 1], t[0, 1], t[1, 0]
        row = {"code": code, "reference": ref, "other": other, "n_units": int(t.sum()),
               "n_reference": int(t[1].sum()), "n_other": int(t[:, 1].sum()), "n_both": int(tp),
               **{k: v.value for k, v in c.items()},
               "precision": float(tp / (tp + fp)) if tp + fp else math.nan,
               "recall": float(tp / (tp + fn)) if tp + fn else math.nan,
               "f1": float(2 * tp / (2 * tp + fp + fn)) if 2 * tp + fp + fn else math.nan,
               **_binary_extras(t), "reason": c["cohen_kappa"].reason}
        row["warning"] = kappa_paradox(row["percent_agreement"], row["cohen_kappa"])
        if boot_f1 is not None:
            row["f1_ci_low"], row["f1_ci_high"] = _percentile_ci(boot_f1[:, i], confidence)
            row["kappa_ci_low"], row["kappa_ci_high"] = _percentile_ci(boot_kappa[:, i], confidence)
        rows.append(row)
    return rows


def paradox_warnings(result: Comparison) -> None:
    for other in result.others:
        for target in ("polarity", "concepts"):
            try:
                p, k = result.get(target, "percent_agreement", other), result.get(target, "cohen_kappa", other)
            except KeyError:
                continue
            w = kappa_paradox(p.value, k.value)
            if w:
                result.warnings.append(f"{target} ({result.reference} vs {other}): {w}")
        for row in result.per_code:
            if row["warning"] and row["other"] == other:
                result.warnings.append(f"code {row['code']} ({result.reference} vs {other}): {row['warning']}")

