"""Text extracted from PDF reports and theses: undo the extraction artefacts, keep a map to the raw text.

Artefacts handled (all seen in ``corpora/klynger``'s sources):

* page starts marked by a single leading space, and form feeds;
* every line followed by an empty line (double-spaced extraction) as well as single-spaced pages;
* surviving page numbers (a line holding only ``12``, ``xii``, ``Side 3`` or ``3 av 60``);
* lines joined into paragraphs: a line break is a paragraph break when the previous line ends early (the next
  line's first word would have fitted), at a blank line extracted as a space, or at a blank line on a
  single-spaced page; otherwise the lines are joined with one space;
* line-end hyphens: a suspended compound (``konkurranse- og innovasjonsevne``) keeps hyphen and space; a hyphen
  after an acronym, a capitalised word, a digit, or before a capital (``NCE-programmet``, ``FoU-miljøer``,
  ``Midt-Gudbrandsdalen``) is kept; between lowercase letters the document decides (the hyphenated form used
  elsewhere in it keeps the hyphen, the closed form drops it), then word frequency (``wordfreq``) decides, and
  otherwise the hyphen is kept, because theses written in a word processor rarely hyphenate;
* footnotes that cut into a sentence at a page break (separator rule, numbered notes, page start) are moved behind
  the end of the interrupted sentence, each note its own paragraph;
* decomposed characters (``a`` + combining ring) composed to NFC; runs of spaces collapsed.

Every step is an edit list (:func:`nlp.clean.apply_edits`, :func:`~nlp.clean.sub_tracked`,
:func:`~nlp.clean.nfc_tracked`) or, for moved footnotes, a permutation of raw slices; the maps are chained with
:meth:`~nlp.model.OffsetMap.compose`, so every cleaned offset maps to an offset in the raw decoded text.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from ..clean import apply_edits, decode_bytes, nfc_tracked, sub_tracked
from ..errors import InputError
from ..lang.hyphenation import SUSPENDED_COMPOUND_WORDS
from ..model import OffsetMap, Segment, Transcript

__all__ = [
    "PdfCleanReport",
    "clean_pdf_text",
    "clean_pdf_text_report",
    "looks_like_pdf_text",
    "read_pdf_text",
]

_PAGE_NUMBER = re.compile(
    r"(?i)^\s*(?:(?:side|page|s\.)\s*)?(?:[1-9]\d{0,2}|[ivx]{2,6}|v|x)(?:\s*(?:av|af|of|/)\s*[1-9]\d{0,2})?\s*$"
)
_FOOTNOTE_START = re.compile(r"^\s*\d{1,3}\s*\S")
_SENTENCE_END = re.compile(r"[.!?:…][\"”»’')\]]*$")
_FULL_STOP = re.compile(r"[.!?…][\"”»’')\]]*$")  # where a moved footnote may land (not after "er:")
_RULE_MIN_SPACES = 10  # a whitespace-only line this long is a footnote separator rule
_FOOTNOTE_MAX_LINES = 40  # a footnote block longer than this is not a footnote block
_SENTENCE_SCAN_LINES = 20  # how far past a page break to look for the end of an interrupted sentence
_WORDFREQ_MIN_ZIPF = 2.0  # the closed compound must be at least this common to drop a line-end hyphen


@dataclass
class PdfCleanReport:
    """What :func:`clean_pdf_text_report` did, for the ingest record (nothing disappears silently)."""

    chars_in: int = 0
    chars_kept: int = 0
    page_marks: int = 0
    page_numbers: list[str] = field(default_factory=list)
    footnotes_moved: int = 0
    hyphens_kept: int = 0
    hyphens_dropped: int = 0
    suspended_compounds: int = 0
    paragraphs: list[tuple[int, int]] = field(default_factory=list)

    def as_meta(self) -> dict[str, object]:
        return {
            "chars_in": self.chars_in,
            "chars_kept": self.chars_kept,
            "page_marks": self.page_marks,
            "page_numbers_removed": len(self.page_numbers),
            "footnotes_moved": self.footnotes_moved,
            "hyphens_kept": self.hyphens_kept,
            "hyphens_dropped": self.hyphens_dropped,
            "suspended_compounds": self.suspended_compounds,
        }


@dataclass
class _Line:
    start: int  # offset of the line's first character
    end: int  # offset of the line's end (its newline, or the end of the text)
    text: str
    kind: str = "text"  # empty | space | rule | pagenum | text
    page_start: bool = False
    footnote: bool = False

    @property
    def cstart(self) -> int:
        return self.start + len(self.text) - len(self.text.lstrip())

    @property
    def cend(self) -> int:
        return self.start + len(self.text.rstrip())

    @property
    def content(self) -> str:
        return self.text.strip()


def _split_lines(text: str) -> list[_Line]:
    lines, pos = [], 0
    for part in text.split("\n"):
        lines.append(_Line(pos, pos + len(part), part))
        pos += len(part) + 1
    for ln in lines:
        t = ln.text
        if not t.strip():
            ln.kind = "rule" if len(t) >= _RULE_MIN_SPACES else ("space" if t else "empty")
            ln.page_start = t.startswith("\f")
        else:
            # a page starts with a form feed, or (pdftotext-style) with a single leading space
            ln.page_start = t.startswith("\f") or (t.startswith(" ") and not t.startswith("  "))
    for i, ln in enumerate(lines):
        if ln.kind == "text" and _PAGE_NUMBER.match(ln.text):
            prev = lines[i - 1] if i else None
            nxt = lines[i + 1] if i + 1 < len(lines) else None
            if ln.page_start or prev is None or prev.kind != "text" or (nxt is not None and nxt.page_start):
                ln.kind = "pagenum"
    return lines


def _prev_text(lines: Sequence[_Line], i: int) -> int | None:
    for j in range(i - 1, -1, -1):
        if lines[j].kind == "text":
            return j
    return None


def _footnote_blocks(lines: Sequence[_Line]) -> list[tuple[int, int]]:
    """(first line, end line exclusive) of each footnote block: rule line, numbered notes, up to a page start."""
    blocks = []
    for i, ln in enumerate(lines):
        if ln.kind != "rule":
            continue
        j = i + 1
        while j < len(lines) and lines[j].kind in ("empty", "space"):
            j += 1
        if j >= len(lines) or lines[j].kind != "text" or not _FOOTNOTE_START.match(lines[j].text):
            continue
        k = j
        while k < len(lines) and not (lines[k].page_start and k > j) and k - i <= _FOOTNOTE_MAX_LINES:
            k += 1
        if k < len(lines) and lines[k].page_start:
            blocks.append((i, k))
    return blocks


def _move_tracked(text: str, moves: Sequence[tuple[int, int, int]]) -> tuple[str, OffsetMap]:
    """Move ``text[start:end]`` to offset ``to`` (outside the slice) for each move; exact map to ``text``.

    :func:`nlp.clean.apply_edits` cannot express a move (it would map the moved text to its new place), so the
    result is built as a permutation of slices of ``text`` and each slice keeps its own anchor.
    """
    cuts = sorted({0, len(text), *(p for s, e, t in moves for p in (s, e, t))})
    moved = {s: (e, t) for s, e, t in moves}
    inserts: dict[int, list[tuple[int, int]]] = {}
    for s, e, t in moves:
        inserts.setdefault(t, []).append((s, e))
    pieces: list[tuple[int, int]] = []
    pos = 0
    for a, b in itertools.pairwise(cuts):
        for s, e in inserts.get(a, ()):
            pieces.append((s, e))
        if any(s <= a < e for s, (e, _t) in moved.items()):
            continue
        pieces.append((a, b))
    for s, e in inserts.get(len(text), ()):
        pieces.append((s, e))
    out, anchors = [], []
    for a, b in pieces:
        if a == b:
            continue
        anchors.append((pos, a))
        out.append(text[a:b])
        pos += b - a
    anchors.append((pos, len(text)))
    return "".join(out), OffsetMap(tuple(anchors))


def _first_word(s: str) -> str:
    return s.split(maxsplit=1)[0] if s.split() else ""


@lru_cache(maxsize=4096)
def _zipf(word: str) -> float:
    try:
        from wordfreq import zipf_frequency
    except ImportError:  # pragma: no cover - wordfreq is a dependency
        return 0.0
    return max(zipf_frequency(word, lang) for lang in ("nb", "da"))


def _hyphen_join(before: str, after: str, doc_words: Counter[str]) -> str:
    """How to join a line ending in ``before`` (ends with '-') to a line starting with ``after``.

    Returns ``"drop"`` (closed compound: the hyphen was a line-break hyphen), ``"keep"`` (real hyphen, no space)
    or ``"suspended"`` (hyphen and space stay).
    """
    stem = before.split()[-1][:-1] if before.split() else ""
    nxt = _first_word(after)
    head = re.sub(r"^\W+", "", stem)
    tail = re.sub(r"\W+$", "", nxt)
    if tail.lower() in SUSPENDED_COMPOUND_WORDS:
        return "suspended"
    if not head or not tail or not head[-1].isalpha() or not tail[0].isalpha():
        return "keep"  # digits, URLs, dashes, "(2021-2022)"
    if "/" in stem or "-" in head or "." in head or tail[0].isupper() or any(c.isupper() for c in head):
        return "keep"  # NCE-programmet, FoU-miljøer, Midt-Gudbrandsdalen, åpne-hus-møter
    if not head.isalpha() or not tail.isalpha():
        return "keep"
    hyphenated = doc_words.get(f"{head}-{tail}".lower(), 0)
    closed = doc_words.get(f"{head}{tail}".lower(), 0)
    if hyphenated:
        return "keep"
    if closed:
        return "drop"
    return "drop" if _zipf(f"{head}{tail}".lower()) >= _WORDFREQ_MIN_ZIPF else "keep"


def _page_spacing(lines: Sequence[_Line]) -> dict[int, bool]:
    """For each line index: True when its page is single-spaced (consecutive lines without empty lines between)."""
    single: dict[int, bool] = {}
    page: list[int] = []

    def flush() -> None:
        zero = one = 0
        prev = None
        for i in page:
            if lines[i].kind != "text":
                continue
            if prev is not None:
                gap = [lines[k].kind for k in range(prev + 1, i)]
                if not gap:
                    zero += 1
                elif gap == ["empty"]:
                    one += 1
            prev = i
        for i in page:
            single[i] = zero > one
        page.clear()

    for i, ln in enumerate(lines):
        if ln.page_start and page:
            flush()
        page.append(i)
    flush()
    return single


def _paragraph_break(prev: _Line, cur: _Line, gap: Sequence[_Line], *, width: float, single: bool) -> bool:
    if prev.footnote != cur.footnote:
        return True
    if cur.footnote and _FOOTNOTE_START.match(cur.text):
        return True  # a new note
    text = prev.content
    if text.endswith("-") and not text.endswith("--"):
        return False
    page_break = cur.page_start or any(g.kind == "pagenum" or g.page_start for g in gap)
    if not page_break:
        if any(g.kind in ("space", "rule") for g in gap):
            return True
        if single and any(g.kind == "empty" for g in gap):
            return True
        if sum(g.kind == "empty" for g in gap) >= 2:
            return True
    # the line ended early: the next line's first word would have fitted on it
    room = width - len(text)
    if room > len(_first_word(cur.content)) + 1 + 0.1 * width:
        return True
    return bool(_SENTENCE_END.search(text)) and len(text) < 0.75 * width


def clean_pdf_text_report(raw: str, *, lang: str | None = None) -> tuple[str, OffsetMap, PdfCleanReport]:
    """Like :func:`clean_pdf_text`, and also return a :class:`PdfCleanReport` of what was done."""
    del lang  # the hyphen judgement consults nb and da frequencies; kept for a future per-language choice
    report = PdfCleanReport(chars_in=len(raw))
    text0 = raw.replace("\r\n", "\n").replace("\r", "\n") if "\r" in raw else raw
    if text0 is not raw:
        # keep offsets aligned with the raw text: CRLF -> LF is an edit like any other
        text0, m0 = sub_tracked(r"\r\n?", "\n", raw)
    else:
        m0 = OffsetMap()

    # step 1: move footnotes that cut into a sentence behind the end of that sentence
    lines = _split_lines(text0)
    moves: list[tuple[int, int, int]] = []
    footnote_ranges: list[tuple[int, int]] = []
    for first, end in _footnote_blocks(lines):
        pj = _prev_text(lines, first)
        start_off, end_off = lines[first].start, lines[end].start
        target = None
        if pj is not None and not _SENTENCE_END.search(lines[pj].content):
            for k in range(end, min(end + _SENTENCE_SCAN_LINES, len(lines))):
                if lines[k].kind == "rule":
                    break
                if lines[k].kind == "text" and _FULL_STOP.search(lines[k].content):
                    n = k + 1
                    while n < len(lines) and lines[n].kind == "empty":
                        n += 1
                    target = lines[n].start if n < len(lines) else None
                    break
        if target is not None and target > end_off:
            moves.append((start_off, end_off, target))
        footnote_ranges.append((start_off, end_off))
    if moves:
        text1, m1 = _move_tracked(text0, moves)
        report.footnotes_moved = len(moves)
        # where the footnote blocks stand after the move: invert the (piecewise exact) map at their starts
        new_ranges = []
        for fs, fe in footnote_ranges:
            for (c, r), nxt in zip(m1.anchors, (*m1.anchors[1:], (len(text1), None))):
                if r <= fs < r + (nxt[0] - c):
                    new_ranges.append((c + fs - r, c + fs - r + (fe - fs)))
                    break
        footnote_ranges = new_ranges
    else:
        text1, m1 = text0, OffsetMap()

    # step 2: page marks, page numbers, blank lines, line joins and hyphens
    lines = _split_lines(text1)
    for ln in lines:
        ln.footnote = any(s <= ln.start < e for s, e in footnote_ranges)
        if ln.footnote and ln.kind == "pagenum":
            ln.kind = "text"
    report.page_marks = sum(1 for ln in lines if ln.page_start)
    report.page_numbers = [ln.content for ln in lines if ln.kind == "pagenum"]
    text_idx = [i for i, ln in enumerate(lines) if ln.kind == "text"]
    lengths = sorted(len(lines[i].content) for i in text_idx if not lines[i].footnote)
    width = float(lengths[int(0.9 * (len(lengths) - 1))]) if lengths else 80.0
    width = max(width, 40.0)
    single = _page_spacing(lines)
    doc_words = Counter(w.lower() for w in re.findall(r"\w+(?:-\w+)*", text1))
    edits: list[tuple[int, int, str]] = []
    if not text_idx:
        edits.append((0, len(text1), ""))
    else:
        first = lines[text_idx[0]]
        edits.append((0, first.cstart, ""))
        for a, b in itertools.pairwise(text_idx):
            prev, cur = lines[a], lines[b]
            gap = lines[a + 1 : b]
            if _paragraph_break(prev, cur, gap, width=width, single=single.get(b, False)):
                edits.append((prev.cend, cur.cstart, "\n\n"))
                continue
            text = prev.content
            if text.endswith("-") and not text.endswith("--") and len(text) > 1:
                how = _hyphen_join(text, cur.content, doc_words)
                if how == "drop":
                    report.hyphens_dropped += 1
                    edits.append((prev.cend - 1, cur.cstart, ""))
                elif how == "suspended":
                    report.suspended_compounds += 1
                    edits.append((prev.cend, cur.cstart, " "))
                else:
                    report.hyphens_kept += 1
                    edits.append((prev.cend, cur.cstart, ""))
            else:
                edits.append((prev.cend, cur.cstart, " "))
        edits.append((lines[text_idx[-1]].cend, len(text1), ""))
    text2, m2 = apply_edits(text1, edits)

    # step 3: runs of spaces inside lines; step 4: NFC
    text3, m3 = sub_tracked(r"[ \t\u00a0]{2,}|\t", " ", text2)
    text4, m4 = nfc_tracked(text3)
    offset_map = m4.compose(m3.compose(m2.compose(m1.compose(m0))))
    report.chars_kept = len(text4)
    pos = 0
    for para in text4.split("\n\n"):
        report.paragraphs.append((pos, pos + len(para)))
        pos += len(para) + 2
    return text4, offset_map, report


def clean_pdf_text(raw: str) -> tuple[str, OffsetMap]:
    """Clean text extracted from a PDF; return the text and the map from its offsets to offsets in ``raw``.

    Paragraphs are separated by one empty line (``"\\n\\n"``); lines within a paragraph are joined.

    Examples
    --------
    >>> raw = " Klyngen har et NCE-\\n\\nprogrammet og et konkurranse- \\n\\nog innovasjonsmiljø.\\n\\n12 \\n"
    >>> text, m = clean_pdf_text(raw)
    >>> text
    'Klyngen har et NCE-programmet og et konkurranse- og innovasjonsmiljø.'
    >>> raw[m.to_raw(text.index("programmet"))]
    'p'
    """
    text, offset_map, _ = clean_pdf_text_report(raw)
    return text, offset_map


# a line that opens with a speaker label (optionally after a timestamp), as in typed transcripts
_SPEAKER_LINE = re.compile(
    r"^\s*(?:\[?\(?\d{1,2}:\d{2}(?::\d{2})?\]?\)?\s*-?\s*)?[^\W\d_][\w.]{0,20}(?: \d+)?\s*:\s"
)


def looks_like_pdf_text(raw: str) -> bool:
    """Guess whether ``raw`` is text extracted from a PDF (for a reader that must choose between plain transcript
    and PDF-text cleaning): most lines followed by an empty line, or page-start marks, page numbers or footnote
    rules on a sizeable share of the text.

    Examples
    --------
    >>> looks_like_pdf_text(" Forord \\n\\nDette er en tekst \\n\\nsom fortsetter her. \\n\\n3 \\n Neste side \\n")
    True
    >>> looks_like_pdf_text("I: Hvordan gikk det?\\nR: Jo, bra.\\nI: Fint.\\n")
    False
    """
    head = raw[:200_000]
    # Cheap answer for typed transcripts first: a speaker line is never a page number, so if speaker lines are
    # over a fifth of all lines they are over a fifth of the text lines counted below.
    parts = head.split("\n")
    if sum(1 for part in parts if _SPEAKER_LINE.match(part)) > 0.2 * len(parts):
        return False
    lines = _split_lines(head)
    text_idx = [i for i, ln in enumerate(lines) if ln.kind == "text"]
    if len(text_idx) < 3:
        return False
    if sum(1 for i in text_idx if _SPEAKER_LINE.match(lines[i].text)) > 0.2 * len(text_idx):
        return False  # a typed transcript with speaker labels, however it is wrapped
    doubled = sum(
        1
        for i in text_idx
        if i + 2 < len(lines) and lines[i + 1].kind == "empty" and lines[i + 2].kind != "empty"
    ) / len(text_idx)
    marks = sum(1 for ln in lines if ln.page_start or ln.kind in ("pagenum", "rule"))
    return doubled >= 0.5 or marks >= max(2, len(text_idx) // 40)


def read_pdf_text(
    path: str | Path, *, lang: str | None = None, id: str | None = None, encoding: str | None = None
) -> Transcript:
    """Read a text file extracted from a PDF and return one cleaned :class:`~nlp.model.Transcript`.

    Each paragraph becomes a segment of kind ``other`` (a thesis or report has no speaker turns). The transcript's
    ``meta`` records characters in and kept, page marks, page numbers removed, footnotes moved and hyphen
    decisions. The bytes are decoded with :func:`nlp.clean.decode_bytes` (``encoding`` forces a codec); offsets in
    the map refer to the decoded text.
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read the file ({exc.strerror}).", path=path) from exc
    if not data.strip():
        raise InputError("the file is empty.", path=path, fix="extract the PDF's text again.")
    raw, encoding = decode_bytes(data, path=path, encoding=encoding)
    text, offset_map, report = clean_pdf_text_report(raw, lang=lang)
    segments = tuple(Segment(start=s, end=e, kind="other", lang=lang) for s, e in report.paragraphs if e > s)
    return Transcript(
        id=id or path.stem,
        text=text,
        segments=segments,
        source=str(path),
        encoding=encoding,
        lang=lang,
        offset_map=offset_map,
        meta={"format": "pdf-text", **report.as_meta()},
    )
