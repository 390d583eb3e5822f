"""Write a topic summary (and a K sweep) as JSON, CSV tables, a Markdown summary and PNG plots, atomically."""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .. import plots as P
from ..model import atomic_write_text, atomic_writer
from ..segment import left_out_text
from .quality import SweepResult
from .summary import TopicSummary

__all__ = ["render_markdown", "write_topic_outputs"]


def _write_csv(path: Path, header: Sequence[str], rows: Sequence[Sequence[Any]]) -> Path:
    with atomic_writer(path) as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(header)
        w.writerows(["" if v is None else v for v in r] for r in rows)
    return path


def _short_label(t: dict[str, Any], n: int = 3) -> str:
    return f"{t['id']}: " + " ".join(w["word"] for w in t["words"][:n])


def _md_escape(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def render_markdown(summary: TopicSummary, *, sweep: SweepResult | None = None, title: str = "Topics") -> str:
    """The human-readable summary (``topics.md``)."""
    m, q = summary.model, summary.quality
    out = [f"# {title}", ""]
    out.append(
        f"{m['type']} with K = {m['n_topics']} on {summary.n_documents} documents "
        f"({summary.n_empty_documents} without vocabulary words, left out of the tables); "
        f"vocabulary {m['vocabulary_size']} lemmas."
    )
    left_out = summary.extra.get("not_content", {}).get("left_out")
    if left_out is not None:
        out.append(
            f"Left out as not interview content (interviewer turns, one- or two-word turns, contact details, "
            f"headers; `--include-not-content` keeps them): {left_out_text(left_out)}."
        )
    params = ", ".join(f"{k}={v}" for k, v in sorted(m["params"].items()))
    out += ["", f"Parameters: {params}.", ""]
    stab = "not measured" if q.get("stability") is None else f"{q['stability']:.3f}"
    out.append(
        f"Quality: coherence c_npmi {q['c_npmi']:.3f}, c_v {q['c_v']:.3f} (on this corpus's own lemmas), "
        f"topic diversity {q['diversity']:.3f}, stability across seeds {stab}."
    )
    if summary.codes.get("nmi") is not None:
        out.append(
            f"Agreement of the dominant topic with {summary.codes['coder']}'s codes: "
            f"NMI {summary.codes['nmi']:.3f} ({summary.codes['n_coded_documents']} coded documents)."
        )
    if m.get("seed_words"):
        out.append(
            "Guided: seeded topics start from codebook words and words learned from the manual coding; "
            "agreement with the coder the words were learned from is not an independent check (compare "
            "with another coder)."
        )
    if sweep is not None:
        out += [
            "",
            "## Number of topics",
            "",
            "| K | c_npmi | c_v | stability | diversity |",
            "|---|---|---|---|---|",
        ]
        for r in sweep.table():
            st = "" if r["stability"] is None else f"{r['stability']:.3f}"
            mark = " **(recommended)**" if r["k"] == sweep.recommended_k else ""
            out.append(
                f"| {r['k']}{mark} | {r['c_npmi']:.3f} | {r['c_v']:.3f} | {st} | {r['diversity']:.3f} |"
            )
        out += [
            "",
            (
                f"Seeds: {', '.join(map(str, sweep.seeds))}. The recommendation maximises the mean of the "
                "min-max-scaled metrics; read the topics before trusting it. See `k_sweep.png`."
            ),
        ]
    out += ["", "## Topics", ""]
    for t in summary.topics:
        out += [f"### Topic {t['id']}: {t['label']}", ""]
        out.append(
            f"Prevalence {t['prevalence']:.3f}; dominant in {t['n_dominant']} documents; "
            f"c_npmi {t['c_npmi']:.3f}, c_v {t['c_v']:.3f}."
        )
        out += ["", "Top words: " + ", ".join(f"{w['word']} ({w['weight']:.3f})" for w in t["words"]) + "."]
        out.append("Most distinctive (relevance, lambda 0.6): " + ", ".join(t["distinctive_words"]) + ".")
        if t["bigrams"]:
            out.append("Bigrams: " + ", ".join(t["bigrams"]) + ".")
        if t.get("top_codes"):
            names = summary.codes.get("names", {})
            out.append(
                "Codes most over-represented: "
                + ", ".join(
                    f"{names.get(c['code'], c['code'])} (lift {c['lift']:.2f})" for c in t["top_codes"]
                )
                + "."
            )
        out += ["", "Representative excerpts:", ""]
        for e in t["excerpts"]:
            who = ", ".join(x for x in (e["speaker"], e["source"] or e["transcript_id"]) if x)
            text = _md_escape(e["text"])
            text = text if len(text) <= 400 else text[:399] + "…"
            out.append(f'- "{text}" ({who}; `{e["doc_id"]}`, weight {e["weight"]:.2f})')
        out.append("")
    case = summary.prevalence.get("case", {})
    if case:
        K = len(summary.topics)
        out += [
            "## Prevalence by case",
            "",
            "| case | n | " + " | ".join(f"T{k}" for k in range(K)) + " |",
            "|---|---|" + "---|" * K,
        ]
        for g, row in case.items():
            out.append(
                f"| {_md_escape(g)} | {row['n_documents']} | "
                + " | ".join(f"{x:.2f}" for x in row["weights"])
                + " |"
            )
        out += ["", "Per transcript, informant and language: `prevalence_*.csv`.", ""]
    if summary.codes.get("codes"):
        K = len(summary.topics)
        out += [
            f"## Topics and manual codes ({summary.codes['coder']})",
            "",
            (
                "Mean topic weight in the documents with each code (lift over the topic's overall weight in "
                "`topic_codes_lift.csv`)."
            ),
            "",
            "| code | n | " + " | ".join(f"T{k}" for k in range(K)) + " |",
            "|---|---|" + "---|" * K,
        ]
        for c, n, row in zip(
            summary.codes["codes"], summary.codes["n_documents"], summary.codes["mean_topic_weight"]
        ):
            out.append(
                f"| {_md_escape(summary.codes['names'][c])} | {n} | "
                + " | ".join(f"{x:.2f}" for x in row)
                + " |"
            )
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def write_topic_outputs(
    summary: TopicSummary,
    out_dir: str | Path,
    *,
    sweep: SweepResult | None = None,
    plots: bool = True,
    title: str = "Topics",
) -> list[Path]:
    """Write everything into ``out_dir``; returns the paths written (each file atomically).

    Files: ``topics.json`` (all of it), ``topics.csv``, ``top_words.csv``, ``excerpts.csv``, ``doc_topics.csv``,
    ``prevalence_{transcript,informant,case,language}.csv``, ``topic_codes.csv`` and ``topic_codes_lift.csv``
    (when codes are known), ``k_sweep.csv`` (with a sweep), ``topics.md`` and the plots ``top_words.png``,
    ``prevalence_case.png``, ``topic_codes.png``, ``k_sweep.png``.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    K = len(summary.topics)
    tcols = [f"topic_{k}" for k in range(K)]
    written: list[Path] = []
    data = summary.to_dict()
    if sweep is not None:
        data["k_sweep"] = {"rows": sweep.table(), "recommended_k": sweep.recommended_k, "seeds": sweep.seeds}
    p = out / "topics.json"
    atomic_write_text(p, json.dumps(data, ensure_ascii=False, indent=2) + "\n")
    written.append(p)
    written.append(
        _write_csv(
            out / "topics.csv",
            ["topic", "label", "seed", "prevalence", "n_dominant", "c_npmi", "c_v", "top_words"],
            [
                [
                    t["id"],
                    t["label"],
                    t["seed"],
                    t["prevalence"],
                    t["n_dominant"],
                    t["c_npmi"],
                    t["c_v"],
                    " ".join(w["word"] for w in t["words"]),
                ]
                for t in summary.topics
            ],
        )
    )
    written.append(
        _write_csv(
            out / "top_words.csv",
            ["topic", "rank", "word", "weight"],
            [
                [t["id"], r + 1, w["word"], w["weight"]]
                for t in summary.topics
                for r, w in enumerate(t["words"])
            ],
        )
    )
    written.append(
        _write_csv(
            out / "excerpts.csv",
            [
                "topic",
                "rank",
                "doc_id",
                "transcript_id",
                "speaker",
                "source",
                "group",
                "lang",
                "start",
                "end",
                "weight",
                "text",
            ],
            [
                [
                    t["id"],
                    r + 1,
                    e["doc_id"],
                    e["transcript_id"],
                    e["speaker"],
                    e["source"],
                    e["group"],
                    e["lang"],
                    e["start"],
                    e["end"],
                    e["weight"],
                    e["text"],
                ]
                for t in summary.topics
                for r, e in enumerate(t["excerpts"])
            ],
        )
    )
    written.append(
        _write_csv(
            out / "doc_topics.csv",
            ["doc_id", "transcript_id", "group", "speaker", "lang", "n_words", "dominant_topic", *tcols],
            [
                [
                    d["id"],
                    d["transcript_id"],
                    d["group"],
                    d["speaker"],
                    d["lang"],
                    d["n_words"],
                    d["dominant_topic"],
                    *d["weights"],
                ]
                for d in summary.documents
            ],
        )
    )
    for by, groups in summary.prevalence.items():
        written.append(
            _write_csv(
                out / f"prevalence_{by}.csv",
                [by, "n_documents", *tcols],
                [[g, row["n_documents"], *row["weights"]] for g, row in groups.items()],
            )
        )
    codes = summary.codes
    if codes.get("codes"):
        for name, key in (("topic_codes.csv", "mean_topic_weight"), ("topic_codes_lift.csv", "lift")):
            written.append(
                _write_csv(
                    out / name,
                    ["code", "name", "n_documents", *tcols],
                    [
                        [c, codes["names"][c], n, *row]
                        for c, n, row in zip(codes["codes"], codes["n_documents"], codes[key])
                    ],
                )
            )
    if sweep is not None:
        rows = sweep.table()
        written.append(
            _write_csv(
                out / "k_sweep.csv",
                ["k", "c_npmi", "c_v", "stability", "diversity"],
                [[r["k"], r["c_npmi"], r["c_v"], r["stability"], r["diversity"]] for r in rows],
            )
        )
    p = out / "topics.md"
    atomic_write_text(p, render_markdown(summary, sweep=sweep, title=title))
    written.append(p)
    if plots:
        labels = [_short_label(t) for t in summary.topics]
        written.append(
            P.plot_top_words(
                [(t["label"], [(w["word"], w["weight"]) for w in t["words"]]) for t in summary.topics],
                out / "top_words.png",
            )
        )
        case = summary.prevalence.get("case", {})
        if case:
            written.append(
                P.plot_heatmap(
                    [row["weights"] for row in case.values()],
                    list(case),
                    labels,
                    out / "prevalence_case.png",
                    title="Topic prevalence by case",
                    xlabel="topic",
                    ylabel="case",
                )
            )
        if codes.get("codes"):
            written.append(
                P.plot_heatmap(
                    codes["mean_topic_weight"],
                    [codes["names"][c] for c in codes["codes"]],
                    labels,
                    out / "topic_codes.png",
                    title=f"Mean topic weight by manual code ({codes['coder']})",
                    xlabel="topic",
                    ylabel="code",
                )
            )
        if sweep is not None:
            rows = sweep.table()
            written.append(
                P.plot_k_sweep(
                    [r["k"] for r in rows],
                    {m: [r[m] for r in rows] for m in ("c_npmi", "c_v", "stability", "diversity")},
                    out / "k_sweep.png",
                    recommended=sweep.recommended_k,
                )
            )
    return written
