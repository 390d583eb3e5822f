"""Plain-text transcripts (``.txt``) with speaker turns; recognises text extracted from PDFs and hands it on."""

from __future__ import annotations

import re
import statistics
from collections.abc import Sequence
from pathlib import Path

from ..model import Transcript
from ._base import DEFAULT_MAX_BYTES, read_text, text_transcript, transcript_id

__all__ = ["looks_like_pdf_text", "read_txt"]

_SPEAKER_LINE = re.compile(r"^\s*(?:\[?\(?\d{1,2}:\d{2}(?::\d{2})?\]?\)?\s*-?\s*)?[^\W\d_][\w.]{0,20}(?: \d+)?\s*:\s")


def looks_like_pdf_text(text: str) -> bool:
    """Whether ``text`` has the layout of text extracted from a PDF rather than a typed transcript.

    Signs (see ``corpora``/``seeds``): most lines end with a space, or nearly every line is followed by an empty
    line while lines are wrapped at page width, with page starts marked by one leading space; and few lines start
    with a speaker label.

    Examples
    --------
    >>> page = " Forord \\n\\n" + "Denne oppgaven handler om klynger i Norge og om hvordan de samarbeider \\n\\n" * 30
    >>> looks_like_pdf_text(page), looks_like_pdf_text("I: Hei.\\nR: Hei.\\n" * 20)
    (True, False)
    """
    lines = text.split("\n")
    full = [i for i, line in enumerate(lines) if line.strip()]
    if len(full) < 10:
        return False
    speaker = sum(1 for i in full if _SPEAKER_LINE.match(lines[i])) / len(full)
    if speaker > 0.2:
        return False
    trailing = sum(1 for i in full if lines[i].endswith(" ")) / len(full)
    blank_after = sum(1 for i in full if i + 1 < len(lines) and not lines[i + 1].strip()) / len(full)
    lengths = [len(lines[i]) for i in full]
    wrapped = sum(1 for n in lengths if n <= 130) / len(full) >= 0.95 and statistics.median(lengths) >= 30
    page_marks = sum(1 for i in full if re.match(r" \S", lines[i]) and (i == 0 or not lines[i - 1].strip()))
    return trailing >= 0.5 and wrapped or (blank_after >= 0.8 and wrapped and page_marks >= 1)


def read_txt(path: str | Path, *, encoding: str | None = None, max_bytes: int | None = DEFAULT_MAX_BYTES,
             interviewer: Sequence[str] = (), informant: Sequence[str] = (), include_interviewer: bool = False,
             tid: str | None = None) -> Transcript:
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
    return text_transcript(raw, path=path, tid=tid or transcript_id(path), encoding=enc, kind="txt",
                           interviewer=interviewer, informant=informant, include_interviewer=include_interviewer)
