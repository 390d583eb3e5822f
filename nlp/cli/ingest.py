"""CLI verb ``nlp ingest``: read transcripts (files and folders) into one JSONL corpus, with a summary table."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from . import app
from .reading import ReadOptions, reads_files, report_unread

__all__ = ["ingest"]


@app.command("ingest")
@reads_files()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Transcript files or folders (read recursively, sorted).",
                                                show_default=False)],
    out: Annotated[Path, typer.Option("--out", "-o", help="Output JSONL corpus (one transcript per line, written "
                                                          "atomically).")],
    include_interviewer: Annotated[bool, typer.Option(
        "--include-interviewer", help="Count the interviewer's turns as analysis text (they are always kept and "
                                      "marked kind=question).")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print only the totals and the problems.")] = False,
    *,
    reading: ReadOptions,
) -> None:
    """Read transcripts (.txt, .docx, .vtt, .srt, .csv, .jsonl, .qdpx, PDF-extracted text) into a JSONL corpus.

    Speaker turns become segments (interviewer: question, informant: answer); timestamps become segment times;
    the encoding is detected and mojibake repaired. Prints per file: segments, speakers, characters in vs kept,
    encoding and warnings. Files that cannot be read are listed at the end and the exit status is 1.
    """
    from ..ingest import ingest_paths
    from ..model import write_jsonl

    result = ingest_paths(paths, include_interviewer=include_interviewer, **reading.kwargs())
    n = write_jsonl(out, result.transcripts)

    if not quiet:
        header = f"{'file':<40} {'kind':<8} {'segs':>5} {'spk':>4} {'chars in':>9} {'kept':>9} {'analysis':>9}" \
                 f"  encoding"
        typer.echo(header)
        typer.echo("-" * len(header))
        for f in result.files:
            name = _short(f.path, 40)
            if f.error:
                typer.echo(f"{name:<40} {f.kind or '?':<8} {'ERROR':>5}")
                continue
            typer.echo(f"{name:<40} {f.kind or '?':<8} {f.segments:>5} {f.speakers:>4} {f.chars_in:>9} "
                       f"{f.chars_kept:>9} {f.chars_analysis:>9}  {f.encoding or ''}")
            for w in f.warnings:
                typer.secho(f"    warning: {w.removeprefix(f.path + ': ')}", fg=typer.colors.YELLOW)
    tot_in = sum(f.chars_in for f in result.files)
    tot_kept = sum(f.chars_kept for f in result.files)
    tot_an = sum(f.chars_analysis for f in result.files)
    typer.echo(f"{n} transcript(s) from {len(result.files) - len(result.errors)} file(s) -> {out}; characters in "
               f"{tot_in}, kept {tot_kept} ({_pct(tot_kept, tot_in)}), analysis {tot_an} ({_pct(tot_an, tot_in)}).")
    for path, why in result.skipped:
        typer.echo(f"skipped {path}: {why}")
    report_unread(result.errors)


def _short(path: str, width: int) -> str:
    return path if len(path) <= width else "…" + path[-(width - 1):]


def _pct(a: int, b: int) -> str:
    return f"{100 * a / b:.1f}%" if b else "-"
