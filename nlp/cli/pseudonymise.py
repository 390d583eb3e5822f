"""CLI verb ``nlp pseudonymise``: replace names and contact details by placeholders, with a separate key file."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Annotated

import typer

from ..errors import ConfigError
from ..ingest import ingest_paths, read_text
from ..model import atomic_write_text, write_jsonl
from ..pseudonymise.replace import PseudonymKey, load_keep_list, load_names_csv, pseudonymise, written_form
from ..pseudonymise.replace import reverse as undo
from . import app
from .reading import ReadOptions, reads_files, report_unread

__all__ = ["pseudonymise_cmd"]


def _safe_name(text: str) -> str:
    return re.sub(r"[^\w.\-\[\]]+", "_", text).strip("._") or "transcript"


@app.command("pseudonymise")
@reads_files()
def pseudonymise_cmd(
    inputs: Annotated[
        list[Path],
        typer.Argument(
            help="Transcript files or folders (anything `nlp ingest` reads) or transcript JSONL files.",
            show_default=False,
        ),
    ],
    out: Annotated[
        Path,
        typer.Option(
            "--out",
            "-o",
            help="Output folder: transcripts.jsonl and one file per "
            "transcript in the form it came in (.txt/.vtt/.srt with "
            "speaker labels and timestamps; written atomically).",
        ),
    ],
    key: Annotated[
        Path | None,
        typer.Option(
            "--key",
            help="Key file (JSON, placeholder -> original). Reused when "
            "it exists so numbering stays stable; required with "
            "--reverse. Default: <out>.key.json beside the "
            "folder.",
        ),
    ] = None,
    names: Annotated[
        Path | None,
        typer.Option(
            "--names",
            help="CSV of names always replaced: name[,kind] per row "
            "(kind person|firma|sted|navn, default "
            "person).",
        ),
    ] = None,
    keep: Annotated[
        Path | None,
        typer.Option(
            "--keep",
            help="Text file of words/phrases never replaced, one per "
            "line; adds to the bundled public bodies.",
        ),
    ] = None,
    replace_public_bodies: Annotated[
        bool,
        typer.Option(
            "--replace-public-bodies",
            help="Replace the bundled public bodies, programmes and institutions too "
            "(Innovasjon Norge, Enova, Skattefunn, Forskningsrådet, SIVA, Arena, NCE, "
            "GCE, EU, Horisont Europa, universities, fylkeskommuner ...; "
            "nlp/lang/public_bodies.txt), which are kept by default.",
        ),
    ] = False,
    reverse: Annotated[
        bool,
        typer.Option(
            "--reverse", help="Restore the original text of pseudonymised transcript JSONL with --key."
        ),
    ] = False,
    *,
    reading: ReadOptions,
) -> None:
    r"""Pseudonymise transcripts: names of people, firms and places, e-mail, phone numbers, postal codes, URLs and
    national identity numbers become \[person_1], \[firma_2], \[sted_1], \[epost_1], \[telefon_1], ...

    The same name gets the same placeholder in every file, and in transcript ids, file names, speaker labels and
    metadata too; no replacement crosses a line break or a speaker turn. Public bodies and programmes (Innovasjon
    Norge, Enova, EU, universities ...) stay; --keep adds your own. The mapping is written to a separate key file:
    keep it apart from the data, and reuse it on later runs so numbering stays stable. Codes and segments move with
    the text. Detection is rule-based and offline: read the output and add missed names with --names. --reverse
    with the key restores the original text exactly. Existing placeholders (\[navn], \[bedrift], \[sted], XX)
    are left alone.
    """
    key_path = key if key is not None else out.parent / f"{out.name}.key.json"
    read = ingest_paths(inputs, **reading.kwargs())
    transcripts, errors = read.transcripts, [(str(a), str(b)) for a, b in read.errors]
    if reverse:
        if key is None:
            raise ConfigError(
                "--reverse needs the key file.",
                fix="give --key KEYFILE (the file written when the data were pseudonymised).",
            )
        result = undo(transcripts, PseudonymKey.load(key))
        pkey = None
    else:
        pkey = PseudonymKey.load(key_path) if key_path.exists() else PseudonymKey()
        kept = load_keep_list(keep) if keep else ()
        result, pkey = pseudonymise(
            transcripts,
            key=pkey,
            names=load_names_csv(names) if names else None,
            keep=kept,
            keep_public_bodies=not replace_public_bodies,
        )
    write_jsonl(out / "transcripts.jsonl", result)
    used: set[str] = set()
    for original, t in zip(transcripts, result, strict=True):
        raw = None
        if (
            pkey is not None
            and original.source
            and Path(original.source).is_file()
            and original.meta.get("reader") in ("txt", "pdf-text", "vtt", "srt")
        ):
            raw = read_text(Path(original.source), encoding=original.encoding, max_bytes=reading.max_bytes)[0]
        text, suffix = (
            written_form(raw, t, pkey, keep=kept, keep_public_bodies=not replace_public_bodies)
            if pkey is not None
            else written_form(None, t, PseudonymKey())
        )
        name = _safe_name(t.id)
        while name + suffix in used:
            name += "_"
        used.add(name + suffix)
        atomic_write_text(out / f"{name}{suffix}", text)
    if pkey is not None:
        pkey.save(
            key_path
        )  # after the files: writing them back in their form may add variants (Kari_Hansen.txt)

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
            typer.secho(
                "warning: the key file is inside the output folder; move it away before sharing the output.",
                fg=typer.colors.YELLOW,
                err=True,
            )
        typer.echo(
            "Check the output: rule-based detection misses some names; add them with --names and rerun "
            "with the same --key."
        )
    report_unread(errors)
