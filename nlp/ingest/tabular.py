"""Tables of turns: ``.csv``/``.tsv`` and ``.jsonl`` with one segment per row.

Columns are found by name (case-insensitive), with defaults that cover common exports; name them with the
``*_column`` options otherwise. Rows are grouped into one transcript per value of the document column (in order of
first appearance), or one transcript per file. A ``.jsonl`` whose records are transcripts written by
``nlp ingest`` (with ``text`` and ``segments``) is read back as such.

The transcript text is the rows' texts joined by a blank line. Its offset map anchors each row's text at the
position of that text in the file (or, when the text was quoted with escapes, at the start of its row).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..model import OffsetMap, Segment, Transcript, is_transcript_record, json_object
from ..segment import label_role, parse_timestamp
from ._base import DEFAULT_MAX_BYTES, finish, read_text, transcript_id

__all__ = ["DEFAULT_COLUMNS", "read_csv", "read_jsonl_rows"]

#: Column names tried in order when the caller names none (Norwegian, Danish and English exports).
DEFAULT_COLUMNS: Mapping[str, tuple[str, ...]] = {
    "text": (
        "text",
        "tekst",
        "utterance",
        "ytring",
        "ytring_tekst",
        "content",
        "innhold",
        "transcript_text",
        "tale",
        "sentence",
        "setning",
        "svar",
        "answer",
    ),
    "speaker": (
        "speaker",
        "taler",
        "talar",
        "speaker_id",
        "speakerid",
        "person",
        "navn",
        "name",
        "who",
        "rolle_navn",
    ),
    "doc": (
        "transcript",
        "transcript_id",
        "interview",
        "intervju",
        "interview_id",
        "document",
        "doc",
        "doc_id",
        "file",
        "fil",
        "filename",
    ),
    "start": ("time_start", "start", "start_time", "begin", "fra", "from", "tid", "time"),
    "end": ("time_end", "end", "end_time", "stop", "til", "to"),
    "kind": ("kind", "role", "rolle", "type"),
}

_KIND_WORDS = {
    "question": "question",
    "answer": "answer",
    "other": "other",
    "interviewer": "question",
    "informant": "answer",
    "respondent": "answer",
    "intervjuer": "question",
}


def _pick(columns: Sequence[str], given: str | None, key: str, path: Path) -> str | None:
    lower = {c.lower().strip(): c for c in columns}
    if given is not None:
        if given.lower() in lower:
            return lower[given.lower()]
        raise InputError(
            f"no column {given!r}; the columns are {', '.join(map(repr, columns))}.",
            path=path,
            fix=f"name an existing column with --{key}-column.",
        )
    for name in DEFAULT_COLUMNS[key]:
        if name in lower:
            return lower[name]
    return None


def _time(value: Any, path: Path, line: int) -> float | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    s = str(value).strip()
    try:
        return float(s.replace(",", "."))
    except ValueError:
        pass
    try:
        return parse_timestamp(s)
    except ValueError:
        raise InputError(
            f"time {s!r} is neither seconds nor hh:mm:ss.",
            path=path,
            line=line,
            fix="write times as seconds (12.5) or 00:00:12.5.",
        ) from None


def _kind(
    value: Any, speaker: str | None, interviewer: Sequence[str], informant: Sequence[str]
) -> str | None:
    if value is not None and str(value).strip():
        v = str(value).strip().lower()
        return _KIND_WORDS.get(v) or label_role(v, interviewer=interviewer, informant=informant)
    if speaker:
        return label_role(speaker, interviewer=interviewer, informant=informant)
    return None


def _build(
    rows: list[dict[str, Any]],
    *,
    path: Path,
    raw: str,
    tid: str,
    encoding: str,
    kind: str,
    include_interviewer: bool,
    warn: list[str],
) -> Transcript:
    parts: list[str] = []
    anchors: list[tuple[int, int]] = []
    segments = []
    pos = 0
    has_question = any(r["kind"] == "question" for r in rows)
    for i, r in enumerate(rows):
        if parts:
            parts.append("\n\n")
            pos += 2
        text = r["text"]
        at = raw.find(text, r["raw_start"]) if text else -1
        anchors.append((pos, at if at >= 0 else r["raw_start"]))
        parts.append(text)
        k = r["kind"] or ("answer" if has_question and r["speaker"] else "other")
        segments.append(
            Segment(
                start=pos,
                end=pos + len(text),
                speaker=r["speaker"],
                kind=k,
                time_start=r["time_start"],
                time_end=r["time_end"],
                id=f"{tid}:{i + 1:04d}",
                meta={"line": r["line"]},
            )
        )
        pos += len(text)
    anchors.sort()
    t = Transcript(
        id=tid,
        text="".join(parts),
        segments=tuple(segments),
        source=str(path),
        encoding=encoding,
        offset_map=OffsetMap(tuple(dict(anchors).items())),
    )
    if any(s.kind == "other" for s in segments) and any(s.speaker for s in segments):
        unknown = sorted({s.speaker for s in segments if s.kind == "other" and s.speaker})
        if unknown:
            warn = [
                *warn,
                "role unknown for speaker(s) "
                + ", ".join(map(repr, unknown[:5]))
                + ": their rows are kind 'other' (name the interviewer with --interviewer or a kind column).",
            ]
    return finish(t, chars_in=len(raw), warn=warn, include_interviewer=include_interviewer, kind=kind)


def _group(
    records: Iterable[tuple[int, int, Mapping[str, Any]]],
    *,
    path: Path,
    raw: str,
    encoding: str,
    kind: str,
    columns: Sequence[str],
    text_column: str | None,
    speaker_column: str | None,
    doc_column: str | None,
    start_column: str | None,
    end_column: str | None,
    kind_column: str | None,
    interviewer: Sequence[str],
    informant: Sequence[str],
    include_interviewer: bool,
) -> list[Transcript]:
    tcol = _pick(columns, text_column, "text", path)
    if tcol is None:
        raise InputError(
            f"no text column among {', '.join(map(repr, columns))}.",
            path=path,
            fix="name it with --text-column (Python: text_column=...).",
        )
    scol = _pick(columns, speaker_column, "speaker", path)
    dcol = _pick(columns, doc_column, "doc", path)
    t0 = _pick(columns, start_column, "start", path)
    t1 = _pick(columns, end_column, "end", path)
    kcol = _pick(columns, kind_column, "kind", path)
    groups: dict[str | None, list[dict[str, Any]]] = {}
    empty = 0
    for line, raw_start, rec in records:
        text = rec.get(tcol)
        text = "" if text is None else str(text).strip()
        if not text:
            empty += 1
            continue
        speaker = rec.get(scol) if scol else None
        speaker = str(speaker).strip() or None if speaker is not None else None
        row = {
            "text": text,
            "speaker": speaker,
            "line": line,
            "raw_start": raw_start,
            "time_start": _time(rec.get(t0), path, line) if t0 else None,
            "time_end": _time(rec.get(t1), path, line) if t1 else None,
            "kind": _kind(rec.get(kcol) if kcol else None, speaker, interviewer, informant),
        }
        doc = str(rec.get(dcol)).strip() if dcol and rec.get(dcol) is not None else None
        groups.setdefault(doc, []).append(row)
    if not groups:
        raise InputError(
            f"no row has text in column {tcol!r}.", path=path, fix="check the column with --text-column."
        )
    warn = [f"{empty} row(s) without text were skipped."] if empty else []
    out = []
    for doc, rows in groups.items():
        tid = transcript_id(path, doc) if (dcol and len(groups) > 1) else transcript_id(path)
        t = _build(
            rows,
            path=path,
            raw=raw,
            tid=tid,
            encoding=encoding,
            kind=kind,
            include_interviewer=include_interviewer,
            warn=warn,
        )
        out.append(t)
    return out


def read_csv(
    path: str | Path,
    *,
    encoding: str | None = None,
    max_bytes: int | None = DEFAULT_MAX_BYTES,
    text_column: str | None = None,
    speaker_column: str | None = None,
    doc_column: str | None = None,
    start_column: str | None = None,
    end_column: str | None = None,
    kind_column: str | None = None,
    delimiter: str | None = None,
    interviewer: Sequence[str] = (),
    informant: Sequence[str] = (),
    include_interviewer: bool = False,
) -> list[Transcript]:
    """Read a ``.csv``/``.tsv`` table with one segment per row (delimiter sniffed among ``, ; tab``).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "turns.csv"
    >>> _ = p.write_text("intervju;taler;tekst\\n1;I;Kva gjer de?\\n1;Kari;Vi lagar ting.\\n2;I;Og du?\\n",
    ...                  encoding="utf-8")
    >>> [(t.id, [(s.speaker, s.kind) for s in t.segments]) for t in read_csv(p)]
    [('turns:1', [('I', 'question'), ('Kari', 'answer')]), ('turns:2', [('I', 'question')])]
    """
    path = Path(path)
    raw, enc = read_text(path, encoding=encoding, max_bytes=max_bytes)
    if delimiter is None:
        if path.suffix.lower() == ".tsv":
            delimiter = "\t"
        else:
            head = raw[:8192].split("\n", 1)[0]
            delimiter = max([",", ";", "\t"], key=head.count)
    reader = csv.reader(io.StringIO(raw, newline=""), delimiter=delimiter)
    line_starts = [0]
    for i, ch in enumerate(raw):
        if ch == "\n":
            line_starts.append(i + 1)
    try:
        header = next(reader)
    except StopIteration:
        raise InputError("the table has no rows.", path=path, fix="check the file.") from None
    header = [h.strip().lstrip("\ufeff") for h in header]

    def records():
        prev = reader.line_num
        try:
            for row in reader:
                first = prev + 1
                prev = reader.line_num
                if not any(c.strip() for c in row):
                    continue
                if len(row) > len(header):
                    raise InputError(
                        f"row has {len(row)} fields but the header has {len(header)}.",
                        path=path,
                        line=first,
                        fix="quote fields that contain the delimiter.",
                    )
                yield first, line_starts[min(first - 1, len(line_starts) - 1)], dict(zip(header, row))
        except csv.Error as exc:
            raise InputError(
                f"not a valid table ({exc}).",
                path=path,
                line=reader.line_num,
                fix="save the sheet as CSV (UTF-8) again.",
            ) from None

    return _group(
        records(),
        path=path,
        raw=raw,
        encoding=enc,
        kind="csv",
        columns=header,
        text_column=text_column,
        speaker_column=speaker_column,
        doc_column=doc_column,
        start_column=start_column,
        end_column=end_column,
        kind_column=kind_column,
        interviewer=interviewer,
        informant=informant,
        include_interviewer=include_interviewer,
    )


def read_jsonl_rows(
    path: str | Path,
    *,
    encoding: str | None = None,
    max_bytes: int | None = DEFAULT_MAX_BYTES,
    text_column: str | None = None,
    speaker_column: str | None = None,
    doc_column: str | None = None,
    start_column: str | None = None,
    end_column: str | None = None,
    kind_column: str | None = None,
    interviewer: Sequence[str] = (),
    informant: Sequence[str] = (),
    include_interviewer: bool = False,
) -> list[Transcript]:
    """Read a ``.jsonl`` file: transcript records (from ``nlp ingest``) as they are, else one segment per row."""
    path = Path(path)
    raw, enc = read_text(path, encoding=encoding, max_bytes=max_bytes)
    recs: list[tuple[int, int, dict[str, Any]]] = []
    pos = 0
    for lineno, line in enumerate(raw.split("\n"), 1):
        start = pos
        pos += len(line) + 1
        if not line.strip():
            continue
        recs.append(
            (
                lineno,
                start,
                json_object(line, path=path, line_no=lineno, fix="write one JSON object per line."),
            )
        )
    if recs and all(is_transcript_record(r) for _, _, r in recs):
        out = []
        for lineno, _, r in recs:
            try:
                out.append(Transcript.from_json(r))
            except (KeyError, TypeError, InputError) as exc:
                raise InputError(
                    f"not a transcript record ({exc}).",
                    path=path,
                    line=lineno,
                    fix="pass a file written by `nlp ingest`.",
                ) from None
        return out
    columns = list(dict.fromkeys(k for _, _, r in recs for k in r))
    return _group(
        recs,
        path=path,
        raw=raw,
        encoding=enc,
        kind="jsonl",
        columns=columns,
        text_column=text_column,
        speaker_column=speaker_column,
        doc_column=doc_column,
        start_column=start_column,
        end_column=end_column,
        kind_column=kind_column,
        interviewer=interviewer,
        informant=informant,
        include_interviewer=include_interviewer,
    )
