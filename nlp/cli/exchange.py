"""CLI verbs ``nlp export`` and ``nlp export-codebook``: REFI-QDA exchange with NVivo, ATLAS.ti, MAXQDA, QualCoder.

Importing goes through ``nlp ingest project.qdpx`` (projects) and any ``--codebook`` option, which takes ``.yaml``,
``.qdc`` and ``.qdpx`` alike (:func:`nlp.refi.load_codebook`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..corpora import codebook_beside
from ..errors import ConfigError, InputError
from ..pseudonymise.replace import check_pseudonymised
from ..refi import TARGETS, load_codebook, write_qdc, write_qdpx
from . import app
from .inputs import read_inputs, read_paths
from .reading import ReadOptions, reads_files

__all__ = ["export", "export_codebook"]


@app.command("export")
@reads_files()
def export(
    out: Annotated[Path, typer.Option("--out", "-o", help="The .qdpx project to write (atomically).")],
    input: Annotated[
        Path | None,
        typer.Argument(
            help="Coded transcripts (JSONL from `nlp ingest`, or a .qdpx), or the output of `nlp tag` (.jsonl/.csv/"
            ".xlsx; the machine codes become codings). Leave out when using --corpus.",
            show_default=False,
        ),
    ] = None,
    transcripts: Annotated[
        list[Path] | None,
        typer.Option(
            "--transcripts",
            help="With `nlp tag` output: the transcripts it was tagged from (JSONL from `nlp ingest`, "
            "or the interview files); their human codings are exported beside the machine's. "
            "Default: the source files named in the tag output.",
        ),
    ] = None,
    decisions: Annotated[
        Path | None,
        typer.Option(
            "--decisions",
            help="With `nlp tag` output: an `nlp review` decision log; the reviewer's codes on reviewed "
            "segments are exported as the reviewer's codings beside the machine's.",
        ),
    ] = None,
    model_name: Annotated[
        str | None,
        typer.Option(
            "--model-name",
            help="With `nlp tag` output: the user name of the machine codings (default: the model "
            "version each record names).",
        ),
    ] = None,
    corpus: Annotated[
        str | None, typer.Option("--corpus", help="Export a bundled corpus instead, e.g. klynger.")
    ] = None,
    codebook: Annotated[
        Path | None,
        typer.Option(
            "--codebook",
            help="Codebook (.yaml, .qdc or .qdpx) giving the code tree; default: the corpus's, or the one "
            "beside INPUT (INPUT-name.codebook.yaml, codebook.yaml) or a .qdpx INPUT's own, else one derived "
            "from the codes used.",
        ),
    ] = None,
    target: Annotated[
        str,
        typer.Option(
            "--for",
            help="The program that will open the project: refi (the standard: code points), nvivo (positions "
            "in UTF-16 units, as NVivo counts), atlas, maxqda, qualcoder.",
        ),
    ] = "refi",
    newline: Annotated[
        str | None,
        typer.Option(
            "--newline",
            help="Line breaks of the written sources: lf (default for every --for; what ATLAS.ti, NVivo, "
            "QualCoder and MAXQDA 24 write) or crlf (older MAXQDA, if codes shift left by one per "
            "line on LF). Positions follow.",
        ),
    ] = None,
    coder: Annotated[
        list[str] | None,
        typer.Option(
            "--coder",
            help="Export only this coder's codings (a person or a model version); repeat for several. "
            "Default: all.",
        ),
    ] = None,
    name: Annotated[
        str | None,
        typer.Option("--name", help="Project name shown in the QDA program (default: the file name)."),
    ] = None,
    require_pseudonymised: Annotated[
        bool,
        typer.Option(
            "--require-pseudonymised", help="Refuse to export transcripts not run through `nlp pseudonymise`."
        ),
    ] = False,
    *,
    reading: ReadOptions,
) -> None:
    """Export coded transcripts as a REFI-QDA project (.qdpx) for NVivo, ATLAS.ti, MAXQDA or QualCoder.

    Writes the plain-text sources, the code tree (polarity as a 'Polarity' code group), and every coding; each
    coder or auto-coder model version is its own user, and an auto-code's probability is in its selection's
    description, so machine codes can be reviewed in the QDA program. A project imported with `nlp ingest` goes
    back with its GUIDs, colours, folders, descriptions and memos. The project validates against the REFI-QDA
    schema; the same input gives a byte-identical file.
    """
    # inside the verb: nlp.review needs scikit-learn (through nlp.classify), which `nlp --help` should not load
    from ..review import (
        attach_machine_codes,
        is_decision_log,
        is_tag_output,
        read_events,
        read_tag_output,
        reviewer_spans,
        source_transcripts,
        tagged_path_of,
    )

    if target not in TARGETS:
        raise ConfigError(f"--for {target}: not one of {', '.join(TARGETS)}.", fix="e.g. --for nvivo.")
    default_newline, positions = TARGETS[target]
    newline = newline or default_newline
    if input is not None and corpus is None and is_tag_output(input):
        records = read_tag_output(input)
        given = None
        if transcripts:
            read = read_paths(transcripts, options=reading.kwargs())
            given = list(read.transcripts)
            if read.errors:
                raise InputError(read.errors[0][1])
        base = source_transcripts(records, given)
        extra = None
        if decisions is not None:
            if not is_decision_log(decisions):
                raise InputError(
                    "not an `nlp review` decision log.",
                    path=decisions,
                    fix="pass the TAGGED.review.jsonl that `nlp review` wrote.",
                )
            events = read_events(decisions)
            if tagged_path_of(decisions, events).resolve() != input.resolve():
                raise InputError(
                    f"these decisions are about {tagged_path_of(decisions, events)}, not {input}.",
                    path=decisions,
                    fix="pass the decision log of this tagged file.",
                )
            extra = reviewer_spans(records, events)
        transcripts, book = (
            attach_machine_codes(records, base, coder=model_name, path=input, extra=extra),
            None,
        )
    else:
        if transcripts or model_name or decisions:
            raise ConfigError(
                f"--transcripts, --decisions and --model-name go with `nlp tag` output; {input} holds "
                "transcripts.",
                fix=f"leave them out, or pass the tag output: `nlp export tagged.jsonl --transcripts "
                f"{input} --out project.qdpx`.",
            )
        source = read_inputs(
            corpus,
            [input] if input is not None else [],
            example="nlp export coded.jsonl --out project.qdpx",
            options=reading.kwargs(),
        )
        transcripts, book = list(source.transcripts), source.codebook
        if source.errors:
            raise InputError(source.errors[0][1])
        if (
            codebook is None and input is not None
        ):  # a project's own code tree, or the codebook written beside it
            codebook = input if input.suffix.lower() == ".qdpx" else codebook_beside(input)
    if codebook is not None:
        book = load_codebook(codebook)
    if require_pseudonymised:
        check_pseudonymised(transcripts)
    if coder:
        known = sorted({c.coder for t in transcripts for c in t.codes})
        unknown = [c for c in coder if c not in known]
        if unknown:
            raise ConfigError(
                f"--coder {', '.join(unknown)}: no codings by that coder (coders: "
                f"{', '.join(known) or 'none'}).",
                fix="use one of the coders listed.",
            )
    summary = write_qdpx(
        out, transcripts, book, newline=newline, name=name, coders=coder or None, positions=positions
    )
    unit = "UTF-16 units" if positions == "utf16" else "code points"
    typer.echo(
        f"wrote {summary.path}: {summary.sources} sources, {summary.codings} codings "
        f"({summary.auto_codings} auto) by {len(summary.users)} users ({', '.join(summary.users) or '-'}), "
        f"{summary.codes} codes, {newline.upper()} line breaks, positions in {unit} (for {target})."
    )


@app.command("export-codebook")
def export_codebook(
    codebook: Annotated[
        Path,
        typer.Argument(
            help="Codebook to convert (.yaml, .qdc, or a .qdpx project's code tree).", show_default=False
        ),
    ],
    out: Annotated[
        Path,
        typer.Option(
            "--out", "-o", help="The .qdc codebook to write (atomically); a .yaml name writes YAML instead."
        ),
    ],
) -> None:
    """Export a codebook as a REFI-QDA codebook (.qdc) to import into NVivo, ATLAS.ti, MAXQDA or QualCoder.

    Codes keep their hierarchy, definitions, colours, GUIDs and folders; the polarity values become a 'Polarity'
    code group. A .qdc has no place for memos: they go on the description's last line.
    """
    book = load_codebook(codebook)
    if out.suffix.lower() in (".yaml", ".yml"):
        book.save(out)
    else:
        write_qdc(out, book)
    typer.echo(f"wrote {out}: {len(book.codes)} codes and {len(book.polarity)} polarity values.")
