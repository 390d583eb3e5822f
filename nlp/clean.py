"""Text cleaning that keeps a map back to the raw file: encodings, mojibake, NFC, extraction artefacts.

Every cleaning step is an edit list applied with :func:`apply_edits`, which returns the new text and the
:class:`~nlp.model.OffsetMap` from new offsets to old ones; steps chain with :meth:`OffsetMap.compose`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable

from .model import OffsetMap

__all__ = ["apply_edits", "sub_tracked", "nfc_tracked"]


def apply_edits(text: str, edits: Iterable[tuple[int, int, str]]) -> tuple[str, OffsetMap]:
    """Replace ``text[start:end]`` by ``replacement`` for each non-overlapping edit; map new offsets to old.

    Examples
    --------
    >>> new, m = apply_edits("ab--cd", [(2, 4, "")])
    >>> new, m.to_raw(2)
    ('abcd', 4)
    """
    pieces: list[str] = []
    anchors: list[tuple[int, int]] = [(0, 0)]
    pos = 0   # in the old text
    out = 0   # in the new text
    for start, end, repl in sorted(edits, key=lambda e: (e[0], e[1])):
        if start < pos or end < start:
            raise ValueError(f"edits overlap or are unordered at {start}..{end}")
        pieces.append(text[pos:start])
        out += start - pos
        if repl or end != start:
            anchors.append((out, start))
            pieces.append(repl)
            out += len(repl)
            anchors.append((out, end))
        pos = end
    pieces.append(text[pos:])
    # keep the last anchor for each new offset (a deletion leaves two anchors on one offset)
    merged: dict[int, int] = {}
    for c, r in anchors:
        merged[c] = r
    simplified: list[tuple[int, int]] = []
    for c, r in sorted(merged.items()):
        if simplified and r - simplified[-1][1] == c - simplified[-1][0]:
            continue  # same shift as the previous run
        simplified.append((c, r))
    return "".join(pieces), OffsetMap(tuple(simplified))


def sub_tracked(pattern: str | re.Pattern[str], repl: str | Callable[[re.Match[str]], str],
                text: str) -> tuple[str, OffsetMap]:
    """``re.sub`` that also returns the offset map from the new text to ``text``."""
    rx = re.compile(pattern) if isinstance(pattern, str) else pattern
    edits = [(m.start(), m.end(), repl(m) if callable(repl) else m.expand(repl)) for m in rx.finditer(text)]
    return apply_edits(text, edits)


def nfc_tracked(text: str) -> tuple[str, OffsetMap]:
    """Unicode NFC (decomposed "å" -> "å") with the offset map; a no-op map when the text is already NFC."""
    if unicodedata.is_normalized("NFC", text):
        return text, OffsetMap()
    # normalise per run of a base character and its combining marks so offsets stay local
    return sub_tracked(r".[\u0300-\u036f]+", lambda m: unicodedata.normalize("NFC", m.group()), text)
