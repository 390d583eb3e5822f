"""The report people read: one self-contained HTML file and a Markdown twin. Layout only, no computation.

A :class:`Report` is a title and a list of :class:`Section` s; each section holds paragraphs, tables, figures
(PNG files, embedded as data URIs in HTML and linked in Markdown) and quotes. The stage that computes results
(:mod:`nlp.study`) builds the sections; this module only renders them.
"""

from __future__ import annotations

import base64
import html
import math
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .model import atomic_write_text

__all__ = ["Figure", "Quote", "Report", "Section", "Table", "render_html", "render_markdown", "write_report"]


@dataclass(frozen=True)
class Table:
    """A table of plain values; floats are shown with ``digits`` decimals."""

    columns: Sequence[str]
    rows: Sequence[Sequence[Any]]
    caption: str = ""
    digits: int = 3


@dataclass(frozen=True)
class Figure:
    """A PNG image on disk with a caption (alt text for screen readers comes from the caption)."""

    path: Path
    caption: str


@dataclass(frozen=True)
class Quote:
    """A quoted excerpt with where it comes from (speaker, source) and an optional note (e.g. scores)."""

    text: str
    attribution: str
    note: str = ""


@dataclass(frozen=True)
class Section:
    title: str
    anchor: str
    paragraphs: Sequence[str] = ()
    tables: Sequence[Table] = ()
    figures: Sequence[Figure] = ()
    quotes: Sequence[Quote] = ()
    subsections: Sequence[Section] = ()


@dataclass(frozen=True)
class Report:
    title: str
    subtitle: str
    sections: Sequence[Section] = field(default_factory=tuple)


def _fmt(value: Any, digits: int) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        if math.isnan(value):  # say so instead of printing a number
            return "n/a"
        return f"{value:.{digits}f}"
    return str(value)


_CSS = """
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;max-width:1100px;margin:2rem auto;
padding:0 1rem;color:#1d1d1f;line-height:1.5}
h1{font-size:1.9rem;margin-bottom:.2rem}h2{border-bottom:2px solid #dde;padding-bottom:.2rem;margin-top:2.4rem}
.subtitle{color:#555;margin-top:0}nav ol{columns:2}table{border-collapse:collapse;margin:.8rem 0 1.4rem;
font-size:.9rem}th,td{border:1px solid #ccd;padding:.25rem .55rem;text-align:left;vertical-align:top}
th{background:#f0f2f7}td.num{text-align:right;font-variant-numeric:tabular-nums}caption{text-align:left;
font-weight:600;padding:.3rem 0}figure{margin:1rem 0}figure img{max-width:100%;border:1px solid #eee}
figcaption{font-size:.9rem;color:#444}blockquote{border-left:4px solid #8aa4d6;margin:.8rem 0;padding:.3rem .9rem;
background:#f7f9fd}blockquote footer{font-size:.85rem;color:#555}.note{font-size:.85rem;color:#666}
"""


def _html_table(t: Table) -> str:
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in t.columns)
    body = []
    for row in t.rows:
        cells = []
        for v in row:
            cls = ' class="num"' if isinstance(v, (int, float)) and not isinstance(v, bool) else ""
            cells.append(f"<td{cls}>{html.escape(_fmt(v, t.digits))}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    cap = f"<caption>{html.escape(t.caption)}</caption>" if t.caption else ""
    return f"<table>{cap}<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _html_section(s: Section, level: int) -> str:
    parts = [f'<section id="{html.escape(s.anchor)}"><h{level}>{html.escape(s.title)}</h{level}>']
    parts += [f"<p>{html.escape(p)}</p>" for p in s.paragraphs]
    parts += [_html_table(t) for t in s.tables]
    for f in s.figures:
        data = base64.b64encode(Path(f.path).read_bytes()).decode("ascii")
        cap = html.escape(f.caption)
        parts.append(
            f'<figure><img src="data:image/png;base64,{data}" alt="{cap}"><figcaption>{cap}</figcaption>'
            "</figure>"
        )
    for q in s.quotes:
        note = f' <span class="note">{html.escape(q.note)}</span>' if q.note else ""
        parts.append(
            f"<blockquote><p>{html.escape(q.text)}</p><footer>{html.escape(q.attribution)}{note}</footer>"
            "</blockquote>"
        )
    parts += [_html_section(sub, min(level + 1, 6)) for sub in s.subsections]
    parts.append("</section>")
    return "\n".join(parts)


def render_html(report: Report) -> str:
    """Render a self-contained HTML page (styles inline, images as data URIs, no scripts, no network)."""
    nav = "".join(
        f'<li><a href="#{html.escape(s.anchor)}">{html.escape(s.title)}</a></li>' for s in report.sections
    )
    body = "\n".join(_html_section(s, 2) for s in report.sections)
    return (
        '<!DOCTYPE html>\n<html lang="no"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(report.title)}</title><style>{_CSS}</style></head><body>"
        f'<header><h1>{html.escape(report.title)}</h1><p class="subtitle">{html.escape(report.subtitle)}</p>'
        f"<nav><ol>{nav}</ol></nav></header>\n<main>{body}</main></body></html>\n"
    )


def _md_cell(value: Any, digits: int) -> str:
    return _fmt(value, digits).replace("|", "\\|").replace("\n", " ")


def _md_section(s: Section, level: int, base: Path) -> list[str]:
    lines = [f"{'#' * level} {s.title}", ""]
    for p in s.paragraphs:
        lines += [p, ""]
    for t in s.tables:
        if t.caption:
            lines += [f"**{t.caption}**", ""]
        lines.append("| " + " | ".join(str(c) for c in t.columns) + " |")
        lines.append("|" + "---|" * len(t.columns))
        lines += ["| " + " | ".join(_md_cell(v, t.digits) for v in row) + " |" for row in t.rows]
        lines.append("")
    for f in s.figures:
        rel = os.path.relpath(Path(f.path).resolve(), base.resolve())
        lines += [f"![{f.caption}]({Path(rel).as_posix()})", "", f"*{f.caption}*", ""]
    for q in s.quotes:
        note = f" ({q.note})" if q.note else ""
        lines += [f"> {q.text}", ">", f"> — {q.attribution}{note}", ""]
    for sub in s.subsections:
        lines += _md_section(sub, min(level + 1, 6), base)
    return lines


def render_markdown(report: Report, *, base: Path) -> str:
    """Render Markdown; figure links are relative to ``base`` (the folder the Markdown file is written to)."""
    lines = [f"# {report.title}", "", f"_{report.subtitle}_", ""]
    for s in report.sections:
        lines += _md_section(s, 2, base)
    return "\n".join(lines).rstrip() + "\n"


def write_report(report: Report, out_dir: str | Path, *, stem: str = "report") -> tuple[Path, Path]:
    """Write ``<stem>.html`` and ``<stem>.md`` into ``out_dir`` atomically; returns both paths."""
    out_dir = Path(out_dir)
    html_path, md_path = out_dir / f"{stem}.html", out_dir / f"{stem}.md"
    atomic_write_text(html_path, render_html(report))
    atomic_write_text(md_path, render_markdown(report, base=out_dir))
    return html_path, md_path
