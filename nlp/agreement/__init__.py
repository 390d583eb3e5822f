"""Agreement between codings: coefficients (pure functions), comparison of codings, bootstrap, rendering.

Modules: :mod:`.coefficients` (kappa, pi, alpha, AC1, Brennan-Prediger, Fleiss, Conger and the several-coder
coefficients with missing values, precision/recall/F1), :mod:`.comparison` (units from codings, :func:`compare`,
how the groups were formed), :mod:`.tables` (contingency tables per group, the bootstrap over groups, Kish's
effective number of groups), :mod:`.characters` (NVivo-style character-level comparison), :mod:`.render` (methods
paragraph, Markdown, CSV/JSON files), :mod:`.verdicts` (plain verdicts against cited cut-offs: one
:class:`~.verdicts.Scale` mechanism for Krippendorff's alpha, Landis & Koch's kappa labels and the auto-coder's
use / suggestion only / do not use).
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
    multi_coder_coefficients,
    pabak,
    pairwise_coefficients,
    percent_agreement,
    precision_recall_f1,
    prevalence_index,
    prf_counts,
    scott_pi,
    table_coefficients,
)
from .comparison import UNITS, compare, describe_groups, merge_codings, project_units
from .render import markdown_report, methods_paragraph, write_comparison
from .tables import COEFFICIENTS, Comparison, Stat, distinct_resamples, effective_groups
from .verdicts import alpha_verdict, kappa_label, machine_advice

__all__ = [
    "COEFFICIENTS",
    "PRF",
    "UNITS",
    "Coefficient",
    "Comparison",
    "Stat",
    "alpha_verdict",
    "bias_index",
    "brennan_prediger",
    "cohen_kappa",
    "compare",
    "confusion_matrix",
    "describe_groups",
    "distinct_resamples",
    "effective_groups",
    "fleiss_kappa",
    "fleiss_kappa_table",
    "gwet_ac1",
    "kappa_label",
    "kappa_paradox",
    "krippendorff_alpha_nominal",
    "machine_advice",
    "markdown_report",
    "merge_codings",
    "methods_paragraph",
    "multi_coder_coefficients",
    "pabak",
    "pairwise_coefficients",
    "percent_agreement",
    "precision_recall_f1",
    "prevalence_index",
    "prf_counts",
    "project_units",
    "scott_pi",
    "table_coefficients",
    "write_comparison",
]
