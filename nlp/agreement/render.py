"""Render a :class:`~nlp.agreement.comparison.Comparison`: methods paragraph, Markdown tables, CSV/JSON files, disagreements.

No computation happens here: every number comes from the comparison.
"""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path

from ..model import atomic_write_text, atomic_writer, concept_codes
from .tables import MAX_DROPPED_SHARE, Comparison, Stat

__all__ = ["NAMES", "markdown_report", "markdown_table", "methods_paragraph", "write_comparison"]

NAMES = {
    "percent_agreement": "Percent agreement",
    "cohen_kappa": "Cohen's kappa",
    "scott_pi": "Scott's pi",
    "krippendorff_alpha": "Krippendorff's alpha (nominal)",
    "gwet_ac1": "Gwet's AC1",
    "brennan_prediger": "Brennan-Prediger",
    "fleiss_kappa": "Fleiss' kappa",
    "micro_precision": "Precision (micro)",
    "micro_recall": "Recall (micro)",
    "micro_f1": "F1 (micro)",
    "macro_f1": "F1 (macro)",
    "mean_code_kappa": "Cohen's kappa (mean over codes)",
    "conger_kappa": "Conger's kappa",
}
#: Names with the subset they are computed on, where that differs between coefficients (tables, CSV).
_SUBSET_NAMES = {"fleiss_kappa": "Fleiss' kappa (units coded by every coder)"}
_UNIT_WORDS = {
    "segment": "segments (speaker turns or excerpts)",
    "sentence": "sentences",
    "character": "characters",
}


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


def _plural(n: int, word: str, words: str | None = None) -> str:
    return f"{n} {word if n == 1 else words or word + 's'}"


def _groups_sentence(result: Comparison) -> str:
    """What the bootstrap resamples, said as the data define it (never assumed to be interviews)."""
    g = result.groups or {}
    n, n_t = result.n_groups, result.n_transcripts
    if result.unit == "character":
        what = (
            f"the {_plural(n, 'source')} (transcripts)"
            if g.get("from") == "transcript id"
            else f"{_plural(n, 'source group')} (transcripts' group)"
        )
    elif g.get("from") == "transcript id":
        what = f"whole transcripts ({_plural(n, 'group')}, one per transcript)"
    else:
        field_ = "segment" if g.get("from") == "segment" else "transcript"
        kinds = g.get("kinds") or {}
        detail = "; ".join(f"{k}: {c}" for k, c in sorted(kinds.items(), key=lambda kv: (-kv[1], kv[0])))
        what = (
            f"{_plural(n, 'group')} of units as the data define them (the {field_}s' meta 'group'"
            f"{': ' + detail if detail else ''})"
        )
        if g.get("nested"):
            what += (
                f", nested in {_plural(n_t, 'transcript')}; the bootstrap does not resample the transcripts "
                f"themselves, so what groups of one transcript share is not in the intervals"
            )
    docs = g.get("documents") or {}
    if docs:
        what += "; " + "; ".join(
            f"{_plural(c, 'transcript')} {'is' if c == 1 else 'are each'} {d}"
            for d, c in sorted(docs.items())
        )
    return what


def _bootstrap_sentences(result: Comparison) -> list[str]:
    level, out = result.confidence, []
    what = _groups_sentence(result)
    if result.no_ci_reason:
        out.append(
            f"Units are grouped into {what}. No confidence intervals are given: {result.no_ci_reason}."
        )
    else:
        out.append(
            f"Intervals are {level:.0%} percentile bootstrap intervals ({result.n_boot} replicates, seed "
            f"{result.random_state}) that resample groups of units rather than units, because units of one "
            f"group are not independent; the groups are {what}."
        )
    sizes = list((result.groups or {}).get("sizes", {}).values())
    if len(sizes) >= 2 and not math.isnan(result.effective_groups):
        unit = "characters" if result.unit == "character" else "units"
        share = max(sizes) / sum(sizes)
        text = (
            f"The {len(sizes)} groups are worth about {result.effective_groups:.1f} equally large ones (Kish's "
            f"effective number, (sum w)^2 / sum w^2 with w = {unit} per group; the largest holds {share:.0%} of "
            f"the {unit})"
        )
        if result.effective_groups < 10 and not result.no_ci_reason:
            text += (
                "; with so few effective groups the intervals are rough and probably too narrow, so read them "
                "as a lower bound on the uncertainty"
            )
        out.append(text + ".")
    if not result.no_ci_reason and result.n_boot:
        dropped = [s for s in result.stats if s.n_dropped]
        codes = [
            (r.get("kappa_boot_dropped", 0), r["code"])
            for r in result.per_code
            if r.get("kappa_boot_dropped")
        ]
        if not dropped and not codes:
            out.append("Every coefficient was defined in every replicate.")
        else:
            parts = []
            if dropped:
                worst = max(dropped, key=lambda s: s.n_dropped)
                parts.append(
                    f"{_plural(len(dropped), 'overall figure')} (most: {NAMES.get(worst.name, worst.name)} "
                    f"for {worst.target}, {worst.n_dropped} of {result.n_boot})"
                )
            if codes:
                k, code = max(codes)
                parts.append(
                    f"the per-code kappa of {_plural(len(codes), 'code')} (most: {code}, {k} of "
                    f"{result.n_boot})"
                )
            out.append(
                f"Replicates in which a coefficient was undefined (e.g. a code absent from the resample) were "
                f"left out of its interval and counted: {' and '.join(parts)}; above "
                f"{MAX_DROPPED_SHARE:.0%} the warnings name the figure."
            )
    return out


def methods_paragraph(result: Comparison) -> str:
    """A methods-section paragraph: units and how codes became unit labels, who coded, what was left out, the
    coefficients with CIs, what the bootstrap resamples (and how many effective groups that is), dropped replicates.

    Examples
    --------
    >>> from nlp.model import CodeSpan, Segment, Transcript
    >>> from nlp.agreement.comparison import compare
    >>> codes = (CodeSpan("polarity:driver", 0, 13, "A"), CodeSpan("polarity:driver", 0, 13, "B"))
    >>> t = Transcript("i1", "Vi deler alt.", segments=(Segment(0, 13),), codes=codes)
    >>> text = methods_paragraph(compare([t], unit="segment", reference="A", others=["B"], n_boot=0))
    >>> print(text.split(". ")[0])  # doctest: +NORMALIZE_WHITESPACE
    Agreement was measured on 1 segment (speaker turns or excerpts) from 1 transcript, with A as the reference coding
    """
    level = result.confidence
    unit_word = _UNIT_WORDS[result.unit]
    if result.n_units == 1:
        unit_word = (
            unit_word.replace("segments", "segment")
            .replace("sentences", "sentence")
            .replace("characters", "character")
        )
    source = _plural(result.n_transcripts, "transcript")
    parts = [
        (
            f"Agreement was measured on {result.n_units} {unit_word} from {source}, with {result.reference} as "
            f"the reference coding."
        )
    ]
    if result.unit_rule:
        parts.append(f"Code spans became unit labels by this rule: {result.unit_rule}.")
    if result.unit == "character" and result.nvivo_kappa:
        parts.append(
            "Per code and source, kappa was set to 1 where the coders agreed on every character (as where "
            "neither used the code), following NVivo; without that convention it is undefined there."
        )
    for coder, note in result.coder_notes.items():
        parts.append(f"The coding {coder}: {note.rstrip('.')}.")
    for k, n in result.excluded.items():
        parts.append(f"Left out: {n} {k}.")
    for other in result.others:
        try:
            pk = result.get("polarity", "cohen_kappa", other)
            labels = ", ".join(result.polarity_labels) if result.polarity_labels else "its values"
            parts.append(
                f"For polarity ({labels}; {pk.n_units} units coded by both), {other} agreed with "
                f"{result.reference} at Cohen's kappa {_with_ci(pk, level)}, Krippendorff's alpha (nominal) "
                f"{_with_ci(result.get('polarity', 'krippendorff_alpha', other), level)}, Gwet's AC1 "
                f"{_with_ci(result.get('polarity', 'gwet_ac1', other), level)} and percent agreement "
                f"{_with_ci(result.get('polarity', 'percent_agreement', other), level)}."
                if result.unit != "character"
                else f"For the polarity codes, each coded as present/absent per character, {other} agreed with "
                f"{result.reference} at pooled Cohen's kappa {_with_ci(pk, level)}."
            )
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
                f"of the per-code kappas {_with_ci(result.get('concepts', 'mean_code_kappa', other), level)}."
            )
        except KeyError:
            pass
    multi = [s for s in result.stats if s.other == "all"]
    if multi:
        by = {s.name: s for s in multi}
        rest = [
            f"{NAMES.get(k, k).replace('Percent', 'percent')} {_with_ci(by[k], level)}"
            for k in (
                "percent_agreement",
                "gwet_ac1",
                "brennan_prediger",
                "conger_kappa",
                "krippendorff_alpha",
            )
            if k in by
        ]
        text = (
            f"Across all {len(result.others) + 1} coders, polarity agreement with missing values allowed (Gwet "
            f"2014; {by['gwet_ac1'].n_units if 'gwet_ac1' in by else 0} units coded by at least two) was "
            + ", ".join(rest)
        )
        if "fleiss_kappa" in by:
            text += (
                f"; Fleiss' kappa, computed on the {by['fleiss_kappa'].n_units} units coded by every coder, was "
                f"{_with_ci(by['fleiss_kappa'], level)}"
            )
        parts.append(text + ".")
    parts += _bootstrap_sentences(result)
    parts.append(
        "Kappa-type coefficients correct percent agreement for chance; with very frequent or very rare "
        "codes they can be low despite high agreement, so the prevalence index and Gwet's AC1 are "
        "reported beside them."
    )
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
    level = f"{result.confidence:.0%} CI" if not result.no_ci_reason else "CI (none given: see Methods)"
    lines = [f"| Target | Coders | Coefficient | Value | {level} | n |", "|---|---|---|---:|---|---:|"]
    for s in result.stats:
        value = _f(s.value) if not math.isnan(s.value) else f"undefined: {s.reason}"
        coders = f"all {len(result.others) + 1} coders" if s.other == "all" else f"{s.reference} vs {s.other}"
        lines.append(
            f"| {s.target} | {coders} | {_SUBSET_NAMES.get(s.name, NAMES.get(s.name, s.name))} | {value} | "
            f"{_ci(s, result.confidence)} | {s.n_units} |"
        )
    return "\n".join(lines)


def _per_code_table(result: Comparison) -> str:
    rows = [r for r in result.per_code if r.get("source", "(pooled)") == "(pooled)"]
    if not rows:
        return ""

    def ci(r: dict, key: str) -> str:
        lo, hi = r.get(f"{key}_ci_low", math.nan), r.get(f"{key}_ci_high", math.nan)
        return "" if math.isnan(lo) or math.isnan(hi) else f" ({lo:.2f}–{hi:.2f})"

    lines = [
        "| Code | Coders | n ref | n other | both | % agree | kappa (CI) | AC1 | F1 (CI) | prevalence | bias |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['code']} | {r['reference']} vs {r['other']} | {r.get('n_reference', '')} | "
            f"{r.get('n_other', '')} | {r.get('n_both', '')} | {_f(r['percent_agreement'])} | "
            f"{_f(r['cohen_kappa'])}{ci(r, 'kappa')} | {_f(r.get('gwet_ac1', math.nan))} | "
            f"{_f(r.get('f1', math.nan))}{ci(r, 'f1')} | "
            f"{_f(r.get('prevalence_index', math.nan))} | {_f(r.get('bias_index', math.nan))} |"
        )
    return "\n".join(lines)


def markdown_report(result: Comparison) -> str:
    """Methods paragraph, coefficient table, per-code table, polarity confusion matrices and warnings."""
    out = [
        f"# Agreement: {result.reference} vs {', '.join(result.others)} (unit: {result.unit})",
        "",
        "## Methods",
        "",
        methods_paragraph(result),
        "",
        "## Coefficients",
        "",
        markdown_table(result),
        "",
    ]
    per_code = _per_code_table(result)
    if per_code:
        out += ["## Per code", "", per_code, ""]
    for other, cm in result.confusion.items():
        out += [
            f"## Polarity confusion matrix (rows {result.reference}, columns {other})",
            "",
            "| | " + " | ".join(cm["labels"]) + " |",
            "|---" * (len(cm["labels"]) + 1) + "|",
        ]
        out += [
            f"| {lab} | " + " | ".join(str(x) for x in row) + " |"
            for lab, row in zip(cm["labels"], cm["matrix"])
        ]
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
            w.writerow(
                {
                    k: ("" if v is None or (isinstance(v, float) and math.isnan(v)) else v)
                    for k, v in r.items()
                }
            )


def write_comparison(result: Comparison, out: str | Path) -> list[Path]:
    """Write ``results.json``, ``results.csv``, ``per_code.csv``, ``results.md`` and ``disagreements.csv``.

    NaN becomes JSON ``null``/an empty CSV cell; its reason is written beside it. Every file is written atomically.
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    paths = {
        k: out / k for k in ("results.json", "results.csv", "per_code.csv", "results.md", "disagreements.csv")
    }
    data = _clean(result.to_json())
    data.pop("disagreements")
    data["disagreements_file"] = "disagreements.csv"
    data["n_disagreements"] = len(result.disagreements)
    data["methods"] = methods_paragraph(result)
    atomic_write_text(paths["results.json"], json.dumps(data, ensure_ascii=False, indent=2) + "\n")
    _write_csv(paths["results.csv"], [vars(s) for s in result.stats])
    _write_csv(paths["per_code.csv"], result.per_code)
    atomic_write_text(paths["results.md"], markdown_report(result))
    _write_csv(
        paths["disagreements.csv"],
        result.disagreements,
        ["transcript", "unit", "group", "start", "end", "reference", "other", "text", "decision"],
    )
    return list(paths.values())
