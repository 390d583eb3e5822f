"""CLI verb ``nlp ingest``: read transcripts (files and folders) into one JSONL corpus, with a summary table."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..codebook import Codebook
from ..ingest import ingest_paths
from ..model import write_jsonl
from ..refi import load_codebook
from . import app
from .reading import ReadOptions, reads_files, report_unread

__all__ = ["ingest"]


@app.command("ingest")
@reads_files()
def ingest(
    paths: Annotated[
        list[Path],
        typer.Argument(help="Transcript files or folders (read recursively, sorted).", show_default=False),
    ],
    out: Annotated[
        Path,
        typer.Option(
            "--out", "-o", help="Output JSONL corpus (one transcript per line, written atomically)."
        ),
    ],
    include_interviewer: Annotated[
        bool,
        typer.Option(
            "--include-interviewer",
            help="Count the interviewer's turns as analysis text (they are always kept and "
            "marked kind=question).",
        ),
    ] = False,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="Print only the totals and the problems.")
    ] = False,
    *,
    reading: ReadOptions,
) -> None:
    """Read transcripts (.txt, .docx, .vtt, .srt, .csv, .jsonl, .qdpx, PDF-extracted text) into a JSONL corpus.

    Speaker turns become segments (interviewer: question, informant: answer); timestamps become segment times;
    the encoding is detected and mojibake repaired. Prints per file: segments, speakers, characters in vs kept,
    encoding and warnings. Files that cannot be read are listed at the end and the exit status is 1. A REFI-QDA
    project's code tree (hierarchy, colours, folders, memos) is written beside the output as OUT.codebook.yaml.
    """
    result = ingest_paths(paths, include_interviewer=include_interviewer, **reading.kwargs())
    n = write_jsonl(out, result.transcripts)
    codebooks = _write_project_codebooks(
        out, [f.path for f in result.files if f.kind == "qdpx" and not f.error]
    )

    if not quiet:
        header = (
            f"{'file':<40} {'kind':<8} {'segs':>5} {'spk':>4} {'chars in':>9} {'kept':>9} {'analysis':>9}"
            f"  encoding"
        )
        typer.echo(header)
        typer.echo("-" * len(header))
        for f in result.files:
            name = _short(f.path, 40)
            if f.error:
                typer.echo(f"{name:<40} {f.kind or '?':<8} {'ERROR':>5}")
                continue
            typer.echo(
                f"{name:<40} {f.kind or '?':<8} {f.segments:>5} {f.speakers:>4} {f.chars_in:>9} "
                f"{f.chars_kept:>9} {f.chars_analysis:>9}  {f.encoding or ''}"
            )
            for w in f.warnings:
                typer.secho(f"    warning: {w.removeprefix(f.path + ': ')}", fg=typer.colors.YELLOW)
    tot_in = sum(f.chars_in for f in result.files)
    tot_kept = sum(f.chars_kept for f in result.files)
    tot_an = sum(f.chars_analysis for f in result.files)
    typer.echo(
        f"{n} transcript(s) from {len(result.files) - len(result.errors)} file(s) -> {out}; characters in "
        f"{tot_in}, kept {tot_kept} ({_pct(tot_kept, tot_in)}), analysis {tot_an} ({_pct(tot_an, tot_in)})."
    )
    for path, book, written in codebooks:
        typer.echo(f"code tree of {path}: {len(book.codes)} codes -> {written}")
    for path, why in result.skipped:
        typer.echo(f"skipped {path}: {why}")
    report_unread(result.errors)


def _write_project_codebooks(out: Path, projects: list[str]) -> list[tuple[str, Codebook, Path]]:
    """Write the code trees of the ingested REFI-QDA projects beside ``out`` as ``OUT.codebook.yaml`` (which
    ``nlp.corpora.load_path`` finds): one tree, or the union when the projects' codes do not clash; else one
    ``OUT.<project>.codebook.yaml`` each."""
    books = [(p, load_codebook(p)) for p in projects]
    if not books:
        return []
    codes: dict[str, object] = {}
    polarity: list[str] = []
    for _, book in books:
        polarity += [v for v in book.polarity if v not in polarity]
        for code in book.codes:
            if codes.setdefault(code.id, code) != code:
                codes = {}
                break
        else:
            continue
        break
    if codes:
        first = books[0][1]
        merged = (
            first
            if len(books) == 1
            else Codebook(
                name=out.stem,
                codes=tuple(codes.values()),
                polarity=tuple(polarity),
                # the first project's GUID of a polarity code where two give one
                polarity_guids={k: g for _, b in reversed(books) for k, g in b.polarity_guids.items()},
            )
        )
        target = out.with_name(f"{out.stem}.codebook.yaml")
        merged.save(target)
        return [(p, b, target) for p, b in books]
    written = []
    for p, b in books:
        target = out.with_name(f"{out.stem}.{Path(p).stem}.codebook.yaml")
        b.save(target)
        written.append((p, b, target))
    return written


def _short(path: str, width: int) -> str:
    return path if len(path) <= width else "…" + path[-(width - 1) :]


def _pct(a: int, b: int) -> str:
    return f"{100 * a / b:.1f}%" if b else "-"
