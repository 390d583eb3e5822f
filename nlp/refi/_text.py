"""Plain-text sources and their position conventions (BOM, CRLF, UTF-16).

REFI-QDA positions are offsets into the plain-text source, end-exclusive, into the decoded file without its BOM; the
schema gives no unit and the programs differ on two points:

- the unit: REFI-QDA 1.5 says Unicode code points, but NVivo counts UTF-16 code units, so a character outside the
  Basic Multilingual Plane (an emoji) is two positions;
- line breaks: a ``"\\r\\n"`` in the file is two positions for most writers, one for ATLAS.ti (and some others).

That makes four :data:`CONVENTIONS`. :class:`SourcePositions` converts each into canonical offsets and
:meth:`SourcePositions.decide` picks one per source from evidence (positions past the end under one reading but not
another, selections that split a surrogate pair or a CRLF, selection edges inside words), the origin as a tie-break.

Inside the toolkit a text is *canonical*: line breaks are ``"\\n"`` (carriage returns before a line feed are dropped)
and there is no leading U+FEFF. Export writes the canonical text with the chosen line break and converts the offsets;
import canonicalises the file text and converts back, keeping an :class:`~nlp.model.OffsetMap` to the raw file.
"""

from __future__ import annotations

import bisect
import codecs
import functools
import re
from collections.abc import Callable, Sequence
from pathlib import Path

from ..errors import EncodingError
from ..model import OffsetMap

__all__ = [
    "CONVENTIONS",
    "NEWLINES",
    "Canonical",
    "SourcePositions",
    "canonicalise",
    "decode_source",
    "file_text",
    "utf16_offsets",
]

NEWLINES = ("lf", "crlf")
#: How a file counts positions: code points or UTF-16 units, ``"\\r\\n"`` as two (the file as stored) or one.
CONVENTIONS = ("codepoints", "crlf-as-one", "utf16", "utf16-crlf-as-one")
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


def file_text(canonical: str, newline: str, unit: str = "codepoints") -> tuple[str, Callable[[int], int]]:
    """The text to write for ``newline`` (``lf`` or ``crlf``) and a map canonical offset -> file position, counted
    in ``unit`` (``codepoints``, or ``utf16`` units as NVivo reads them)."""
    if newline == "lf":
        text, to_file = canonical, (lambda o: o)
    else:
        breaks = [m.start() for m in re.finditer("\n", canonical)]
        text, to_file = canonical.replace("\n", "\r\n"), (lambda o: o + bisect.bisect_left(breaks, o))
    if unit == "utf16" and not text.isascii():
        to_units = utf16_offsets(text)
        return text, lambda o: to_units(to_file(o))
    return text, to_file


def decode_source(data: bytes, *, path: str | Path, member: str) -> tuple[str, str]:
    """Decode a plain-text source (UTF-8, with or without BOM; UTF-16 with BOM) -> (text without BOM, encoding)."""
    try:
        if data.startswith(codecs.BOM_UTF8):
            return data[len(codecs.BOM_UTF8) :].decode("utf-8"), "utf-8-sig"
        if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return data.decode("utf-16"), "utf-16"
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        raise EncodingError(
            f"source {member!r} is not valid UTF-8 (byte {exc.start}: {exc.reason}).",
            path=path,
            fix="REFI-QDA plain-text sources are UTF-8; export the project again.",
        ) from exc


_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


def _astral(text: str) -> list[int]:
    """Code-point indices of the characters outside the Basic Multilingual Plane (two UTF-16 units each)."""
    return [m.start() for m in _ASTRAL.finditer(text)]


def utf16_offsets(text: str) -> Callable[[int], int]:
    """A map code-point offset of ``text`` -> UTF-16 unit offset (what NVivo counts)."""
    astral = _astral(text)
    if not astral:
        return lambda o: o
    return lambda o: o + bisect.bisect_left(astral, o)


class _Units:
    """UTF-16 unit offsets of one text -> code-point offsets (None for an offset inside a surrogate pair)."""

    def __init__(self, text: str) -> None:
        self.n = len(text)
        astral = _astral(text)
        self.starts = [cp + i for i, cp in enumerate(astral)]  # UTF-16 offset of each astral character

    def to_codepoint(self, unit: int) -> int | None:
        k = bisect.bisect_left(
            self.starts, unit
        )  # astral characters wholly before ``unit``... or split by it
        if k and self.starts[k - 1] + 1 == unit:
            return None
        cp = unit - k
        return cp if 0 <= cp <= self.n else None


class SourcePositions:
    """The positions of one plain-text source under each :data:`CONVENTIONS`, as canonical offsets.

    Examples
    --------
    >>> sp = SourcePositions("a\\U0001f600b\\r\\nc")
    >>> sp.text, sp.differing
    ('a\\U0001f600b\\nc', ('codepoints', 'crlf-as-one', 'utf16', 'utf16-crlf-as-one'))
    >>> [sp.to_canonical(6, c) for c in sp.differing]
    [5, None, 4, 5]
    """

    def __init__(self, raw: str) -> None:
        self.raw = raw
        self.canonical = Canonical(raw)
        self.text = self.canonical.text
        has_astral, has_cr = _ASTRAL.search(raw) is not None, "\r" in raw
        #: conventions that read this file differently (the others give the same offsets as one of these)
        self.differing = tuple(
            c
            for c in CONVENTIONS
            if (has_astral or not c.startswith("utf16")) and (has_cr or not c.endswith("crlf-as-one"))
        )

    @functools.cached_property
    def _raw_units(self) -> _Units:
        return _Units(self.raw)

    @functools.cached_property
    def _canon_units(self) -> _Units:
        return _Units(self.text)

    def length(self, convention: str) -> int:
        """How many positions the text has under ``convention``."""
        text = self.text if convention.endswith("crlf-as-one") else self.raw
        return len(text) + (
            len(self._canon_units.starts if text is self.text else self._raw_units.starts)
            if convention.startswith("utf16")
            else 0
        )

    def to_canonical(self, pos: int, convention: str) -> int | None:
        """Canonical offset of file position ``pos`` read as ``convention``; None if impossible under it (past the
        end, or inside a surrogate pair)."""
        if pos < 0:
            return None
        one = convention.endswith("crlf-as-one")
        if convention.startswith("utf16"):
            cp = (self._canon_units if one else self._raw_units).to_codepoint(pos)
            if cp is None:
                return None
        else:
            cp = pos
        if one:
            return cp if cp <= len(self.text) else None
        return self.canonical.to_canonical(cp) if cp <= len(self.raw) else None

    def _splits(self, pos: int, convention: str) -> bool:
        """True when ``pos`` falls between the ``"\\r"`` and ``"\\n"`` of a line break (no program selects that)."""
        if convention.endswith("crlf-as-one"):
            return False
        cp = self._raw_units.to_codepoint(pos) if convention.startswith("utf16") else pos
        return cp is not None and 0 < cp < len(self.raw) and self.raw[cp - 1] == "\r" and self.raw[cp] == "\n"

    def score(self, positions: Sequence[int], convention: str) -> int | None:
        """Selection edges that fall between words (not inside one, not inside a CRLF) when read as
        ``convention``; None if some position is impossible under it."""
        good = 0
        text = self.text
        for pos in positions:
            c = self.to_canonical(pos, convention)
            if c is None:
                return None
            inside = 0 < c < len(text) and text[c - 1].isalnum() and text[c].isalnum()
            good += not inside and not self._splits(pos, convention)
        return good

    def decide(self, positions: Sequence[int], hint: str) -> tuple[str, str]:
        """The convention to read ``positions`` (every start and end of this source) with, and why.

        ``hint`` is the convention the project's origin suggests. The evidence overrules it only when it is clear:
        some position is impossible under the hint, or another reading puts clearly more selection edges between
        words (at least 2 more, and a tenth of all edges).
        """
        if len(self.differing) == 1:
            return "codepoints", "all conventions agree for this text"
        hint = hint if hint in self.differing else "codepoints"
        scores = {c: self.score(positions, c) for c in self.differing}
        feasible = {c: s for c, s in scores.items() if s is not None}
        if not feasible:
            return hint, "no convention fits every position"
        best = max(feasible.values())
        winner = next(c for c in self.differing if feasible.get(c) == best)
        hint_score = feasible.get(hint)
        if hint_score == best:
            return hint, f"the evidence, as the origin suggests ({_describe(scores)})"
        if hint_score is not None and best - hint_score < max(2, len(positions) / 10):
            return hint, f"the origin; the evidence is not clear ({_describe(scores)})"
        return winner, f"the evidence ({_describe(scores)})"


def _describe(scores: dict[str, int | None]) -> str:
    return ", ".join(f"{c}: {'impossible' if s is None else f'{s} clean edges'}" for c, s in scores.items())
