"""Render a :class:`~nlp.agreement.comparison.Comparison`: methods paragraph, Markdown tables, CSV/JSON files, disagreements.

No computation happens here: every number comes from the comparison.
"""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path

from ..model import atomic_write_text, atomic_writer, concept_codes
from .tables import Comparison, Stat

__all__ = ["NAMES", "markdown_report", "markdown_table", "methods_paragraph", "write_comparison"]

NAMES = {
    "percent_agreement": "Percent agreement", "cohen_kappa": "Cohen's kappa", "scott_pi": "Scott's pi",
    "krippendorff_alpha": "Krippendorff's alpha (nominal)", "gwet_ac1": "Gwet's AC1",
    "brennan_prediger": "Brennan-Prediger", "fleiss_kappa": "Fleiss' kappa", "micro_precision": "Precision (micro)",
    "micro_recall": "Recall (micro)", "micro_f1": "F1 (micro)", "macro_f1": "F1 (macro)",
    "mean_code_kappa": "Cohen's kappa (mean over codes)",
}
_UNIT_WORDS = {"segment": "segments (speaker turns or excerpts)", "sentence": "sentences",
               "character": "characters"}


def _f(x: float) -> str:
    return "n/a" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.2f}"


def _ci(s: Stat, level: float) -> str:
    if math.isnan(s.ci_low):
        return "n/a"
    return f"{s.ci_low:.2f}–{s.ci_high:.2f}"


def _with_ci(s: Stat, level: float) -> str:
    if math.isnan(s.value):
        return f"undefined ({s.reason})" if s.reason else "undefined"
    if math.isnan(s.ci_low):
        return _f(s.value)
    return f"{s.value:.2f} ({level:.0%} CI {s.ci_low:.2f}–{s.ci_high:.2f})"


def methods_paragraph(result: Comparison) -> str:
    """A methods-section paragraph that states the units, coders, coefficients with CIs and the bootstrap.

    Examples
    --------
    >>> from nlp.model import CodeSpan, Segment, Transcript
    >>> from nlp.agreement.comparison import compare
    >>> codes = (CodeSpan("polarity:driver", 0, 13, "A"), CodeSpan("polarity:driver", 0, 13, "B"))
    >>> t = Transcript("i1", "Vi deler alt.", segments=(Segment(0, 13),), codes=codes)
    >>> text = methods_paragraph(compare([t], unit="segment", reference="A", others=["B"], n_boot=0))
    >>> print(text.split(". ")[0])  # doctest: +NORMALIZE_WHITESPACE
    Agreement was measured on 1 segments (speaker turns or excerpts) from 1 transcript(s) (1 interview group(s)),
    with A as the reference coding
    """
    level = result.confidence
    parts = []
    unit = _UNIT_WORDS[result.unit]
    parts.append(f"Agreement was measured on {result.n_units} {unit} from {result.n_transcripts} transcript(s) "
                 f"({result.n_groups} {'source' if result.unit == 'character' else 'interview group'}(s)), with {result.reference} as the reference coding.")
    for k, n in result.excluded.items():
        parts.append(f"Left out: {n} {k}.")
    for other in result.others:
        try:
            pk = result.get("polarity", "cohen_kappa", other)
            parts.append(
                f"For polarity (driver, barrier, neutral; {pk.n_units} units coded by both), {other} agreed with "
                f"{result.reference} at Cohen's kappa {_with_ci(pk, level)}, Krippendorff's alpha (nominal) "
                f"{_with_ci(result.get('polarity', 'krippendorff_alpha', other), level)}, Gwet's AC1 "
                f"{_with_ci(result.get('polarity', 'gwet_ac1', other), level)} and percent agreement "
                f"{_with_ci(result.get('polarity', 'percent_agreement', other), level)}."
                if result.unit != "character" else
                f"For the polarity codes, each coded as present/absent per character, {other} agreed with "
                f"{result.reference} at pooled Cohen's kappa {_with_ci(pk, level)}.")
        except KeyError:
            pass
        try:
            f1 = result.get("concepts", "micro_f1", other)
            n_codes = len(concept_codes(r["code"] for r in result.per_code if r["other"] == other))
            parts.append(
                f"For the {n_codes} theory concepts, each coded as present/absent per {result.unit}, {other} reached a "
                f"micro-averaged F1 of {_with_ci(f1, level)} against {result.reference} (precision "
                f"{_f(result.get('concepts', 'micro_precision', other).value)}, recall "
                f"{_f(result.get('concepts', 'micro_recall', other).value)}, macro F1 "
                f"{_f(result.get('concepts', 'macro_f1', other).value)}); Cohen's kappa pooled over all {result.unit} x "
                f"concept decisions was {_with_ci(result.get('concepts', 'cohen_kappa', other), level)} and the mean "
                f"of the per-code kappas {_with_ci(result.get('concepts', 'mean_code_kappa', other), level)}.")
        except KeyError:
            pass
    for s in result.stats:
        if s.other == "all":
            parts.append(f"Across all {len(result.others) + 1} coders, {NAMES.get(s.name, s.name)} for {s.target} "
                         f"was {_with_ci(s, level)} (n = {s.n_units}).")
    if result.n_boot and result.n_groups >= 2:
        parts.append(f"Intervals are {level:.0%} percentile bootstrap intervals ({result.n_boot} replicates, seed "
                     f"{result.random_state}) that resample whole "
                     f"{'sources' if result.unit == 'character' else 'interview groups'} rather than units, because units "
                     f"of one interview are not independent.")
    parts.append("Kappa-type coefficients correct percent agreement for chance; with very frequent or very rare "
                 "codes they can be low despite high agreement, so the prevalence index and Gwet's AC1 are "
                 "reported beside them.")
    return " ".join(parts)


def markdown_table(result: Comparison) -> str:
    """The coefficients with CIs as a Markdown table (target, coders, coefficient, value, CI, n).

    Examples
    --------
    >>> from nlp.model import CodeSpan, Segment, Transcript
    >>> from nlp.agreement.comparison import compare
    >>> codes = (CodeSpan("polarity:driver", 0, 13, "A"), CodeSpan("polarity:driver", 0, 13, "B"))
    >>> t = Transcript("i1", "Vi deler alt.", segments=(Segment(0, 13),), codes=codes)
    >>> print(markdown_table(compare([t], unit="segment", reference="A", others=["B"], n_boot=0)).splitlines()[3])
    ... # doctest: +NORMALIZE_WHITESPACE
    | polarity | A vs B | Cohen's kappa | undefined: Cohen's kappa is undefined: expected agreement is 1 (both coders used one and the same single category). | n/a | 1 |
    """
    level = f"{result.confidence:.0%} CI"
    lines = [f"| Target | Coders | Coefficient | Value | {level} | n |", "|---|---|---|---:|---|---:|"]
    for s in result.stats:
        value = _f(s.value) if not math.isnan(s.value) else f"undefined: {s.reason}"
        coders = f"all {len(result.others) + 1} coders" if s.other == "all" else f"{s.reference} vs {s.other}"
        lines.append(f"| {s.target} | {coders} | {NAMES.get(s.name, s.name)} | {value} | "
                     f"{_ci(s, result.confidence)} | {s.n_units} |")
    return "\n".join(lines)


def _per_code_table(result: Comparison) -> str:
    rows = [r for r in result.per_code if r.get("source", "(pooled)") == "(pooled)"]
    if not rows:
        return ""
    def ci(r: dict, key: str) -> str:
        lo, hi = r.get(f"{key}_ci_low", math.nan), r.get(f"{key}_ci_high", math.nan)
        return "" if math.isnan(lo) or math.isnan(hi) else f" ({lo:.2f}–{hi:.2f})"

    lines = ["| Code | Coders | n ref | n other | both | % agree | kappa (CI) | AC1 | F1 (CI) | prevalence | bias |",
             "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        lines.append(f"| {r['code']} | {r['reference']} vs {r['other']} | {r.get('n_reference', '')} | "
                     f"{r.get('n_other', '')} | {r.get('n_both', '')} | {_f(r['percent_agreement'])} | "
                     f"{_f(r['cohen_kappa'])}{ci(r, 'kappa')} | {_f(r.get('gwet_ac1', math.nan))} | "
                     f"{_f(r.get('f1', math.nan))}{ci(r, 'f1')} | "
                     f"{_f(r.get('prevalence_index', math.nan))} | {_f(r.get('bias_index', math.nan))} |")
    return "\n".join(lines)


def markdown_report(result: Comparison) -> str:
    """Methods paragraph, coefficient table, per-code table, polarity confusion matrices and warnings."""
    out = [f"# Agreement: {result.reference} vs {', '.join(result.others)} (unit: {result.unit})", "",
           "## Methods", "", methods_paragraph(result), "", "## Coefficients", "", markdown_table(result), ""]
    per_code = _per_code_table(result)
    if per_code:
        out += ["## Per code", "", per_code, ""]
    for other, cm in result.confusion.items():
        out += [f"## Polarity confusion matrix (rows {result.reference}, columns {other})", "",
                "| | " + " | ".join(cm["labels"]) + " |", "|---" * (len(cm["labels"]) + 1) + "|"]
        out += [f"| {lab} | " + " | ".join(str(x) for x in row) + " |" for lab, row in zip(cm["labels"], cm["matrix"])]
        out.append("")
    if result.warnings:
        out += ["## Warnings", ""] + [f"- {w}" for w in result.warnings] + [""]
    return "\n".join(out)


def _clean(x):
    if isinstance(x, float) and math.isnan(x):
        return None
    if isinstance(x, dict):
        return {k: _clean(v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [_clean(v) for v in x]
    return x


def _write_csv(path: Path, rows: list[dict], fields: list[str] | None = None) -> None:
    fields = list(dict.fromkeys(k for r in rows for k in r)) or list(fields or [])
    with atomic_writer(path) as fh:
        w = csv.DictWriter(fh, fieldnames=fields)
        w.writeheader()
        for r in rows:
            w.writerow({k: ("" if v is None or (isinstance(v, float) and math.isnan(v)) else v)
                        for k, v in r.items()})


def write_comparison(result: Comparison, out: str | Path) -> list[Path]:
    """Write ``results.json``, ``results.csv``, ``per_code.csv``, ``results.md`` and ``disagreements.csv``.

    NaN becomes JSON ``null``/an empty CSV cell; its reason is written beside it. Every file is written atomically.
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    paths = {k: out / k for k in ("results.json", "results.csv", "per_code.csv", "results.md",
                                  "disagreements.csv")}
    data = _clean(result.to_json())
    data.pop("disagreements")
    data["disagreements_file"] = "disagreements.csv"
    data["n_disagreements"] = len(result.disagreements)
    data["methods"] = methods_paragraph(result)
    atomic_write_text(paths["results.json"], json.dumps(data, ensure_ascii=False, indent=2) + "\n")
    _write_csv(paths["results.csv"], [vars(s) for s in result.stats])
    _write_csv(paths["per_code.csv"], result.per_code)
    atomic_write_text(paths["results.md"], markdown_report(result))
    _write_csv(paths["disagreements.csv"], result.disagreements,
               ["transcript", "unit", "group", "start", "end", "reference", "other", "text", "decision"])
    return list(paths.values())
