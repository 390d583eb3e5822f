"""Plain-text sources and their position conventions (BOM, CRLF).

REFI-QDA positions are offsets into the plain-text source, but the schema gives no unit. We count Unicode code points,
end-exclusive, into the decoded file without its BOM. Line breaks differ: MAXQDA expects CRLF files (a ``"\\r\\n"``
is two positions), ATLAS.ti counts ``"\\r\\n"`` as one position.

Inside the toolkit a text is *canonical*: line breaks are ``"\\n"`` (carriage returns before a line feed are dropped)
and there is no leading U+FEFF. Export writes the canonical text with the chosen line break and converts the offsets;
import canonicalises the file text and converts back, keeping an :class:`~nlp.model.OffsetMap` to the raw file.
"""

from __future__ import annotations

import bisect
import codecs
import re
from collections.abc import Callable
from pathlib import Path

from ..errors import EncodingError
from ..model import OffsetMap

__all__ = ["NEWLINES", "Canonical", "canonicalise", "decode_source", "file_text"]

NEWLINES = ("lf", "crlf")
# Characters dropped from a text to make it canonical: a leading BOM, and carriage returns before a line feed.
_DROPPED = re.compile("\\A\ufeff+|\r+(?=\n)")


class Canonical:
    """A text with its canonical form and the offset maps between the two.

    Examples
    --------
    >>> c = Canonical("a\\r\\nb")
    >>> c.text, c.to_canonical(3), c.offset_map.to_raw(2)
    ('a\\nb', 2, 3)
    """

    def __init__(self, raw: str) -> None:
        self.raw = raw
        runs = [(m.start(), m.end()) for m in _DROPPED.finditer(raw)]
        self._starts = [s for s, _ in runs]
        self._ends = [e for _, e in runs]
        self._before: list[int] = []  # characters dropped before each run
        dropped = 0
        parts, pos = [], 0
        anchors = [(0, 0)]
        for s, e in runs:
            self._before.append(dropped)
            parts.append(raw[pos:s])
            pos = e
            dropped += e - s
            # after a dropped BOM, clean offset maps to the next raw character; after dropped "\r"s the "\n" keeps
            # mapping to the first "\r" (so a span ending at a line break leaves the "\r" out) until past the "\n"
            anchors.append((e - dropped, e) if raw[s] == "\ufeff" else (e - dropped + 1, e + 1))
        parts.append(raw[pos:])
        self.text = "".join(parts)
        self.offset_map = OffsetMap(tuple(dict(anchors).items())) if runs else OffsetMap()

    def to_canonical(self, offset: int) -> int:
        """Canonical offset of raw ``offset`` (an offset inside a dropped run moves to the run's start)."""
        i = bisect.bisect_right(self._starts, offset) - 1
        if i < 0:
            return offset
        if offset < self._ends[i]:
            return self._starts[i] - self._before[i]
        return offset - self._before[i] - (self._ends[i] - self._starts[i])


def canonicalise(raw: str) -> Canonical:
    """Drop a leading BOM and carriage returns before line feeds, keeping the offset maps."""
    return Canonical(raw)


def file_text(canonical: str, newline: str) -> tuple[str, Callable[[int], int]]:
    """The text to write for ``newline`` (``lf`` or ``crlf``) and a map canonical offset -> file offset."""
    if newline == "lf":
        return canonical, lambda o: o
    breaks = [m.start() for m in re.finditer("\n", canonical)]
    return canonical.replace("\n", "\r\n"), lambda o: o + bisect.bisect_left(breaks, o)


def decode_source(data: bytes, *, path: str | Path, member: str) -> tuple[str, str]:
    """Decode a plain-text source (UTF-8, with or without BOM; UTF-16 with BOM) -> (text without BOM, encoding)."""
    try:
        if data.startswith(codecs.BOM_UTF8):
            return data[len(codecs.BOM_UTF8):].decode("utf-8"), "utf-8-sig"
        if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return data.decode("utf-16"), "utf-16"
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        raise EncodingError(f"source {member!r} is not valid UTF-8 (byte {exc.start}: {exc.reason}).", path=path,
                            fix="REFI-QDA plain-text sources are UTF-8; export the project again.") from exc
