"""Word transcripts (``.docx``, python-docx): paragraphs, speaker labels in bold or plain, tables of turns.

The raw reference text of a ``.docx`` (what ``Transcript.offset_map`` maps to) is the document's text in body
order: one line per paragraph, one line per table row with its cells joined by tabs. A bold label without a colon
(**Intervjuer** Hva ...) is followed by a tab in that text so that it reads like a typed ``label<TAB>text`` turn.
"""

from __future__ import annotations

import zipfile
from collections.abc import Sequence
from pathlib import Path

from ..errors import InputError
from ..model import Transcript
from ._base import DEFAULT_MAX_BYTES, check_file, text_transcript, transcript_id

__all__ = ["docx_text", "read_docx"]


def _paragraph_line(paragraph) -> str:
    runs = list(paragraph.runs)
    text = paragraph.text
    if not runs:
        return text
    label = ""
    for run in runs:  # the leading bold runs
        if run.bold and not (label and run.text.strip() == ""):
            label += run.text
            continue
        break
    label_s = label.strip()
    rest = text[len(label) :] if text.startswith(label) else None
    if (
        label_s
        and rest is not None
        and 0 < len(label_s) <= 40
        and len(label_s.split()) <= 4
        and not label_s.endswith(":")
        and not rest.lstrip().startswith(":")
    ):
        return f"{label_s}\t{rest.lstrip()}"
    return text


def _table_lines(table) -> list[str]:
    lines = []
    for row in table.rows:
        cells, seen = [], set()
        for cell in row.cells:
            if id(cell._tc) in seen:  # a merged cell repeats
                continue
            seen.add(id(cell._tc))
            cells.append(cell.text.replace("\t", " ").strip())
        if any(cells):
            lines.append("\t".join(c for c in cells if c))
    return lines


def docx_text(path: str | Path, *, max_bytes: int | None = DEFAULT_MAX_BYTES) -> str:
    """The text of a ``.docx`` in body order (paragraphs and table rows), checking that the file is a real docx."""
    path = Path(path)
    check_file(path, max_bytes=max_bytes)
    if not zipfile.is_zipfile(path):
        raise InputError(
            "this .docx is not a Word document (not a zip archive; maybe an old .doc, RTF or text "
            "file renamed to .docx).",
            path=path,
            fix="open it in Word or LibreOffice and save as .docx (or save as .txt).",
        )
    try:
        with zipfile.ZipFile(path) as z:
            if "word/document.xml" not in z.namelist():
                raise InputError(
                    "this .docx has no word/document.xml (it is a zip file, but not a Word document).",
                    path=path,
                    fix="open it in Word or LibreOffice and save it again as .docx.",
                )
    except zipfile.BadZipFile as exc:
        raise InputError(
            f"the .docx archive is damaged ({exc}).",
            path=path,
            fix="open it in Word or LibreOffice and save it again.",
        ) from None
    import docx  # python-docx
    from docx.opc.exceptions import PackageNotFoundError
    from lxml.etree import LxmlError

    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, LxmlError, KeyError, ValueError, AttributeError, OSError) as exc:
        raise InputError(
            f"python-docx cannot read this document ({exc.__class__.__name__}: {exc}).",
            path=path,
            fix="open it in Word or LibreOffice and save it again as .docx.",
        ) from None
    from docx.table import Table

    lines: list[str] = []
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            lines.extend(_table_lines(block))
        else:
            lines.append(_paragraph_line(block))
    return "\n".join(lines)


def read_docx(
    path: str | Path,
    *,
    max_bytes: int | None = DEFAULT_MAX_BYTES,
    interviewer: Sequence[str] = (),
    informant: Sequence[str] = (),
    include_interviewer: bool = False,
    tid: str | None = None,
) -> Transcript:
    """Read a ``.docx`` transcript into a :class:`~nlp.model.Transcript` (turns as segments, see :mod:`nlp.segment`).

    Raises :class:`~nlp.errors.InputError` for a file that is not a zip, a zip without ``word/document.xml``, or a
    document without text.
    """
    path = Path(path)
    text = docx_text(path, max_bytes=max_bytes)
    if not text.strip():
        raise InputError(
            "the document has no text.", path=path, fix="check that this is the transcript file."
        )
    return text_transcript(
        text,
        path=path,
        tid=tid or transcript_id(path),
        encoding="docx",
        kind="docx",
        interviewer=interviewer,
        informant=informant,
        include_interviewer=include_interviewer,
    )
