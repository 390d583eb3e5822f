"""Agreement between codings: coefficients (pure functions), comparison of codings, bootstrap, rendering.

Modules: :mod:`.coefficients` (kappa, pi, alpha, AC1, Brennan-Prediger, Fleiss, precision/recall/F1),
:mod:`.compare` (units from codings, :func:`compare`), :mod:`.tables` (contingency tables per group and the
bootstrap over groups), :mod:`.characters` (NVivo-style character-level comparison), :mod:`.render` (methods
paragraph, Markdown, CSV/JSON files).
"""

from __future__ import annotations

from .coefficients import (
    PRF,
    Coefficient,
    bias_index,
    brennan_prediger,
    cohen_kappa,
    confusion_matrix,
    fleiss_kappa,
    fleiss_kappa_table,
    gwet_ac1,
    kappa_paradox,
    krippendorff_alpha_nominal,
    pabak,
    pairwise_coefficients,
    percent_agreement,
    precision_recall_f1,
    prevalence_index,
    prf_counts,
    scott_pi,
    table_coefficients,
)
from .comparison import UNITS, compare, merge_codings, project_units
from .render import markdown_report, methods_paragraph, write_comparison
from .tables import COEFFICIENTS, Comparison, Stat

__all__ = [
    "COEFFICIENTS",
    "PRF",
    "UNITS",
    "Coefficient",
    "Comparison",
    "Stat",
    "bias_index",
    "brennan_prediger",
    "cohen_kappa",
    "compare",
    "confusion_matrix",
    "fleiss_kappa",
    "fleiss_kappa_table",
    "gwet_ac1",
    "kappa_paradox",
    "krippendorff_alpha_nominal",
    "markdown_report",
    "merge_codings",
    "methods_paragraph",
    "pabak",
    "pairwise_coefficients",
    "percent_agreement",
    "precision_recall_f1",
    "prf_counts",
    "prevalence_index",
    "project_units",
    "scott_pi",
    "table_coefficients",
    "write_comparison",
]
