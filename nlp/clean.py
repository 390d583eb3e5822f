"""Text cleaning that keeps a map back to the raw file: encodings, mojibake, NFC, extraction artefacts.

Every cleaning step is an edit list applied with :func:`apply_edits`, which returns the new text and the
:class:`~nlp.model.OffsetMap` from new offsets to old ones; steps chain with :meth:`OffsetMap.compose`.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from collections.abc import Callable, Iterable
from pathlib import Path

from .errors import EncodingError
from .model import OffsetMap

__all__ = ["apply_edits", "decode_bytes", "nfc_tracked", "repair_mojibake", "sub_tracked"]


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
    pos = 0  # in the old text
    out = 0  # in the new text
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
    # keep the last anchor for each new offset (a deletion leaves two anchors on one offset); the new offsets
    # were appended in increasing order, so the dict keeps them sorted
    merged = dict(anchors)
    simplified: list[tuple[int, int]] = []
    for c, r in merged.items():
        if simplified and r - simplified[-1][1] == c - simplified[-1][0]:
            continue  # same shift as the previous run
        simplified.append((c, r))
    return "".join(pieces), OffsetMap(tuple(simplified))


def sub_tracked(
    pattern: str | re.Pattern[str], repl: str | Callable[[re.Match[str]], str], text: str
) -> tuple[str, OffsetMap]:
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


# --- decoding and mojibake (ingest) -------------------------------------------------------------------------------

#: Byte-order marks, longest first (a UTF-32-LE BOM starts with the UTF-16-LE one).
_BOMS = (
    (b"\xff\xfe\x00\x00", "utf-32-le", "utf-32"),
    (b"\x00\x00\xfe\xff", "utf-32-be", "utf-32"),
    (b"\xef\xbb\xbf", "utf-8", "utf-8-sig"),
    (b"\xff\xfe", "utf-16-le", "utf-16"),
    (b"\xfe\xff", "utf-16-be", "utf-16"),
)


def _looks_utf16(data: bytes) -> str | None:
    """``utf-16-le``/``utf-16-be`` when a BOM-less sample has NULs in every other byte (ASCII-heavy UTF-16)."""
    sample = data[:4096]
    if len(sample) < 4:
        return None
    sample = sample[: len(sample) // 2 * 2]
    even = sample[0::2].count(0) / (len(sample) // 2)
    odd = sample[1::2].count(0) / (len(sample) // 2)
    if odd > 0.3 and even < 0.05:
        return "utf-16-le"
    if even > 0.3 and odd < 0.05:
        return "utf-16-be"
    return None


def _control_ratio(text: str) -> float:
    """Share of characters that never occur in text files (C0 controls other than tab/newline/CR/FF, C1 controls)."""
    if not text:
        return 0.0
    bad = sum(1 for ch in text[:20000] if (ch < " " and ch not in "\t\n\r\f\v") or "\x80" <= ch <= "\x9f")
    return bad / min(len(text), 20000)


def decode_bytes(
    data: bytes, *, path: str | Path | None = None, encoding: str | None = None
) -> tuple[str, str]:
    """Decode a text file's bytes, detecting the encoding; return ``(text, encoding_name)``.

    Detection order: byte-order mark (UTF-8, UTF-16, UTF-32), BOM-less UTF-16 (NULs in every other byte),
    binary content (NUL or control bytes: an error), strict UTF-8, then cp1252 (Windows Norwegian/Danish Word files)
    and latin-1. The BOM is dropped from the text. Mojibake (``Ã¦Ã¸Ã¥``) is *not* repaired here: the decoded text is
    the raw reference for offsets; repair it with :func:`repair_mojibake`, which keeps the offset map.

    Parameters
    ----------
    data
        The file's bytes.
    path
        Named in error messages.
    encoding
        Force this codec (any Python codec name) instead of detecting one.

    Raises
    ------
    EncodingError
        Binary content, an unknown codec name, bytes that the forced codec cannot decode, or text whose encoding
        cannot be told (many control characters after every candidate decoding).

    Examples
    --------
    >>> decode_bytes("blåbær".encode("cp1252"))
    ('blåbær', 'cp1252')
    >>> decode_bytes(b"\\xef\\xbb\\xbfhei")
    ('hei', 'utf-8-sig')
    """
    if encoding is not None:
        try:
            info = codecs.lookup(encoding)
        except LookupError:
            raise EncodingError(
                f"unknown encoding {encoding!r}.",
                path=path,
                fix="give a Python codec name such as utf-8, cp1252, latin-1 or utf-16, or leave "
                "--encoding out to detect it.",
            ) from None
        try:
            text = data.decode(info.name)
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            raise EncodingError(
                f"the bytes are not valid {info.name} (byte {exc.start}).",
                path=path,
                line=line,
                fix="leave --encoding out to detect the encoding, or give the right one.",
            ) from None
        text = text.removeprefix("\ufeff")
        return text, info.name
    for bom, _codec, name in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(name).removeprefix("\ufeff"), name
            except UnicodeDecodeError as exc:
                raise EncodingError(
                    f"the file starts with a {name} byte-order mark but its bytes are not valid "
                    f"{name} (byte {exc.start}).",
                    path=path,
                    fix="re-save the file as UTF-8, or give --encoding.",
                ) from None
    utf16 = _looks_utf16(data)
    if utf16 is not None:
        try:
            return data.decode(utf16), utf16
        except UnicodeDecodeError:
            pass
    if b"\x00" in data[:8192] or _binary_ratio(data[:8192]) > 0.10:
        raise EncodingError(
            "this is a binary file, not text.",
            path=path,
            fix="give a transcript as .txt, .docx, .vtt, .srt, .csv or .jsonl (export it from the "
            "program that made it).",
        )
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    for name in ("cp1252", "latin-1"):
        try:
            text = data.decode(name)
        except UnicodeDecodeError:
            continue
        if _control_ratio(text) <= 0.01:
            return text, name
    raise EncodingError(
        "cannot tell the file's encoding (not UTF-8, UTF-16, cp1252 or latin-1).",
        path=path,
        fix="re-save the file as UTF-8 text, or give the encoding with --encoding.",
    )


#: Every byte except the C0 controls that never occur in text files (tab, newline, VT, FF, CR and ESC do).
_TEXT_BYTES = bytes(b for b in range(256) if b >= 32 or b in (9, 10, 11, 12, 13, 27))


def _binary_ratio(sample: bytes) -> float:
    if not sample:
        return 0.0
    bad = len(sample.translate(None, _TEXT_BYTES))  # deleting the text bytes leaves the control bytes
    return bad / len(sample)


# A UTF-8 sequence of 2-3 bytes mis-decoded as cp1252 (or latin-1): a lead byte C2-EF then continuation bytes,
# which cp1252 shows as these characters (0x80-0x9F) or as U+00A0-U+00BF.
_CONT = (
    "[\u20ac\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u017d\u2018\u2019\u201c\u201d"
    "\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u017e\u0178\u00a0-\u00bf\u0080-\u009f]"
)
_MOJIBAKE = re.compile(f"(?:[\u00c2-\u00df]{_CONT}|[\u00e0-\u00ef]{_CONT}{{2}})+")
# Where a _MOJIBAKE run can start. It opens with a character class, which the regex engine scans for quickly,
# unlike _MOJIBAKE's repeated alternation: most texts have no such place, and then the full scan is skipped.
_MOJIBAKE_START = re.compile(f"[\u00c2-\u00ef]{_CONT}")


def _plausible(ch: str) -> bool:
    # what a repaired sequence may decode to: Latin-1 letters and signs (all Nordic letters), general punctuation,
    # euro, trade mark. Not Latin Extended: "Å»" in «GÅ» would otherwise become "Ż".
    o = ord(ch)
    return 0xA0 <= o <= 0xFF or 0x2010 <= o <= 0x206F or o in (0x20AC, 0x2122)


def _unmojibake(run: str) -> str | None:
    raw = bytearray()
    for ch in run:
        try:
            raw += ch.encode("cp1252")
        except UnicodeEncodeError:
            if ord(ch) > 0xFF:
                return None
            raw.append(ord(ch))  # latin-1 decoding of bytes cp1252 leaves undefined (0x81, 0x8D, ...)
    try:
        fixed = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return fixed if all(_plausible(c) for c in fixed) else None


def repair_mojibake(text: str) -> tuple[str, OffsetMap, int]:
    """Repair UTF-8 text that was decoded as cp1252/latin-1 (``Ã¦Ã¸Ã¥`` -> ``æøå``), keeping the offset map.

    Only runs that decode back to Latin letters or punctuation are replaced, so real text such as ``NØ”`` is
    left alone. Returns the repaired text, the map from repaired to given offsets, and the number of runs repaired.

    Examples
    --------
    >>> new, m, n = repair_mojibake("nÃ¦ringsklynge pÃ¥ RÃ¸ros")
    >>> new, n, m.to_raw(new.index("Røros"))
    ('næringsklynge på Røros', 3, 19)
    """
    first = _MOJIBAKE_START.search(text)
    if first is None:
        return text, OffsetMap(), 0
    edits = []
    for m in _MOJIBAKE.finditer(text, first.start()):
        fixed = _unmojibake(m.group())
        if fixed is not None:
            edits.append((m.start(), m.end(), fixed))
    if not edits:
        return text, OffsetMap(), 0
    new, offsets = apply_edits(text, edits)
    return new, offsets, len(edits)
