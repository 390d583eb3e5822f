"""Plain-text transcripts (``.txt``) with speaker turns; recognises text extracted from PDFs and hands it on."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ..model import Transcript
from ._base import DEFAULT_MAX_BYTES, read_text, text_transcript, transcript_id

__all__ = ["read_txt"]


def read_txt(
    path: str | Path,
    *,
    encoding: str | None = None,
    max_bytes: int | None = DEFAULT_MAX_BYTES,
    interviewer: Sequence[str] = (),
    informant: Sequence[str] = (),
    include_interviewer: bool = False,
    tid: str | None = None,
) -> Transcript:
    """Read a plain-text transcript: decode, repair, split into speaker turns, keep a map to the raw text.

    Parameters
    ----------
    path
        The ``.txt`` file.
    encoding
        Force a codec; detected when None (UTF-8, BOM, UTF-16, cp1252, latin-1).
    max_bytes
        Size cap, checked before reading.
    interviewer, informant
        Speaker labels to treat as interviewer/informant beyond the built-in lists (``nlp.lang.speakers``).
    include_interviewer
        Count the interviewer's turns in ``meta["chars_analysis"]`` (they are always kept and marked).
    tid
        Transcript id; from the file name when None.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "intervju_1.txt"
    >>> _ = p.write_bytes("I: Kva gjer de?\\nR: Vi driv med [bedrift] på Røros.".encode("cp1252"))
    >>> t = read_txt(p)
    >>> t.id, t.encoding, [(s.speaker, s.kind) for s in t.segments]
    ('intervju_1', 'cp1252', [('I', 'question'), ('R', 'answer')])
    """
    path = Path(path)
    raw, enc = read_text(path, encoding=encoding, max_bytes=max_bytes)
    return text_transcript(
        raw,
        path=path,
        tid=tid or transcript_id(path),
        encoding=enc,
        kind="txt",
        interviewer=interviewer,
        informant=informant,
        include_interviewer=include_interviewer,
    )
