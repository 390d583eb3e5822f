"""CLI verbs ``nlp export`` and ``nlp export-codebook``: REFI-QDA exchange with NVivo, ATLAS.ti, MAXQDA, QualCoder.

Importing goes through ``nlp ingest project.qdpx`` (projects) and any ``--codebook codebook.qdc`` option (codebooks).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..codebook import load_codebook
from ..errors import ConfigError, InputError
from ..pseudonymise.replace import check_pseudonymised
from ..refi import write_qdc, write_qdpx
from . import app
from .inputs import read_inputs

__all__ = ["export", "export_codebook"]


@app.command("export")
def export(
    out: Annotated[Path, typer.Option("--out", "-o", help="The .qdpx project to write (atomically).")],
    input: Annotated[Path | None, typer.Argument(
        help="Coded transcripts: JSONL from `nlp ingest`, or a .qdpx. Leave out when using --corpus.",
        show_default=False)] = None,
    corpus: Annotated[str | None, typer.Option("--corpus", help="Export a bundled corpus instead, e.g. "
                                                                "klynger.")] = None,
    codebook: Annotated[Path | None, typer.Option(
        "--codebook", help="Codebook (.yaml or .qdc) giving the code tree; default: the corpus's, else one derived "
                           "from the codes used.")] = None,
    newline: Annotated[str, typer.Option("--newline", help="Line breaks of the written sources: lf (ATLAS.ti, "
                                                           "NVivo, QualCoder) or crlf (MAXQDA). Positions "
                                                           "follow.")] = "lf",
    coder: Annotated[list[str] | None, typer.Option(
        "--coder", help="Export only this coder's codings (a person or a model version); repeat for several. "
                        "Default: all.")] = None,
    name: Annotated[str | None, typer.Option("--name", help="Project name shown in the QDA program (default: "
                                                            "the file name).")] = None,
    require_pseudonymised: Annotated[bool, typer.Option(
        "--require-pseudonymised", help="Refuse to export transcripts not run through `nlp pseudonymise`.")] = False,
) -> None:
    """Export coded transcripts as a REFI-QDA project (.qdpx) for NVivo, ATLAS.ti, MAXQDA or QualCoder.

    Writes the plain-text sources, the code tree (polarity as a 'Polarity' code group), and every coding; each
    coder or auto-coder model version is its own user, and an auto-code's probability is in its selection's
    description, so machine codes can be reviewed in the QDA program. The project validates against the REFI-QDA
    schema; the same input gives a byte-identical file.
    """
    source = read_inputs(corpus, [input] if input is not None else [],
                         example="nlp export coded.jsonl --out project.qdpx")
    transcripts, book = list(source.transcripts), source.codebook
    if source.errors:
        raise InputError(source.errors[0][1])
    if codebook is not None:
        book = load_codebook(codebook)
    if require_pseudonymised:
        check_pseudonymised(transcripts)
    if coder:
        known = sorted({c.coder for t in transcripts for c in t.codes})
        unknown = [c for c in coder if c not in known]
        if unknown:
            raise ConfigError(f"--coder {', '.join(unknown)}: no codings by that coder (coders: "
                              f"{', '.join(known) or 'none'}).", fix="use one of the coders listed.")
    summary = write_qdpx(out, transcripts, book, newline=newline, name=name, coders=coder or None)
    typer.echo(f"wrote {summary.path}: {summary.sources} sources, {summary.codings} codings "
               f"({summary.auto_codings} auto) by {len(summary.users)} users ({', '.join(summary.users) or '-'}), "
               f"{summary.codes} codes, {newline.upper()} line breaks.")


@app.command("export-codebook")
def export_codebook(
    codebook: Annotated[Path, typer.Argument(help="Codebook to convert (.yaml or .qdc).", show_default=False)],
    out: Annotated[Path, typer.Option("--out", "-o", help="The .qdc codebook to write (atomically).")],
) -> None:
    """Export a codebook as a REFI-QDA codebook (.qdc) to import into NVivo, ATLAS.ti, MAXQDA or QualCoder.

    Codes keep their hierarchy and definitions; the polarity values become a 'Polarity' code group.
    """
    book = load_codebook(codebook)
    write_qdc(out, book)
    typer.echo(f"wrote {out}: {len(book.codes)} codes and {len(book.polarity)} polarity values.")
