"""Review decisions: an append-only JSONL log beside the tagged file, replayed into what the reviewer decided.

Each line is one event ``{"seq", "time", "reviewer", "action", ...}``:

- ``open``: a review session starts (``tagged``: the tagged file's name, ``models``: the model versions in it);
- ``accept`` / ``reject`` with ``code``: a machine code (or ``polarity:<value>``) of segment ``source``/``id`` is
  right / wrong; ``reject`` of a code the reviewer added removes it again;
- ``add`` with ``code``: the reviewer adds a code the machine did not give;
- ``polarity`` with ``value``: the reviewer sets the polarity;
- ``done``: the segment is finished, machine codes not yet decided count as accepted;
- ``skip``: passed over without a decision;
- ``undo`` with ``undoes``: takes back the event with that ``seq``.

A segment is *reviewed* when it is done or every machine code and the machine polarity has a decision; only reviewed
segments become coded data (a code the reviewer never looked at is not evidence that it is absent).
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from itertools import pairwise
from pathlib import Path
from typing import Any

from ..classify.output import machine_spans
from ..classify.tag import not_content_counts
from ..errors import ConfigError, InputError
from ..model import POLARITY_PREFIX, CodeSpan, Segment, Transcript, Unit, json_line
from .machine import read_tag_output

__all__ = [
    "ACTIONS",
    "DecisionLog",
    "SegmentState",
    "decisions_path",
    "is_decision_log",
    "read_events",
    "replay",
    "review_records",
    "review_summary",
    "reviewed_transcripts",
    "reviewed_units",
    "reviewer_spans",
    "tagged_path_of",
]

ACTIONS = ("open", "accept", "reject", "add", "polarity", "done", "skip", "undo")
_SEGMENT_ACTIONS = ("accept", "reject", "add", "polarity", "done", "skip")
_SUFFIX = ".review.jsonl"


def decisions_path(tagged: str | Path) -> Path:
    """Where the decisions about ``tagged`` go: ``tagged.review.jsonl`` beside ``tagged.jsonl`` (for a CSV/XLSX
    file ``name.csv.review.jsonl``)."""
    tagged = Path(tagged)
    name = tagged.stem if tagged.suffix.lower() == ".jsonl" else tagged.name
    return tagged.with_name(name + _SUFFIX)


def is_decision_log(path: str | Path) -> bool:
    """Whether ``path`` is a review decision log (its first event is ``open``)."""
    path = Path(path)
    if not path.is_file() or path.suffix.lower() != ".jsonl":
        return False
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                try:
                    obj = json.loads(line)
                except json.JSONDecodeError:
                    return False
                return isinstance(obj, dict) and obj.get("action") == "open" and "tagged" in obj
    return False


def read_events(path: str | Path) -> list[dict[str, Any]]:
    """The events of a decision log; a last line cut off by a crash is left out.

    Raises
    ------
    InputError
        Naming the file and line of an event that cannot be read.
    """
    path = Path(path)
    if not path.exists():
        return []
    text = path.read_text(encoding="utf-8")
    parts = text.split("\n")
    events = []
    for n, line in enumerate(parts, 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            if n == len(parts):  # no newline after it: the write was cut off
                break
            raise InputError(
                f"not a review event ({exc.msg}).",
                path=path,
                line=n,
                fix="restore the file from a backup, or remove that line.",
            ) from None
        if (
            not isinstance(obj, dict)
            or obj.get("action") not in ACTIONS
            or not isinstance(obj.get("seq"), int)
        ):
            raise InputError(
                "not a review event (it needs seq and an action).",
                path=path,
                line=n,
                fix="pass a decision log written by `nlp review`.",
            )
        events.append(obj)
    return events


def tagged_path_of(log: str | Path, events: Sequence[Mapping[str, Any]] | None = None) -> Path:
    """The tagged file a decision log is about (named in its ``open`` event, relative to the log's folder)."""
    log = Path(log)
    events = read_events(log) if events is None else events
    first = next((e for e in events if e.get("action") == "open"), None)
    if first is None:
        raise InputError(
            "this decision log has no `open` event naming its tagged file.",
            path=log,
            fix="pass a decision log written by `nlp review`.",
        )
    return log.parent / str(first["tagged"])


@dataclass
class SegmentState:
    """What the reviewer decided about one segment."""

    codes: dict[str, str] = field(default_factory=dict)  # code -> accepted | rejected | added
    polarity: str | None = None  # the reviewer's own polarity value, if set
    polarity_decision: str | None = None  # accepted | rejected | set
    done: bool = False
    skipped: bool = False
    last_seq: int = 0
    reviewer: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "codes": dict(self.codes),
            "polarity": self.polarity,
            "polarity_decision": self.polarity_decision,
            "done": self.done,
            "skipped": self.skipped,
            "last_seq": self.last_seq,
            "reviewer": self.reviewer,
        }


def _key(source: Any, rid: Any) -> tuple[str, str]:
    return (str(source), str(rid))


def effective(events: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """The events that count: segment events not taken back by an ``undo``, in order."""
    events = list(events)
    undone = {e.get("undoes") for e in events if e.get("action") == "undo"}
    return [e for e in events if e.get("action") in _SEGMENT_ACTIONS and e["seq"] not in undone]


def replay(events: Iterable[Mapping[str, Any]]) -> dict[tuple[str, str], SegmentState]:
    """The state of every segment with a decision, from the events in order (undone events left out).

    Examples
    --------
    >>> ev = [{"seq": 1, "action": "open", "tagged": "t.jsonl"},
    ...       {"seq": 2, "action": "accept", "source": "a", "id": "1", "code": "trust"},
    ...       {"seq": 3, "action": "reject", "source": "a", "id": "1", "code": "polarity:driver"},
    ...       {"seq": 4, "action": "polarity", "source": "a", "id": "1", "value": "barrier"},
    ...       {"seq": 5, "action": "undo", "undoes": 4}]
    >>> s = replay(ev)[("a", "1")]
    >>> s.codes, s.polarity, s.polarity_decision
    ({'trust': 'accepted'}, None, 'rejected')
    """
    state: dict[tuple[str, str], SegmentState] = {}
    for e in effective(events):
        s = state.setdefault(_key(e.get("source"), e.get("id")), SegmentState())
        s.last_seq, s.reviewer = int(e["seq"]), e.get("reviewer")
        action, code = e["action"], e.get("code")
        if action == "skip":
            s.skipped = True
            continue
        if action == "done":
            s.done = True
        elif action == "polarity" or (action == "add" and str(code).startswith(POLARITY_PREFIX)):
            s.polarity = str(e.get("value") or str(code)[len(POLARITY_PREFIX) :])
            s.polarity_decision = "set"
        elif str(code).startswith(POLARITY_PREFIX):
            s.polarity_decision = "accepted" if action == "accept" else "rejected"
            s.polarity = None
        elif action == "accept":
            s.codes[str(code)] = "accepted"
        elif action == "reject":
            s.codes[str(code)] = "rejected"
        elif action == "add":
            s.codes[str(code)] = "added"
    return state


def is_reviewed(record: Mapping[str, Any], s: SegmentState | None) -> bool:
    """Whether every machine code and the machine polarity of ``record`` has a decision (or it is done)."""
    if s is None:
        return False
    if s.done:
        return True
    machine = [c for c in record.get("codes", ())]
    pol_ok = record.get("polarity") is None or s.polarity_decision is not None
    return pol_ok and all(c in s.codes for c in machine)


def final_codes(record: Mapping[str, Any], s: SegmentState) -> tuple[list[str], str | None]:
    """The concept codes and polarity the reviewer settled on for a reviewed segment."""
    codes = [
        c for c in record.get("codes", ()) if s.codes.get(c, "accepted" if s.done else None) == "accepted"
    ]
    codes += [c for c, v in s.codes.items() if v == "added" and c not in codes]
    if s.polarity_decision == "set":
        pol = s.polarity
    elif s.polarity_decision == "accepted" or (s.polarity_decision is None and s.done):
        pol = record.get("polarity")
    else:
        pol = None
    return codes, pol


def _reviewed(
    records: Sequence[Mapping[str, Any]], events: Sequence[Mapping[str, Any]]
) -> list[tuple[Mapping[str, Any], SegmentState]]:
    state = replay(events)
    out = []
    for r in records:
        s = state.get(_key(r.get("source"), r.get("id")))
        if is_reviewed(r, s):
            out.append((r, s))
    return out


def reviewed_units(
    records: Sequence[Mapping[str, Any]], events: Sequence[Mapping[str, Any]], *, coder: str | None = None
) -> list[Unit]:
    """The reviewed segments as coded :class:`~nlp.model.Unit` objects, for training (``nlp train``).

    The coder is the reviewer's name (``coder`` overrides); the group is the interview (``source``), so grouped
    cross-validation never splits one interview.
    """
    units = []
    for r, s in _reviewed(records, events):
        codes, pol = final_codes(r, s)
        who = coder or s.reviewer or "reviewer"
        values = frozenset(codes + ([POLARITY_PREFIX + pol] if pol else []))
        src = str(r.get("source") or "")
        units.append(
            Unit(
                id=str(r["id"]),
                transcript_id=src,
                text=str(r.get("text") or ""),
                start=int(r["start"]),
                end=int(r["end"]),
                group=src,
                speaker=r.get("speaker"),
                source=src,
                kind="answer",
                codes={who: values},
            )
        )
    return units


def reviewer_spans(
    records: Sequence[Mapping[str, Any]], events: Sequence[Mapping[str, Any]]
) -> dict[tuple[str, str], list[CodeSpan]]:
    """The reviewer's codes on each reviewed segment as human :class:`CodeSpan` objects (coder = the reviewer),
    keyed by ``(source, id)`` of the tag record, for export beside the machine's codes."""
    out: dict[tuple[str, str], list[CodeSpan]] = {}
    for r, s in _reviewed(records, events):
        codes, pol = final_codes(r, s)
        who = s.reviewer or "reviewer"
        start, end = int(r["start"]), int(r["end"])
        out[_key(r.get("source"), r.get("id"))] = [
            CodeSpan(code=c, start=start, end=end, coder=who)
            for c in [*codes, *([POLARITY_PREFIX + pol] if pol else [])]
        ]
    return out


def reviewed_transcripts(
    records: Sequence[Mapping[str, Any]], events: Sequence[Mapping[str, Any]]
) -> list[Transcript]:
    """One transcript per interview holding only the reviewed segments, with the machine's codes (coder = model
    version) and the reviewer's (coder = reviewer's name) on each, for ``nlp compare``.

    The text is rebuilt from the segments at their offsets (blanks between them), so comparison by segment,
    sentence or character sees exactly the tagged text. Records that overlap (lines of a text-JSONL file, each
    starting at 0) become one transcript each, grouped by their file for the bootstrap.
    """
    by_source: dict[str, list[Mapping[str, Any]]] = {}
    for r, _ in _reviewed(records, events):
        by_source.setdefault(str(r.get("source") or ""), []).append(r)
    human = reviewer_spans(records, events)
    out = []
    for src, recs in by_source.items():
        recs.sort(key=lambda r: (int(r["start"]), int(r["end"])))
        overlap = any(int(b["start"]) < int(a["end"]) for a, b in pairwise(recs))
        groups = [[r] for r in recs] if overlap else [recs]
        for group in groups:
            shift = int(group[0]["start"]) if overlap else 0
            chars = [" "] * max(int(r["start"]) - shift + len(str(r.get("text") or "")) for r in group)
            segments, spans = [], []
            for r in group:
                text = str(r.get("text") or "")
                start = int(r["start"]) - shift
                end = start + len(text)
                chars[start:end] = list(text)
                segments.append(
                    Segment(start=start, end=end, speaker=r.get("speaker"), kind="answer", id=str(r["id"]))
                )
                spans += [
                    replace(c, start=start, end=end)
                    for c in machine_spans(r) + human[_key(r.get("source"), r.get("id"))]
                ]
            tid = f"{src}#{group[0]['id']}" if overlap else src
            out.append(
                Transcript(
                    id=tid,
                    text="".join(chars),
                    segments=tuple(segments),
                    codes=tuple(spans),
                    source=src,
                    meta={"group": src},
                )
            )
    return out


def review_summary(
    records: Sequence[Mapping[str, Any]], events: Sequence[Mapping[str, Any]]
) -> dict[str, Any]:
    """Counts of the review: segments reviewed / skipped / left, and per machine code (and polarity value) how
    often it was proposed on reviewed segments, accepted, rejected, and added by the reviewer; ``accept_rate`` is
    accepted / proposed (the machine's precision as the reviewer judged it).

    Examples
    --------
    >>> recs = [{"id": "1", "source": "a", "codes": ["trust"], "polarity": "driver"},
    ...         {"id": "2", "source": "a", "codes": ["trust"], "polarity": None}]
    >>> ev = [{"seq": 1, "action": "done", "source": "a", "id": "1"},
    ...       {"seq": 2, "action": "reject", "source": "a", "id": "2", "code": "trust"}]
    >>> review_summary(recs, ev)["codes"]["trust"]
    {'proposed': 2, 'accepted': 1, 'rejected': 1, 'added': 0, 'accept_rate': 0.5}
    """
    state = replay(events)
    per: dict[str, dict[str, Any]] = {}

    def row(code: str) -> dict[str, Any]:
        return per.setdefault(code, {"proposed": 0, "accepted": 0, "rejected": 0, "added": 0})

    reviewed = skipped = 0
    for r in records:
        s = state.get(_key(r.get("source"), r.get("id")))
        if not is_reviewed(r, s):
            skipped += bool(s is not None and s.skipped)
            continue
        reviewed += 1
        codes, pol = final_codes(r, s)
        proposed = list(r.get("codes", ())) + ([POLARITY_PREFIX + r["polarity"]] if r.get("polarity") else [])
        final = set(codes) | ({POLARITY_PREFIX + pol} if pol else set())
        for c in proposed:
            row(c)["proposed"] += 1
            row(c)["accepted" if c in final else "rejected"] += 1
        for c in final - set(proposed):
            row(c)["added"] += 1
    for d in per.values():
        d["accept_rate"] = round(d["accepted"] / d["proposed"], 4) if d["proposed"] else None
    return {
        "segments": len(records),
        "reviewed": reviewed,
        "skipped": skipped,
        "left": len(records) - reviewed - skipped,
        "codes": dict(sorted(per.items(), key=lambda kv: (kv[0].startswith(POLARITY_PREFIX), kv[0]))),
    }


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def review_records(tagged: str | Path) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """The records of ``nlp tag`` output that a reviewer decides on, and how many were left out per reason.

    Segments that are not interview content (their record's ``not_content``: interviewer turns, one- or two-word
    turns, contact details, headers) carry no machine codes and are not in the review queue; the counts
    (:func:`nlp.classify.tag.not_content_counts`) let the page and ``nlp review`` say so.
    """
    records = read_tag_output(tagged)
    return [r for r in records if not r.get("not_content")], not_content_counts(records)


class DecisionLog:
    """The decision log of one tagged file: replays what is there and appends each new event durably.

    Every :meth:`append` writes one whole line, flushes and fsyncs before it returns, so a decision the page has
    been told about survives killing the server or the machine. A last line cut off by a crash is removed when the
    log is opened. Thread-safe (the review server handles requests in threads).

    Parameters
    ----------
    tagged
        The ``nlp tag`` output under review.
    reviewer
        Who decides (the coder name the decisions get).
    path
        The log (default :func:`decisions_path` of ``tagged``).
    """

    def __init__(self, tagged: str | Path, *, reviewer: str, path: str | Path | None = None) -> None:
        if not reviewer or not reviewer.strip():
            raise ConfigError("a review needs the reviewer's name.", fix="add --reviewer YOUR_NAME.")
        self.tagged = Path(tagged)
        self.reviewer = reviewer.strip()
        # absolute: the server may run with another working folder than the one the log was opened from
        self.path = (Path(path) if path is not None else decisions_path(self.tagged)).absolute()
        #: the records under review, and the segments that are not interview content, left out, per reason
        self.records, self.not_content = review_records(self.tagged)
        self._keys = {_key(r.get("source"), r.get("id")): r for r in self.records}
        self._lock = threading.Lock()
        self._repair()
        self.events = read_events(self.path)
        models = sorted({str(r.get("model")) for r in self.records if r.get("model")})
        opened = [e for e in self.events if e.get("action") == "open"]
        if opened and opened[-1].get("models") and opened[-1]["models"] != models:
            raise ConfigError(
                f"{self.path} holds decisions on codes of model {', '.join(opened[-1]['models'])}, "
                f"but {self.tagged} now holds codes of {', '.join(models) or 'an unnamed model'}.",
                fix="review into a new log (--decisions NEW.review.jsonl), or move the old log away.",
            )
        self.append(
            {
                "action": "open",
                "tagged": os.path.relpath(self.tagged, self.path.parent),
                "models": models,
                "segments": len(self.records),
            }
        )

    def _repair(self) -> None:
        if not self.path.exists():
            return
        data = self.path.read_bytes()
        if data and not data.endswith(b"\n"):
            cut = data.rfind(b"\n") + 1
            with self.path.open("r+b") as fh:
                fh.truncate(cut)
                fh.flush()
                os.fsync(fh.fileno())

    @property
    def next_seq(self) -> int:
        return (self.events[-1]["seq"] + 1) if self.events else 1

    def record(self, source: str, rid: str) -> Mapping[str, Any]:
        """The tag record of segment ``source``/``rid``; :class:`InputError` if there is none."""
        try:
            return self._keys[_key(source, rid)]
        except KeyError:
            raise InputError(f"no segment {rid!r} of {source!r} in {self.tagged}.") from None

    def append(self, event: Mapping[str, Any]) -> dict[str, Any]:
        """Check ``event`` and write it with the next ``seq``, the time and the reviewer; returns it as written."""
        with self._lock:
            e = {"seq": self.next_seq, "time": _now(), "reviewer": self.reviewer, **dict(event)}
            action = e.get("action")
            if action not in ACTIONS:
                raise InputError(
                    f"unknown review action {action!r}.", fix=f"use one of {', '.join(ACTIONS)}."
                )
            if action in _SEGMENT_ACTIONS:
                self.record(str(e.get("source")), str(e.get("id")))
                if action in ("accept", "reject", "add") and not isinstance(e.get("code"), str):
                    raise InputError(f"a {action} decision needs a code.")
                if action == "polarity" and not isinstance(e.get("value"), str):
                    raise InputError("a polarity decision needs a value.")
            if action == "undo" and e.get("undoes") not in {x["seq"] for x in effective(self.events)}:
                raise InputError(f"nothing to undo with seq {e.get('undoes')!r}.")
            with self.path.open("a", encoding="utf-8") as fh:
                fh.write(json_line(e))
                fh.flush()
                os.fsync(fh.fileno())
            self.events.append(e)
            return e

    def undo_last(self) -> dict[str, Any] | None:
        """Take back the last decision still in effect (``None`` when there is none)."""
        with self._lock:
            live = effective(self.events)
        if not live:
            return None
        return self.append(
            {
                "action": "undo",
                "undoes": live[-1]["seq"],
                "source": live[-1].get("source"),
                "id": live[-1].get("id"),
            }
        )
