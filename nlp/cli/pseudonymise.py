"""CLI verb ``nlp pseudonymise``: replace names and contact details by placeholders, with a separate key file."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Annotated

import typer

from ..errors import ConfigError
from ..ingest import ingest_paths
from ..model import atomic_write_text, write_jsonl
from ..pseudonymise.replace import PseudonymKey, load_keep_list, load_names_csv, pseudonymise
from ..pseudonymise.replace import reverse as undo
from . import app

__all__ = ["pseudonymise_cmd"]


def _safe_name(text: str) -> str:
    return re.sub(r"[^\w.\-\[\]]+", "_", text).strip("._") or "transcript"


@app.command("pseudonymise")
def pseudonymise_cmd(
    inputs: Annotated[list[Path], typer.Argument(help="Transcript files or folders (anything `nlp ingest` reads) "
                                                      "or transcript JSONL files.", show_default=False)],
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder: transcripts.jsonl and one .txt per "
                                                          "transcript (written atomically).")],
    key: Annotated[Path | None, typer.Option("--key", help="Key file (JSON, placeholder -> original). Reused when "
                                                           "it exists so numbering stays stable; required with "
                                                           "--reverse. Default: <out>.key.json beside the "
                                                           "folder.")] = None,
    names: Annotated[Path | None, typer.Option("--names", help="CSV of names always replaced: name[,kind] per row "
                                                               "(kind person|firma|sted|navn, default "
                                                               "person).")] = None,
    keep: Annotated[Path | None, typer.Option("--keep", help="Text file of words/phrases never replaced, one per "
                                                             "line (e.g. Innovasjon Norge).")] = None,
    keep_institutions: Annotated[bool, typer.Option("--keep-institutions",
                                                    help="Also keep the bundled list of public institutions "
                                                         "(Innovasjon Norge, Forskningsrådet, SIVA, NTNU, "
                                                         "universities, ...).")] = False,
    reverse: Annotated[bool, typer.Option("--reverse", help="Restore the original text of pseudonymised "
                                                            "transcript JSONL with --key.")] = False,
) -> None:
    r"""Pseudonymise transcripts: names of people, firms and places, e-mail, phone numbers, postal codes, URLs and
    national identity numbers become \[person_1], \[firma_2], \[sted_1], \[epost_1], \[telefon_1], ...

    The same name gets the same placeholder in every file. The mapping is written to a separate key file: keep it
    apart from the data, and reuse it on later runs so numbering stays stable. Codes and segments move with the
    text. Detection is rule-based and offline: read the output and add missed names with --names. --reverse with
    the key restores the original text exactly. Existing placeholders (\[navn], \[bedrift], \[sted], XX) are
    left alone.
    """
    key_path = key if key is not None else out.parent / f"{out.name}.key.json"
    read = ingest_paths(inputs)
    transcripts, errors = read.transcripts, [(str(a), str(b)) for a, b in read.errors]
    if reverse:
        if key is None:
            raise ConfigError("--reverse needs the key file.", fix="give --key KEYFILE (the file written when the "
                                                                   "data were pseudonymised).")
        result = undo(transcripts, PseudonymKey.load(key))
        pkey = None
    else:
        pkey = PseudonymKey.load(key_path) if key_path.exists() else PseudonymKey()
        result, pkey = pseudonymise(transcripts, key=pkey, names=load_names_csv(names) if names else None,
                                    keep=load_keep_list(keep) if keep else (), keep_institutions=keep_institutions)
        pkey.save(key_path)
    write_jsonl(out / "transcripts.jsonl", result)
    used: set[str] = set()
    for t in result:
        name = _safe_name(t.id)
        while name in used:
            name += "_"
        used.add(name)
        atomic_write_text(out / f"{name}.txt", t.text)

    for t in result:
        if reverse:
            typer.echo(f"{t.id}: restored")
        else:
            counts = Counter(t.meta.get("pseudonymised", {}).get("replaced", {}))
            listed = ", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or "nothing found"
            typer.echo(f"{t.id}: {listed}")
    typer.echo(f"{len(result)} transcript(s) -> {out / 'transcripts.jsonl'}")
    if pkey is not None:
        typer.echo(f"key ({len(pkey.entries)} placeholders) -> {key_path}")
        if out.resolve() in key_path.resolve().parents:
            typer.secho("warning: the key file is inside the output folder; move it away before sharing the "
                        "output.", fg=typer.colors.YELLOW, err=True)
        typer.echo("Check the output: rule-based detection misses some names; add them with --names and rerun "
                   "with the same --key.")
    for path, why in errors:
        typer.secho(f"error: {why}" if path in why else f"error: {path}: {why}", fg=typer.colors.RED, err=True)
    if errors:
        raise typer.Exit(1)
