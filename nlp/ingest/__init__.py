"""Readers: transcripts in the formats researchers have -> :class:`~nlp.model.Transcript`.

:func:`read_path` reads one file of any supported kind; :func:`ingest_paths` walks files and folders (sorted, so
the result is deterministic), reads every file it can, and collects one error per bad file instead of stopping,
so that nothing is dropped silently.

Supported kinds: ``txt`` (typed transcripts; text extracted from PDFs is recognised and handed to
:func:`nlp.ingest.pdftext.read_pdf_text`), ``pdf-text``, ``docx``, ``vtt``, ``srt``, ``csv``/``tsv``, ``jsonl``,
``qdpx`` (REFI-QDA projects, via :func:`nlp.refi.read_qdpx`).
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ..errors import ConfigError, DataWarning, InputError, NlpError, unreadable
from ..model import Segment, Transcript
from ..refi import read_qdpx
from ..segment import detect_turns
from ._base import DEFAULT_MAX_BYTES, check_file, read_text, text_transcript, transcript_id
from .docx import read_docx
from .pdftext import looks_like_pdf_text, read_pdf_text
from .subtitles import read_subtitles
from .tabular import read_csv, read_jsonl_rows

__all__ = [
    "DEFAULT_MAX_BYTES",
    "EXTENSIONS",
    "KINDS",
    "FileReport",
    "IngestResult",
    "check_file",
    "detect_kind",
    "ingest_paths",
    "read_path",
    "read_text",
    "transcript_id",
]

#: File kinds that :func:`read_path` accepts for ``kind=``.
KINDS = ("auto", "txt", "pdf-text", "docx", "vtt", "srt", "csv", "tsv", "jsonl", "qdpx")

#: Extension -> kind, for ``kind="auto"`` and for choosing files inside folders.
EXTENSIONS = {
    ".txt": "txt",
    ".text": "txt",
    ".md": "txt",
    ".docx": "docx",
    ".vtt": "vtt",
    ".srt": "srt",
    ".csv": "csv",
    ".tsv": "tsv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".qdpx": "qdpx",
}

#: Extensions that are transcripts in a form we cannot read, with the fix.
_CONVERT = {
    ".doc": "old Word .doc files cannot be read: open it in Word or LibreOffice and save as .docx.",
    ".rtf": "RTF cannot be read: open it in Word or LibreOffice and save as .docx or .txt.",
    ".odt": "OpenDocument text cannot be read: save it as .docx from LibreOffice.",
    ".pdf": "PDF files cannot be read directly: extract the text first (e.g. `pdftotext -layout file.pdf`) and "
    "ingest the .txt (its PDF layout is recognised) or pass --kind pdf-text.",
    ".pages": "Apple Pages files cannot be read: export as .docx.",
    ".xlsx": "Excel sheets cannot be read directly: save the sheet as CSV (UTF-8).",
    ".json": "a single JSON document cannot be read: write one object per line as .jsonl.",
}


@dataclass(frozen=True)
class FileReport:
    """What happened to one input file (one row of the ingest summary)."""

    path: str
    kind: str | None
    transcripts: int = 0
    segments: int = 0
    speakers: int = 0
    chars_in: int = 0
    chars_kept: int = 0
    chars_analysis: int = 0
    encoding: str | None = None
    warnings: tuple[str, ...] = ()
    error: str | None = None


@dataclass
class IngestResult:
    """Result of :func:`ingest_paths`: transcripts read, per-file errors and warnings, one report per file."""

    transcripts: list[Transcript] = field(default_factory=list)
    errors: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[tuple[str, str]] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    files: list[FileReport] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when every file was read."""
        return not self.errors


def detect_kind(path: str | Path) -> str:
    """The reader kind for a file, from its extension (``txt`` for an unknown one, sniffed later).

    Raises :class:`~nlp.errors.InputError` for kinds we cannot read (``.doc``, ``.pdf``, ...), naming the fix.

    Examples
    --------
    >>> detect_kind("a/Intervju.DOCX"), detect_kind("b.srt"), detect_kind("notes")
    ('docx', 'srt', 'txt')
    """
    suffix = Path(path).suffix.lower()
    if suffix in _CONVERT:
        raise InputError(
            _CONVERT[suffix].split(":")[0] + ".", path=path, fix=_CONVERT[suffix].split(": ", 1)[1]
        )
    return EXTENSIONS.get(suffix, "txt")


def _pdf_text(path: Path, *, tid: str, encoding: str | None = None) -> Transcript:
    t = read_pdf_text(path, id=tid, encoding=encoding)
    meta = dict(t.meta)
    meta.setdefault("reader", "pdf-text")
    meta.setdefault("chars_kept", len(t.text))
    meta.setdefault("chars_analysis", sum(s.end - s.start for s in t.analysis_segments()))
    meta.setdefault("warnings", [])
    if "chars_in" not in meta:
        try:
            meta["chars_in"] = len(read_text(path)[0])
        except NlpError:
            pass
    return replace(t, id=tid, source=t.source or str(path), meta=meta)


def read_path(
    path: str | Path,
    *,
    encoding: str | None = None,
    kind: str = "auto",
    max_bytes: int | None = DEFAULT_MAX_BYTES,
    interviewer: Sequence[str] = (),
    informant: Sequence[str] = (),
    include_interviewer: bool = False,
    text_column: str | None = None,
    speaker_column: str | None = None,
    doc_column: str | None = None,
    start_column: str | None = None,
    end_column: str | None = None,
    kind_column: str | None = None,
    merge_gap: float = 2.0,
    positions: str = "auto",
    coder_from: str = "coding",
) -> list[Transcript]:
    """Read one file of any supported kind into transcripts (one, or several for tables and projects).

    Parameters
    ----------
    path
        The file.
    encoding
        Force a text codec (detected when None; see :func:`nlp.clean.decode_bytes`).
    kind
        One of :data:`KINDS`; ``auto`` chooses by extension and recognises PDF-extracted text in ``.txt`` files.
    max_bytes
        Size cap checked before reading (default 50 MB); None for no cap.
    interviewer, informant
        Extra speaker labels for the two roles (beyond :mod:`nlp.lang.speakers`).
    include_interviewer
        Count interviewer turns as analysis text in ``meta["chars_analysis"]`` (they are always kept and marked).
    text_column, speaker_column, doc_column, start_column, end_column, kind_column
        Column names for ``.csv``/``.jsonl`` rows (defaults in :data:`nlp.ingest.tabular.DEFAULT_COLUMNS`).
    merge_gap
        Subtitles without speaker tags: merge cues less than this many seconds apart.
    positions, coder_from
        REFI-QDA projects: how positions are counted and whose user is a coding's coder (see
        :func:`nlp.refi.read_qdpx_project`, parameters ``positions`` and ``coder``).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "int_2.txt"
    >>> _ = p.write_text("Interviewer: Hvad laver I?\\nInterviewperson: Vi laver [bedrift] om.\\n", encoding="utf-8")
    >>> [(s.speaker, s.kind) for s in read_path(p)[0].segments]
    [('Interviewer', 'question'), ('Interviewperson', 'answer')]
    """
    path = Path(path)
    if kind not in KINDS:
        raise ConfigError(f"unknown kind {kind!r}.", fix=f"use one of {', '.join(KINDS)}.")
    if kind == "auto":
        kind = detect_kind(path)
        if path.is_dir():
            raise InputError(
                "this is a folder.", path=path, fix="use ingest_paths() (or `nlp ingest`) for folders."
            )
    roles = {
        "interviewer": tuple(interviewer),
        "informant": tuple(informant),
        "include_interviewer": include_interviewer,
    }
    tid = transcript_id(path)
    if kind in ("txt", "pdf-text"):
        if kind == "pdf-text":
            check_file(path, max_bytes=max_bytes)
            return [_pdf_text(path, tid=tid, encoding=encoding)]
        raw, enc = read_text(path, encoding=encoding, max_bytes=max_bytes)
        if looks_like_pdf_text(raw):
            t = _pdf_text(path, tid=tid, encoding=encoding)
            return [t if t.encoding else replace(t, encoding=enc)]
        return [text_transcript(raw, path=path, tid=tid, encoding=enc, kind="txt", **roles)]
    if kind == "docx":
        return [read_docx(path, max_bytes=max_bytes, tid=tid, **roles)]
    if kind in ("vtt", "srt"):
        return [
            read_subtitles(
                path, encoding=encoding, max_bytes=max_bytes, merge_gap=merge_gap, tid=tid, **roles
            )
        ]
    columns = {
        "text_column": text_column,
        "speaker_column": speaker_column,
        "doc_column": doc_column,
        "start_column": start_column,
        "end_column": end_column,
        "kind_column": kind_column,
    }
    if kind in ("csv", "tsv"):
        return read_csv(
            path,
            encoding=encoding,
            max_bytes=max_bytes,
            delimiter="\t" if kind == "tsv" else None,
            **columns,
            **roles,
        )
    if kind == "jsonl":
        return read_jsonl_rows(path, encoding=encoding, max_bytes=max_bytes, **columns, **roles)
    # qdpx
    check_file(path, max_bytes=None)
    out = []
    for t in read_qdpx(path, positions=positions, coder=coder_from):
        if not t.segments and t.text.strip():
            t = _segment_in_place(t, **roles)
        meta = dict(t.meta)
        meta.setdefault("reader", "qdpx")
        meta.setdefault("chars_kept", len(t.text))
        meta.setdefault("chars_in", len(t.text))
        meta.setdefault(
            "chars_analysis",
            sum(s.end - s.start for s in t.analysis_segments(include_interviewer=include_interviewer)),
        )
        meta.setdefault("warnings", [])
        out.append(replace(t, meta=meta))
    return out


def _segment_in_place(
    t: Transcript, *, interviewer: Sequence[str], informant: Sequence[str], include_interviewer: bool
) -> Transcript:
    """Segments for a text that must not change (a source coded in another program: its code offsets point into
    it): speaker turns where labels are found, else paragraphs. The labels stay in the text, outside the segments."""
    turns, notes = detect_turns(t.text, interviewer=interviewer, informant=informant)
    if turns:
        segments = [
            Segment(start=u.start, end=u.end, speaker=u.label, kind=u.kind) for u in turns if u.end > u.start
        ]
    else:
        segments, pos = [], 0
        for block in t.text.split("\n"):
            stripped = block.strip()
            if stripped:
                start = pos + block.index(stripped)
                segments.append(Segment(start=start, end=start + len(stripped)))
            pos += len(block) + 1
        notes = [*notes, "no speaker turns recognised in this source; each paragraph is a segment"]
    meta = dict(t.meta)
    meta["warnings"] = [*meta.get("warnings", []), *notes]
    return replace(t, segments=tuple(segments), meta=meta)


def _walk(paths: Iterable[str | Path], result: IngestResult) -> list[Path]:
    files: list[Path] = []
    for p in paths:
        p = Path(p)
        if p.is_dir():
            for f in sorted(p.rglob("*"), key=lambda x: x.as_posix()):
                if not f.is_file():
                    continue
                rel = f.relative_to(p)
                if any(part.startswith(".") for part in rel.parts) or f.name.startswith("~$"):
                    result.skipped.append((str(f), "hidden or temporary file"))
                elif f.suffix.lower() in EXTENSIONS or f.suffix.lower() in _CONVERT:
                    files.append(f)
                else:
                    result.skipped.append((str(f), f"not a transcript type ({f.suffix or 'no extension'})"))
        else:
            files.append(p)  # an explicitly named file is always tried (and errors if it cannot be read)
    return files


def ingest_paths(paths: Iterable[str | Path] | str | Path, **options: Any) -> IngestResult:
    """Read files and folders (recursively, sorted); one bad file never stops the others.

    Each file's errors go to ``result.errors`` as ``(path, message)``; :class:`~nlp.errors.DataWarning`\\ s raised
    while reading go to ``result.warnings``; files in folders that are not transcripts (images, hidden files) go to
    ``result.skipped``; ``result.files`` has one :class:`FileReport` per file tried. Transcript ids that two files
    share (``a.txt`` and ``a.docx``) are made unique by adding the extension. Options are those of
    :func:`read_path`.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "a.txt").write_text("I: Hei?\\nR: Hei.", encoding="utf-8")
    >>> _ = (d / "b.txt").write_bytes(b"")
    >>> r = ingest_paths([d])
    >>> [t.id for t in r.transcripts], [pathlib.Path(p).name for p, _ in r.errors]
    (['a'], ['b.txt'])
    """
    if isinstance(paths, (str, Path)):
        paths = [paths]
    result = IngestResult()
    seen: dict[str, str] = {}
    for f in _walk(paths, result):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", DataWarning)
            try:
                ts = read_path(f, **options)
            except Exception as exc:  # noqa: BLE001 - whatever a parser cannot take is still one file's problem
                msg = str(unreadable(f, exc))
                result.errors.append((str(f), msg))
                result.files.append(FileReport(str(f), _kind_or_none(f), error=msg))
                continue
        msgs = [str(w.message) for w in caught if issubclass(w.category, DataWarning)]
        for w in caught:
            if not issubclass(w.category, DataWarning):
                warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
        result.warnings.extend((str(f), m) for m in msgs)
        fixed = []
        for t in ts:
            if t.id in seen and seen[t.id] != str(f):
                old = t.id
                new_id = f"{old}.{f.suffix.lstrip('.').lower() or 'x'}"
                k = 2
                while new_id in seen:
                    new_id, k = f"{old}.{k}", k + 1
                t = replace(
                    t,
                    id=new_id,
                    segments=tuple(
                        replace(s, id=s.id.replace(old + ":", new_id + ":", 1)) if s.id else s
                        for s in t.segments
                    ),
                )
                msg = f"{f}: transcript id {old!r} is already used by {seen[old]}; this one is {new_id!r}."
                result.warnings.append((str(f), msg))
            seen[t.id] = str(f)
            fixed.append(t)
        result.transcripts.extend(fixed)
        result.files.append(
            FileReport(
                path=str(f),
                kind=str(fixed[0].meta.get("reader")) if fixed else _kind_or_none(f),
                transcripts=len(fixed),
                segments=sum(len(t.segments) for t in fixed),
                speakers=len({(t.id, s.speaker) for t in fixed for s in t.segments if s.speaker}),
                chars_in=sum(int(t.meta.get("chars_in", 0) or 0) for t in fixed),
                chars_kept=sum(len(t.text) for t in fixed),
                chars_analysis=sum(int(t.meta.get("chars_analysis", 0) or 0) for t in fixed),
                encoding=fixed[0].encoding if fixed else None,
                warnings=tuple(msgs),
            )
        )
    return result


def _kind_or_none(path: Path) -> str | None:
    try:
        return detect_kind(path)
    except NlpError:
        return None
