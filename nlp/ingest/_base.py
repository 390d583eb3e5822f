"""Shared steps of the readers: size-checked reading, decoding, tracked cleaning, ids and the ingest record."""

from __future__ import annotations

import re
import stat
import unicodedata
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from ..clean import apply_edits, decode_bytes, nfc_tracked, repair_mojibake
from ..errors import DataWarning, InputError
from ..model import OffsetMap, Segment, Transcript
from ..segment import segment_turns

__all__ = [
    "DEFAULT_MAX_BYTES",
    "check_file",
    "finish",
    "read_bytes",
    "read_text",
    "text_transcript",
    "tidy_tracked",
    "transcript_id",
]

#: Largest file read by default (50 MB of text is ~8 million words, far beyond one interview).
DEFAULT_MAX_BYTES = 50 * 1024 * 1024


def check_file(path: Path, *, max_bytes: int | None = DEFAULT_MAX_BYTES) -> int:
    """Check that ``path`` exists, is a file, is not empty and is under the size cap (without reading it)."""
    try:
        info = path.stat()
    except (OSError, ValueError):
        info = None
    if info is None or not stat.S_ISREG(info.st_mode):
        # the checks one by one, for the message (and for what Path.exists() raises, e.g. on a permission error)
        if not path.exists():
            raise InputError("no such file.", path=path, fix="check the path (and quote names with spaces).")
        if not path.is_file():
            raise InputError("not a regular file.", path=path, fix="give a file or a folder of transcripts.")
        info = path.stat()
    size = info.st_size  # checked before reading anything
    if max_bytes is not None and size > max_bytes:
        mb = size / 1024 / 1024
        raise InputError(
            f"the file is {mb:.1f} MB, over the {max_bytes / 1024 / 1024:.0f} MB limit for one transcript.",
            path=path,
            fix=f"split it into one file per interview, or raise the limit (`--max-mb {int(mb) + 1}` on any `nlp` "
            f"verb that reads files; Python: max_bytes={size + 1}).",
        )
    if size == 0:
        raise InputError("the file is empty.", path=path, fix="check that the export or copy worked.")
    return size


def read_bytes(path: Path, *, max_bytes: int | None = DEFAULT_MAX_BYTES) -> bytes:
    """The file's bytes, after :func:`check_file`."""
    size = check_file(path, max_bytes=max_bytes)
    limit = max_bytes + 1 if max_bytes is not None else -1
    with path.open("rb") as fh:
        # read the size just checked (+ 1 to notice growth): asking for `limit` bytes allocates a buffer that large
        data = fh.read(size + 1)
        if len(data) > size:  # the file grew after the check: read on, as far as the limit allows
            data += fh.read(limit - len(data) if limit > 0 else -1)
    if max_bytes is not None and len(data) > max_bytes:  # the file grew while we read it
        raise InputError("the file is over the size limit.", path=path, fix="raise the limit with --max-mb.")
    return data


def read_text(
    path: Path, *, encoding: str | None = None, max_bytes: int | None = DEFAULT_MAX_BYTES
) -> tuple[str, str]:
    """Decoded text of a file (the raw reference for offsets) and the encoding used."""
    text, enc = decode_bytes(read_bytes(path, max_bytes=max_bytes), path=path, encoding=encoding)
    if not text.strip():
        raise InputError("the file holds only white space.", path=path, fix="check that the export worked.")
    return text, enc


def transcript_id(path: str | Path, part: str | int | None = None) -> str:
    """A stable id from the file name (and a record index or name inside a multi-record file).

    Examples
    --------
    >>> transcript_id("data/Intervju 3 (Kari).docx"), transcript_id("rows.csv", 2), transcript_id("a.csv", "int 7")
    ('Intervju_3_Kari', 'rows-2', 'a:int_7')
    """

    def slug(s: str) -> str:
        s = unicodedata.normalize("NFC", s)
        return re.sub(r"[^\w.-]+", "_", s).strip("_.") or "x"

    stem = slug(Path(path).stem)
    if part is None:
        return stem
    if isinstance(part, int):
        return f"{stem}-{part}"
    return f"{stem}:{slug(str(part))}"


#: Line ends other than "\n", which :func:`tidy_tracked` turns into "\n" ("\r\n" counts as one) ...
_LINE_ENDS = "\r\f\v\x85\u2028\u2029"
#: ... and the characters it removes: C0 controls but tab and newline, DEL, zero-width ones, BOM, soft hyphen.
_INVISIBLE = "".join(map(chr, [*range(0x09), *range(0x0E, 0x20), 0x7F])) + "\u200b\u200e\u200f\ufeff\u00ad"
# one character class first, so that the regex engine skips quickly to candidates
_CONTROL = re.compile(f"[{_LINE_ENDS}{_INVISIBLE}](?:(?<=\r)\n)?")


def tidy_tracked(text: str) -> tuple[str, OffsetMap, dict[str, Any]]:
    """Mojibake repair, line ends to ``\\n``, control and zero-width characters out, NFC; with the offset map."""
    info: dict[str, Any] = {}
    maps = []
    text, m, n = repair_mojibake(text)
    if n:
        info["mojibake_repaired"] = n
        maps.append(m)

    def repl(match: re.Match[str]) -> str:
        return "\n" if match.group()[0] in _LINE_ENDS else ""

    # most texts hold none of these characters: looking for each with `in` (a fast scan) beats one regex search
    if any(ch in text for ch in _LINE_ENDS + _INVISIBLE):
        text, m = apply_edits(text, [(mt.start(), mt.end(), repl(mt)) for mt in _CONTROL.finditer(text)])
        maps.append(m)
    text, m = nfc_tracked(text)
    if len(m.anchors) > 1:
        maps.append(m)
    return text, chain(maps), info


def chain(maps: Sequence[OffsetMap]) -> OffsetMap:
    """Compose maps listed first step first: the result maps the last stage's offsets to the raw text."""
    total = OffsetMap()
    for m in maps:
        total = m.compose(total) if len(total.anchors) > 1 else m
    return total


def finish(
    t: Transcript,
    *,
    chars_in: int,
    warn: Iterable[str] = (),
    include_interviewer: bool = False,
    kind: str,
    extra: dict[str, Any] | None = None,
) -> Transcript:
    """Add the ingest record to ``meta`` and emit each warning as a :class:`DataWarning` naming the file."""
    msgs = list(dict.fromkeys(warn))
    analysis = t.analysis_segments(include_interviewer=include_interviewer)
    meta = dict(t.meta)
    meta.update(extra or {})
    meta.update(
        {
            "reader": kind,
            "chars_in": chars_in,
            "chars_kept": len(t.text),
            "chars_analysis": sum(s.end - s.start for s in analysis),
            "chars_interviewer": sum(s.end - s.start for s in t.segments if s.is_interviewer),
            "include_interviewer": include_interviewer,
            "speakers": sorted({s.speaker for s in t.segments if s.speaker}),
            "warnings": list(meta.get("warnings", [])) + msgs,
        }
    )
    for msg in msgs:
        warnings.warn(f"{t.source or t.id}: {msg}", DataWarning, stacklevel=3)
    return replace(t, meta=meta)


def text_transcript(
    raw: str,
    *,
    path: Path,
    tid: str,
    encoding: str | None,
    kind: str,
    interviewer: Sequence[str] = (),
    informant: Sequence[str] = (),
    include_interviewer: bool = False,
    warn: Iterable[str] = (),
) -> Transcript:
    """Build a transcript from a decoded text with speaker turns: tidy, split turns, record what was kept."""
    tidy, m1, info = tidy_tracked(raw)
    split = segment_turns(tidy, interviewer=interviewer, informant=informant, id_prefix=f"{tid}:")
    omap = chain([m1, split.offset_map]) if len(m1.anchors) > 1 else split.offset_map
    msgs = list(warn)
    if info.get("mojibake_repaired"):
        msgs.append(
            f"repaired {info['mojibake_repaired']} mojibake sequence(s) such as 'Ã¸' -> 'ø' (the file was "
            f"UTF-8 read as cp1252 at some point)."
        )
    msgs.extend(split.warnings)
    t = Transcript(
        id=tid,
        text=split.text,
        segments=_with_ids(split.segments, tid),
        source=str(path),
        encoding=encoding,
        offset_map=omap,
    )
    return finish(
        t, chars_in=len(raw), warn=msgs, include_interviewer=include_interviewer, kind=kind, extra=info
    )


def _with_ids(segments: Iterable[Segment], tid: str) -> tuple[Segment, ...]:
    return tuple(s if s.id else replace(s, id=f"{tid}:{i + 1:04d}") for i, s in enumerate(segments))
