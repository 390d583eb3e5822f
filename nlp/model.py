"""The data model: a transcript owns its text once; segments and codes are offsets into it.

Offsets are Unicode code points, end-exclusive, into ``Transcript.text`` (the cleaned analysis text). An
:class:`OffsetMap` maps every cleaned offset back to an offset in the decoded raw file, so a code can always be shown
in the file the researcher gave us.

JSONL is the exchange format between stages: one transcript per line, lossless (``from_json(to_json(t)) == t``).
"""

from __future__ import annotations

import bisect
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

import orjson

from .errors import InputError

__all__ = [
    "CODE_SOURCES",
    "POLARITY_PREFIX",
    "SEGMENT_KINDS",
    "CodeSpan",
    "OffsetMap",
    "Segment",
    "Transcript",
    "Unit",
    "atomic_write_text",
    "atomic_writer",
    "concept_codes",
    "is_transcript_record",
    "iter_units",
    "json_line",
    "json_object",
    "read_jsonl",
    "write_jsonl",
]

SEGMENT_KINDS = ("question", "answer", "other")
CODE_SOURCES = ("human", "auto")
#: Polarity (driver/barrier/neutral) is a second coding dimension; its spans carry codes ``"polarity:driver"`` etc.
POLARITY_PREFIX = "polarity:"

SegmentKind = Literal["question", "answer", "other"]
CodeSource = Literal["human", "auto"]


@dataclass(frozen=True)
class OffsetMap:
    """Piecewise map from cleaned-text offsets to raw-text offsets.

    ``anchors`` is a sorted tuple of ``(clean_offset, raw_offset)`` pairs; between two anchors the map is a shift
    (``raw = raw_anchor + (i - clean_anchor)``). The identity map has the single anchor ``(0, 0)``.

    Examples
    --------
    >>> m = OffsetMap(((0, 0), (5, 8)))  # three raw characters were removed after clean offset 5
    >>> m.to_raw(4), m.to_raw(5), m.to_raw(7)
    (4, 8, 10)
    """

    anchors: tuple[tuple[int, int], ...] = ((0, 0),)

    def __post_init__(self) -> None:
        anchors = tuple((int(c), int(r)) for c, r in self.anchors) or ((0, 0),)
        if anchors[0][0] != 0:
            anchors = ((0, 0), *anchors)
        object.__setattr__(self, "anchors", anchors)
        object.__setattr__(self, "_keys", [c for c, _ in anchors])

    def to_raw(self, offset: int) -> int:
        """Raw-file offset (code points into the decoded file) of cleaned offset ``offset``."""
        i = bisect.bisect_right(self._keys, offset) - 1  # type: ignore[attr-defined]
        clean, raw = self.anchors[max(i, 0)]
        return raw + (offset - clean)

    def compose(self, inner: OffsetMap) -> OffsetMap:
        """Chain two cleaning steps: ``self`` maps stage-2 to stage-1 offsets, ``inner`` stage-1 to raw offsets.

        Examples
        --------
        >>> step1 = OffsetMap(((0, 0), (3, 5)))   # raw -> stage 1 removed two characters after offset 3
        >>> step2 = OffsetMap(((0, 0), (1, 2)))   # stage 1 -> stage 2 removed one character after offset 1
        >>> step2.compose(step1).to_raw(3)        # stage-2 offset 3 is stage-1 offset 4, raw offset 6
        6
        """
        points = {c for c, _ in self.anchors}
        raws = [r for _, r in self.anchors]  # built once: building it per anchor made compose quadratic
        for stage1, _ in inner.anchors:
            # first stage-2 offset whose stage-1 image is at or past this anchor of the inner map
            i = bisect.bisect_right(raws, stage1) - 1
            clean, raw = self.anchors[max(i, 0)]
            p = clean + max(stage1 - raw, 0)
            if i + 1 < len(self.anchors):
                p = min(p, self.anchors[i + 1][0])
            points.add(p)
        return OffsetMap(tuple((p, inner.to_raw(self.to_raw(p))) for p in sorted(points)))

    def to_json(self) -> list[list[int]]:
        return [[c, r] for c, r in self.anchors]

    @classmethod
    def from_json(cls, data: Iterable[Iterable[int]]) -> OffsetMap:
        return cls(tuple(tuple(pair) for pair in data))  # type: ignore[misc]


@dataclass(frozen=True)
class Segment:
    """A unit of a transcript: a speaker turn, an excerpt or a cue, as offsets into ``Transcript.text``.

    ``kind`` is ``question`` for the interviewer's turns, ``answer`` for the informant's and ``other`` where the
    role is unknown (e.g. a thesis excerpt). Interviewer turns are kept and marked so that nothing is lost; analysis
    excludes them by default (see :meth:`Transcript.analysis_segments`).
    """

    start: int
    end: int
    speaker: str | None = None
    kind: SegmentKind = "other"
    lang: str | None = None
    time_start: float | None = None
    time_end: float | None = None
    id: str | None = None
    meta: Mapping[str, Any] = field(default_factory=dict, compare=True, hash=False)

    def __post_init__(self) -> None:
        if self.kind not in SEGMENT_KINDS:
            raise InputError(
                f"segment kind {self.kind!r} is not one of {SEGMENT_KINDS}.",
                fix="use question (interviewer), answer (informant) or other.",
            )
        if not 0 <= self.start <= self.end:
            raise InputError(
                f"segment offsets {self.start}..{self.end} are not an ordered, non-negative range."
            )

    @property
    def is_interviewer(self) -> bool:
        return self.kind == "question"

    def to_json(self) -> dict[str, Any]:
        return _drop_none(
            {
                "id": self.id,
                "start": self.start,
                "end": self.end,
                "speaker": self.speaker,
                "kind": self.kind,
                "lang": self.lang,
                "time_start": self.time_start,
                "time_end": self.time_end,
                "meta": dict(self.meta) or None,
            }
        )

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Segment:
        return cls(
            start=data["start"],
            end=data["end"],
            speaker=data.get("speaker"),
            kind=data.get("kind", "other"),
            lang=data.get("lang"),
            time_start=data.get("time_start"),
            time_end=data.get("time_end"),
            id=data.get("id"),
            meta=dict(data.get("meta") or {}),
        )


@dataclass(frozen=True)
class CodeSpan:
    """A code applied to ``text[start:end]`` of a transcript by a coder (a person, or a model version).

    ``selection_guid`` and ``coding_guid`` are the GUIDs of the REFI-QDA ``PlainTextSelection`` and ``Coding`` the
    span was imported from (NVivo, ATLAS.ti, MAXQDA), so that an export gives them back and the program receiving
    the project can match its codings; a span of our own has none. They name the coding in another program, they
    are not what it says: two spans that differ only in them are equal.
    """

    code: str
    start: int
    end: int
    coder: str
    source: CodeSource = "human"
    confidence: float | None = None
    selection_guid: str | None = field(default=None, compare=False, repr=False)
    coding_guid: str | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.source not in CODE_SOURCES:
            raise InputError(f"code source {self.source!r} is not one of {CODE_SOURCES}.")
        if not 0 <= self.start <= self.end:
            raise InputError(
                f"code {self.code!r} has offsets {self.start}..{self.end}, not an ordered range."
            )
        if self.confidence is not None and not 0.0 <= self.confidence <= 1.0:
            raise InputError(f"code {self.code!r} has confidence {self.confidence}, outside 0..1.")

    @property
    def is_polarity(self) -> bool:
        return self.code.startswith(POLARITY_PREFIX)

    def to_json(self) -> dict[str, Any]:
        return _drop_none(
            {
                "code": self.code,
                "start": self.start,
                "end": self.end,
                "coder": self.coder,
                "source": self.source,
                "confidence": self.confidence,
                "selection_guid": self.selection_guid,
                "coding_guid": self.coding_guid,
            }
        )

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> CodeSpan:
        return cls(
            code=data["code"],
            start=data["start"],
            end=data["end"],
            coder=data["coder"],
            source=data.get("source", "human"),
            confidence=data.get("confidence"),
            selection_guid=data.get("selection_guid"),
            coding_guid=data.get("coding_guid"),
        )


@dataclass(frozen=True)
class Transcript:
    """One interview (or document): its cleaned text, once, with segments and codes as offsets into it.

    ``meta`` holds provenance and grouping (e.g. ``group`` for cross-validation, ``thesis``, ``informant``), and
    the ingest record (``chars_in``, ``chars_kept``, ``warnings``).
    """

    id: str
    text: str
    segments: tuple[Segment, ...] = ()
    codes: tuple[CodeSpan, ...] = ()
    source: str | None = None
    encoding: str | None = None
    lang: str | None = None
    offset_map: OffsetMap = field(default_factory=OffsetMap)
    meta: Mapping[str, Any] = field(default_factory=dict, compare=True, hash=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "segments", tuple(self.segments))
        object.__setattr__(self, "codes", tuple(self.codes))
        n = len(self.text)
        for s in self.segments:
            if s.end > n:
                raise InputError(
                    f"transcript {self.id!r}: segment {s.start}..{s.end} runs past the text ({n})."
                )
        for c in self.codes:
            if c.end > n:
                raise InputError(
                    f"transcript {self.id!r}: code {c.code!r} at {c.start}..{c.end} runs past the text ({n})."
                )

    def segment_text(self, segment: Segment) -> str:
        return self.text[segment.start : segment.end]

    def analysis_segments(self, *, include_interviewer: bool = False) -> tuple[Segment, ...]:
        """Segments used for analysis: the interviewer's turns only when asked for."""
        return tuple(s for s in self.segments if include_interviewer or not s.is_interviewer)

    def codes_in(self, segment: Segment, *, coder: str | None = None) -> tuple[CodeSpan, ...]:
        """Codes that apply to ``segment`` (optionally of one coder).

        A code applies when it overlaps the segment by at least half of the shorter of the two, so that a code
        span which only grazes a neighbouring turn (a common artefact of hand-selected spans) is not counted there.
        """
        out = []
        for c in self.codes:
            if coder is not None and c.coder != coder:
                continue
            overlap = min(c.end, segment.end) - max(c.start, segment.start)
            shorter = min(c.end - c.start, segment.end - segment.start)
            if overlap > 0 and 2 * overlap >= shorter:
                out.append(c)
        return tuple(out)

    def with_codes(self, codes: Iterable[CodeSpan]) -> Transcript:
        return replace(self, codes=tuple(self.codes) + tuple(codes))

    def to_json(self) -> dict[str, Any]:
        return _drop_none(
            {
                "id": self.id,
                "text": self.text,
                "source": self.source,
                "encoding": self.encoding,
                "lang": self.lang,
                "segments": [s.to_json() for s in self.segments],
                "codes": [c.to_json() for c in self.codes],
                "offset_map": self.offset_map.to_json(),
                "meta": dict(self.meta),
            }
        )

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Transcript:
        return cls(
            id=data["id"],
            text=data["text"],
            segments=tuple(Segment.from_json(s) for s in data.get("segments", ())),
            codes=tuple(CodeSpan.from_json(c) for c in data.get("codes", ())),
            source=data.get("source"),
            encoding=data.get("encoding"),
            lang=data.get("lang"),
            offset_map=OffsetMap.from_json(data.get("offset_map", [[0, 0]])),
            meta=dict(data.get("meta") or {}),
        )


def concept_codes(codes: Iterable[str]) -> frozenset[str]:
    """The theory-concept codes among ``codes``: all but the ``polarity:*`` ones.

    Examples
    --------
    >>> sorted(concept_codes(["trust_culture", "polarity:barrier", "competition"]))
    ['competition', 'trust_culture']
    """
    return frozenset(c for c in codes if not c.startswith(POLARITY_PREFIX))


@dataclass(frozen=True)
class Unit:
    """A unit of analysis (one segment) flattened for topic models, the auto-coder and agreement statistics.

    ``codes`` maps each coder to the set of codes (concepts and ``polarity:*``) that coder gave this unit.
    ``group`` is the cross-validation group (interview/informant): units of one group never straddle folds.
    ``analysis`` is the unit's :class:`nlp.features.Analysis` when it was analysed in its transcript's context
    (:meth:`nlp.corpora.Corpus.units`, tagging); models read it instead of analysing the text again.
    """

    id: str
    transcript_id: str
    text: str
    start: int
    end: int
    group: str
    speaker: str | None = None
    lang: str | None = None
    kind: SegmentKind = "other"
    source: str | None = None
    codes: Mapping[str, frozenset[str]] = field(default_factory=dict, hash=False)
    analysis: Any = field(default=None, compare=False, hash=False, repr=False)

    def concepts(self, coder: str) -> frozenset[str]:
        """The theory-concept codes ``coder`` gave this unit (polarity excluded)."""
        return concept_codes(self.codes.get(coder, ()))

    def polarity(self, coder: str) -> str | None:
        """The polarity value (``driver``, ``barrier``, ``neutral``) ``coder`` gave, or None if not coded."""
        values = sorted(
            c[len(POLARITY_PREFIX) :] for c in self.codes.get(coder, ()) if c.startswith(POLARITY_PREFIX)
        )
        return values[0] if values else None


def iter_units(transcripts: Iterable[Transcript], *, include_interviewer: bool = False) -> Iterator[Unit]:
    """Flatten transcripts into analysis units, one per segment, with every coder's codes attached.

    The group is the segment's ``meta["group"]``, else the transcript's ``meta["group"]``, else the transcript id
    (one interview = one group).
    """
    for t in transcripts:
        for seg in t.analysis_segments(include_interviewer=include_interviewer):
            by_coder: dict[str, set[str]] = {}
            for c in t.codes_in(seg):
                by_coder.setdefault(c.coder, set()).add(c.code)
            yield Unit(
                id=seg.id or f"{t.id}:{seg.start}-{seg.end}",
                transcript_id=t.id,
                text=t.segment_text(seg),
                start=seg.start,
                end=seg.end,
                group=str(seg.meta.get("group") or t.meta.get("group") or t.id),
                speaker=seg.speaker,
                lang=seg.lang or t.lang,
                kind=seg.kind,
                source=t.source,
                codes={k: frozenset(v) for k, v in by_coder.items()},
            )


def _drop_none(d: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in d.items() if v is not None}


def json_line(obj: Mapping[str, Any]) -> str:
    """One JSONL line (newline included) of a JSON object: compact, characters as they are (UTF-8 in the file).

    Every JSONL file of the package is written through this (preprocessed corpora, tagged segments, suggestions):
    orjson is 5x faster than the json module on the token lists of preprocessed transcripts, and its output is
    deterministic, which parallel and distributed tagging rely on (their output is byte-identical to one process).

    Examples
    --------
    >>> json_line({"id": "a", "text": "Røros", "starts": [0, 3], "score": 0.25})
    '{"id":"a","text":"Røros","starts":[0,3],"score":0.25}\\n'
    """
    return orjson.dumps(obj, option=orjson.OPT_NON_STR_KEYS | orjson.OPT_APPEND_NEWLINE).decode("utf-8")


def json_object(line: str, *, path: str | Path, line_no: int, fix: str) -> dict[str, Any]:
    """One line of a JSONL file as a dict; a line that is not a JSON object raises :class:`InputError` naming the
    file, the line and ``fix``.

    Examples
    --------
    >>> json_object('{"id": "a"}', path="x.jsonl", line_no=1, fix="write objects.")
    {'id': 'a'}
    """
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"not valid JSON ({exc.msg}, column {exc.colno}).", path=path, line=line_no, fix=fix
        ) from None
    except RecursionError:
        raise InputError(
            "JSON nested too deeply to read (arrays or objects inside each other hundreds of levels deep).",
            path=path,
            line=line_no,
            fix=fix,
        ) from None
    if not isinstance(obj, dict):
        raise InputError(f"a JSON {type(obj).__name__}, not an object.", path=path, line=line_no, fix=fix)
    return obj


def is_transcript_record(obj: Any) -> bool:
    """Whether a JSON object is a transcript as :meth:`Transcript.to_json` writes it (not a segment row).

    Examples
    --------
    >>> is_transcript_record(Transcript(id="t", text="Hei.").to_json()), is_transcript_record({"id": 1, "text": "Hei"})
    (True, False)
    """
    return (
        isinstance(obj, dict) and "id" in obj and "text" in obj and ("segments" in obj or "offset_map" in obj)
    )


def read_jsonl(path: str | Path) -> Iterator[Transcript]:
    """Stream transcripts from a JSONL file written by :func:`write_jsonl`; errors name the file and line."""
    path = Path(path)
    with path.open(encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                yield Transcript.from_json(json.loads(line))
            except (json.JSONDecodeError, KeyError, TypeError, RecursionError) as exc:
                raise InputError(
                    f"not a transcript record ({exc.__class__.__name__}: {exc}).",
                    path=path,
                    line=lineno,
                    fix="pass a file written by `nlp ingest`, one transcript per line.",
                ) from exc
            except InputError as exc:
                raise InputError(exc.reason, path=path, line=lineno, fix=exc.fix) from exc


def atomic_writer(path: str | Path, *, mode: str = "w", encoding: str | None = "utf-8"):
    """Context manager that writes to a temporary file beside ``path`` and renames it into place on success.

    A crash or an exception leaves any earlier file at ``path`` untouched and no partial file behind.
    """
    import contextlib
    import os
    import tempfile

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)

    @contextlib.contextmanager
    def _cm():
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; give the file the permissions open() would
        try:
            with os.fdopen(
                fd,
                mode,
                encoding=encoding if "b" not in mode else None,
                newline="" if "b" not in mode else None,
            ) as fh:
                yield fh
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
            raise

    return _cm()


def atomic_write_text(path: str | Path, text: str) -> None:
    with atomic_writer(path) as fh:
        fh.write(text)


def write_jsonl(path: str | Path, transcripts: Iterable[Transcript]) -> int:
    """Write transcripts one per line, atomically; returns how many were written."""
    n = 0
    with atomic_writer(path) as fh:
        for t in transcripts:
            fh.write(json_line(t.to_json()))
            n += 1
    return n
