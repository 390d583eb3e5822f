"""CLI verbs: ``nlp corpus list`` and ``nlp corpus info NAME`` (bundled and user corpora)."""

from __future__ import annotations

from typing import Annotated

import typer

from ..corpora import available, corpora_root, describe, load
from . import app

corpus_app = typer.Typer(
    help="Coded corpora: list the bundled ones, show counts of units, languages, codes, "
    "polarity and code co-occurrence.",
    no_args_is_help=True,
)
app.add_typer(corpus_app, name="corpus")


def _render(rows: list[list[object]], *, abbreviate: bool = False) -> str:
    if abbreviate:  # co-occurrence: number the columns so the table fits a terminal
        head = rows[0]
        rows = [
            [head[0], *[str(i + 1) for i in range(len(head) - 1)]],
            *[[f"{i + 1} {r[0]}", *r[1:]] for i, r in enumerate(rows[1:])],
        ]
    cells = [[str(c) for c in r] for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(cells[0]))]
    lines = []
    for n, r in enumerate(cells):
        lines.append(
            "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths)))
        )
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


@corpus_app.command("list")
def list_corpora() -> None:
    """List the bundled corpora (folder: corpora/ beside the package, or $KLYNGEKODER_CORPORA)."""
    names = available()
    if not names:
        typer.echo(f"no corpora in {corpora_root()}")
        return
    rows: list[list[object]] = [["name", "transcripts", "units", "coders", "codes"]]
    for name in names:
        c = load(name)
        rows.append([name, len(c.transcripts), len(c.units()), ", ".join(c.coders), len(c.codebook)])
    typer.echo(_render(rows))


@corpus_app.command("info")
def info(
    name: Annotated[
        str,
        typer.Argument(help="A bundled corpus name (e.g. klynger), a corpus folder or a coded .jsonl file."),
    ],
    coder: Annotated[
        list[str] | None, typer.Option("--coder", help="Only these coders (repeatable); default: all.")
    ] = None,
    cooccurrence: Annotated[
        bool,
        typer.Option(
            "--cooccurrence/--no-cooccurrence", help="Also print the code co-occurrence table per coder."
        ),
    ] = True,
) -> None:
    """Print tables for a coded corpus: units per transcript and language, codes and polarity per coder, and how
    often two codes are given to the same unit."""
    corpus = load(name)
    tables = describe(corpus, coders=coder or None)
    typer.echo(
        f"corpus {corpus.name}: {len(corpus.transcripts)} transcripts, {tables['transcripts'][-1][1]} units, "
        f"coders {', '.join(coder or corpus.coders)}, codebook {corpus.codebook.name} "
        f"({len(corpus.codebook)} codes)\n"
    )
    typer.echo("Units per transcript, language and kind\n" + _render(tables["transcripts"]) + "\n")
    typer.echo("Units per concept code and coder\n" + _render(tables["codes"]) + "\n")
    typer.echo("Units per polarity and coder\n" + _render(tables["polarity"]) + "\n")
    if cooccurrence:
        for key, rows in tables.items():
            if key.startswith("cooccurrence:"):
                typer.echo(
                    f"Code co-occurrence ({key.split(':', 1)[1]}): units coded with both; diagonal = "
                    "units with the code\n" + _render(rows, abbreviate=True) + "\n"
                )
