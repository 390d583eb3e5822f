"""Tag output meets its transcripts: read ``nlp tag`` records, find the transcripts they came from, and put the
machine codes onto them as codings by a user named after the model version.

This is the one reader of ``nlp tag`` output into coding: REFI-QDA export, review and ``nlp compare`` (machine
against a coder) all go through :func:`attach_machine_codes`. (The study's own cross-validated predictions, which
are not tag records, become coding in :func:`nlp.agreement.machine.machine_coding`.)
"""

from __future__ import annotations

import csv
import json
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from ..classify.output import FORMATS, machine_spans
from ..classify.tag import read_tagged
from ..errors import InputError, NlpError
from ..ingest import read_path
from ..model import CodeSpan, Transcript, read_jsonl

__all__ = ["attach_machine_codes", "is_tag_output", "is_tag_record", "read_tag_output", "source_transcripts"]

_TAG_FIX = "pass the file written by `nlp tag --out` (.jsonl, .csv or .xlsx)."


def is_tag_record(obj: Any) -> bool:
    """Whether a JSON object is a record of ``nlp tag`` output with its text (not a transcript or a text line).

    Examples
    --------
    >>> is_tag_record({"id": "a", "start": 0, "end": 3, "text": "hei", "codes": [], "scores": {}})
    True
    >>> is_tag_record({"id": "a", "text": "hei", "segments": []})
    False
    """
    return (
        isinstance(obj, dict)
        and isinstance(obj.get("codes"), list)
        and isinstance(obj.get("scores"), dict)
        and {"start", "end", "text"} <= obj.keys()
        and "segments" not in obj
    )


_TABLE_COLUMNS = {"id", "source", "start", "end", "text", "codes"}


def is_tag_output(path: str | Path) -> bool:
    """Whether ``path`` holds ``nlp tag`` output: JSONL whose first record is a tag record, or a CSV/XLSX table
    whose header has the tag table's columns (``id, source, start, end, text, codes`` and ``score:`` ones)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if not path.is_file() or suffix not in (".jsonl", ".csv", ".xlsx"):
        return False
    if suffix == ".xlsx":
        from openpyxl import load_workbook  # a heavy import, only for a workbook

        try:
            wb = load_workbook(path, read_only=True)
            header = next(wb.worksheets[0].iter_rows(max_row=1, values_only=True), ())
        except (OSError, ValueError, KeyError, zipfile.BadZipFile):
            return False
        return _TABLE_COLUMNS <= {str(h) for h in header} and any(str(h).startswith("score:") for h in header)
    with path.open(encoding="utf-8-sig", errors="replace") as fh:
        first = next((line for line in fh if line.strip()), "")
    if suffix == ".csv":
        header = next(csv.reader([first], delimiter=";" if first.count(";") > first.count(",") else ","), [])
        return _TABLE_COLUMNS <= set(header) and any(h.startswith("score:") for h in header)
    try:
        return is_tag_record(json.loads(first))
    except json.JSONDecodeError:
        return False


def read_tag_output(path: str | Path) -> list[dict[str, Any]]:
    """The records of an ``nlp tag`` output file (JSONL, CSV or XLSX; the extension decides).

    Raises
    ------
    InputError
        Naming the file (and line) when it is not tag output.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError("no such file.", path=path, fix=_TAG_FIX)
    fmt = FORMATS.get(path.suffix.lower())
    if fmt not in ("jsonl", "csv", "xlsx"):
        raise InputError(
            f"{path.suffix or 'a file without extension'} is not a tag output this can read back.",
            path=path,
            fix=_TAG_FIX,
        )
    records = read_tagged(path, fmt=fmt)
    for n, rec in enumerate(records, 1):
        if not is_tag_record(rec):
            raise InputError(
                "not a record of `nlp tag` output (it needs id, start, end, text, codes, scores).",
                path=path,
                line=n if fmt == "jsonl" else None,
                fix=_TAG_FIX,
            )
    return records


def _read_source(source: str) -> list[Transcript]:
    path = Path(source)
    if path.suffix.lower() == ".jsonl":
        return list(read_jsonl(path))
    return read_path(path)


def source_transcripts(
    records: Sequence[Mapping[str, Any]], transcripts: Iterable[Transcript] | None = None
) -> list[Transcript]:
    """The transcripts the records were tagged from: those given, else each record's ``source`` file read again.

    Raises
    ------
    InputError
        When a source file is gone and no transcripts were given.
    """
    if transcripts is not None:
        return list(transcripts)
    out: list[Transcript] = []
    seen: set[str] = set()
    for rec in records:
        src = str(rec.get("source") or "")
        if src in seen:
            continue
        seen.add(src)
        if not src or not Path(src).is_file():
            raise InputError(
                f"the transcript {src or '(no source)'} that record {rec.get('id')!r} was tagged from "
                "is not there to read.",
                fix="pass the transcripts it was tagged from with --transcripts corpus.jsonl "
                "(or the interview files).",
            )
        try:
            out.extend(t if t.source else _with_source(t, src) for t in _read_source(src))
        except NlpError as exc:
            raise InputError(
                f"cannot read the source {src} again ({exc.reason}).", path=src, fix=exc.fix
            ) from exc
    return out


def _with_source(t: Transcript, source: str) -> Transcript:
    return replace(t, source=source)


def attach_machine_codes(
    records: Sequence[Mapping[str, Any]],
    transcripts: Iterable[Transcript],
    *,
    coder: str | None = None,
    path: str | Path | None = None,
    extra: Mapping[tuple[str, str], Sequence[CodeSpan]] | None = None,
) -> list[Transcript]:
    """Transcripts with every record's machine codes added as auto codings over the tagged text.

    A record belongs to the transcript whose ``source`` equals the record's ``source`` (or, for transcripts without
    one, whose id starts the record id, else any) and whose text at ``start..end`` is the record's text. Human codings stay
    as they are, beside the machine's; transcripts without records are returned unchanged.

    Parameters
    ----------
    records
        ``nlp tag`` records (see :func:`read_tag_output`).
    transcripts
        The transcripts they were tagged from (see :func:`source_transcripts`).
    coder
        User name of the machine codings; default: each record's ``model`` (its version).
    path
        The tag output the records were read from, named in errors.
    extra
        More spans per record, keyed by ``(source, id)`` (e.g. a reviewer's codings from
        :func:`~nlp.review.decisions.reviewer_spans`), added to the same transcript.

    Raises
    ------
    InputError
        When a record's text is not found at its offsets in any of the transcripts (they are not the ones it was
        tagged from).

    Examples
    --------
    >>> from nlp.model import Transcript
    >>> t = Transcript(id="i1", text="I: Hei. R: Vi deler kunnskap.", source="i1.txt")
    >>> rec = {"id": "i1:11-29", "source": "i1.txt", "start": 11, "end": 29, "text": "Vi deler kunnskap.",
    ...        "codes": ["ks"], "polarity": None, "scores": {"ks": 0.9}, "model": "auto-me-0123456789"}
    >>> [(c.code, t.text[c.start:c.end], c.coder) for c in attach_machine_codes([rec], [t])[0].codes]
    [('ks', 'Vi deler kunnskap.', 'auto-me-0123456789')]
    """
    items = list(transcripts)
    by_source: dict[str, list[int]] = {}
    for i, t in enumerate(items):
        by_source.setdefault(str(t.source or ""), []).append(i)
    added: dict[int, list[Any]] = {}
    for n, rec in enumerate(records, 1):
        start, end, text = int(rec["start"]), int(rec["end"]), str(rec.get("text") or "")
        rid = str(rec.get("id"))
        candidates = by_source.get(str(rec.get("source") or ""), [])
        if not candidates:
            candidates = [
                i for i, t in enumerate(items) if rid.startswith(f"{t.id}:") or rid == t.id
            ] or list(
                range(len(items))
            )  # tagged from a JSONL file of transcripts without a source of their own
        hit = next((i for i in candidates if items[i].text[start:end] == text), None)
        if hit is None:
            raise InputError(
                f"record {n} (id {rid!r}, source {rec.get('source')!r}): its text is not at "
                f"{start}..{end} of any transcript given, so these are not the transcripts it was "
                "tagged from.",
                path=path,
                fix="pass the transcripts the file was tagged from, unchanged since (`nlp export "
                "--transcripts`; for `nlp compare`, the reference coding of those texts or --corpus NAME).",
            )
        added.setdefault(hit, []).extend(machine_spans(rec, coder=coder))
        added[hit].extend((extra or {}).get((str(rec.get("source")), rid), ()))
    return [t.with_codes(added[i]) if i in added else t for i, t in enumerate(items)]
