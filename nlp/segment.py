"""Speaker turns, timestamps and windows of turns in typed transcripts.

:func:`segment_turns` finds the speaker turns of a transcript text (``I:``/``R:``, ``Intervjuer:``/``Informant 3:``,
``Int:``/``Resp:``, initials ``KM:``, ``Interviewer:``/``Interviewperson:``, ``Speaker 1`` lines written by
speech-to-text tools, a label and a tab), removes the labels and the timestamps (``[00:12:34]``, ``00:12:34 -``,
``(12:34)``, ``#00:12:34-5#``) from the text, and returns the cleaned text, its :class:`~nlp.model.OffsetMap` back to
the given text and one :class:`~nlp.model.Segment` per turn (speaker = the label, kind = question for the
interviewer, answer for the informant, other when the role is unknown; timestamps in ``time_start``/``time_end``).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple, TypeVar

from .clean import apply_edits
from .errors import ConfigError
from .lang.speakers import (
    GENERIC_SPEAKER_WORDS,
    INFORMANT_LABELS,
    INTERVIEWER_LABELS,
    NOT_SPEAKER_LABELS,
)
from .model import OffsetMap, Segment

__all__ = [
    "NOT_CONTENT_REASONS",
    "Timestamp",
    "Turn",
    "TurnSplit",
    "detect_turns",
    "find_timestamps",
    "label_role",
    "left_out_text",
    "not_content_reason",
    "parse_timestamp",
    "segment_turns",
    "split_not_content",
    "turn_windows",
]

_TS = r"(?:\d{1,2}:)?\d{1,2}:\d{2}(?:[.,]\d{1,3})?"
# bracketed forms may stand anywhere; a bare time only at the start of a line, followed by a dash or a space
_TS_BRACKETED = (
    rf"\[\s*(?P<a>{_TS})\s*\]|\(\s*(?P<b>{_TS})\s*\)|\{{\s*(?P<c>{_TS})\s*\}}"
    rf"|#(?P<d>\d{{1,2}}:\d{{2}}:\d{{2}}(?:[-.,]\d{{1,3}})?)#"
)
_TS_ANY = re.compile(_TS_BRACKETED)
# Every timestamp form holds a digit, a colon and a digit: a range without them has no timestamps. The pattern
# opens with the colon (a literal, which the regex engine finds fast) and looks back one character for the digit.
_TIME_HINT = re.compile(r":(?<=\d:)\d")
_TS_LINE_START = re.compile(
    rf"[ \t]*(?:{_TS_BRACKETED}|(?P<e>{_TS})(?:[ \t]*[-–—](?=[ \t])|(?=[ \t])|$))[ \t]*"
)
_WORD = r"[\w'’.\-]+"
# LABEL (optional "(00:12)" or "[00:12]") then ":" + space/end, or a tab
_LABEL = re.compile(
    rf"(?P<label>[^\W\d_]{_WORD[:-1]}*(?:[ ]{_WORD}){{0,2}}?)"
    rf"[ \t]*(?:[\[(](?P<ts>{_TS})[\])][ \t]*)?(?P<sep>:(?=\s|$)|(?P<tight>:)(?=[^\W\d_])|\t+)[ \t]*"
)
# a line holding only a label, with the time before or after it (Word "Transcribe", Otter): "Speaker 1  0:03"
_LABEL_ONLY = re.compile(
    rf"(?P<label>[^\W\d_]{_WORD[:-1]}*(?:[ ]{_WORD}){{0,2}}?)(?:[ \t]+(?P<ts>{_TS}))?[ \t]*$"
)
_INDEX = re.compile(r"(?:[ _-]?\d+[a-z]?|[ _-][a-z])$", re.IGNORECASE)
_INITIALS = re.compile(r"[A-ZÆØÅÄÖ]{1,3}\d?")
_SPEAKER_ID = re.compile(r"[^\W\d_][^\W\d]{0,20}[_-]?\d{1,3}")


@dataclass(frozen=True)
class Timestamp:
    """A timestamp found in a text: ``text[start:end]`` is the mark, ``seconds`` its time."""

    start: int
    end: int
    seconds: float


class Turn(NamedTuple):
    """One speaker turn in the given text: the label line starts at ``line_start``; ``text[start:end]`` is the
    spoken content (without the label); ``times`` are the timestamps inside the turn's range (a named tuple: a
    transcript has thousands of turns, and a frozen dataclass costs several times more to build)."""

    line_start: int
    start: int
    end: int
    label: str | None
    kind: str = "other"
    times: tuple[Timestamp, ...] = ()


@dataclass(frozen=True)
class TurnSplit:
    """Result of :func:`segment_turns`: cleaned text, map back to the given text, segments and warnings."""

    text: str
    offset_map: OffsetMap
    segments: tuple[Segment, ...]
    warnings: tuple[str, ...] = ()
    speakers: tuple[str, ...] = field(default=())


def parse_timestamp(mark: str) -> float:
    """Seconds of a timestamp such as ``00:12:34``, ``12:34``, ``1:02:03.5`` or the f4 form ``00:12:34-5``.

    Examples
    --------
    >>> parse_timestamp("00:12:34"), parse_timestamp("[12:34]"), parse_timestamp("#00:00:05-4#")
    (754.0, 754.0, 5.4)
    """
    core = mark.strip(" \t[](){}#-–—")
    frac = 0.0
    m = re.search(r"[.,-](\d{1,3})$", core)
    if m and core.count(":") >= 1 and len(core) - m.start() <= 4:
        frac = float("0." + m.group(1))
        core = core[: m.start()]
    secs = 0.0
    for part in core.split(":"):
        secs = secs * 60 + int(part)
    return round(secs + frac, 3)


def find_timestamps(text: str, start: int = 0, end: int | None = None) -> list[Timestamp]:
    """Timestamps in ``text[start:end]``: bracketed anywhere, bare (``00:12:34 -``) only at the start of a line.

    Examples
    --------
    >>> [(t.start, t.seconds) for t in find_timestamps("[00:00:10] Ja.\\n00:01:00 - Nei (01:05).")]
    [(0, 10.0), (15, 60.0), (30, 65.0)]
    """
    end = len(text) if end is None else end
    if not _TIME_HINT.search(text, start + 1, end):  # + 1: the digit before the colon must be in the range
        return []
    found: dict[int, Timestamp] = {}
    for m in _TS_ANY.finditer(text, start, end):
        mark = next(g for g in m.groups() if g)
        found[m.start()] = Timestamp(m.start(), m.end(), parse_timestamp(mark))
    pos = start
    while pos < end:
        m = _TS_LINE_START.match(text, pos, end)
        if m and m.group("e"):
            s = m.start("e")
            found.setdefault(s, Timestamp(s, m.end("e"), parse_timestamp(m.group("e"))))
        nl = text.find("\n", pos, end)
        if nl < 0:
            break
        pos = nl + 1
    return [found[k] for k in sorted(found)]


def _base(label: str) -> str:
    base = label.strip().rstrip(".").lower()
    base = _INDEX.sub("", base).strip(" .")
    return base or label.lower()


def label_role(label: str, *, interviewer: Iterable[str] = (), informant: Iterable[str] = ()) -> str | None:
    """``question`` for an interviewer label, ``answer`` for an informant label, None when unknown.

    Labels named by the caller win over the built-in lists in :mod:`nlp.lang.speakers`.

    Examples
    --------
    >>> label_role("Intervjuer"), label_role("Informant 3"), label_role("KM"), label_role("KM", interviewer=["KM"])
    ('question', 'answer', None, 'question')
    """
    low = label.strip().lower()
    if low in {x.lower() for x in interviewer}:
        return "question"
    if low in {x.lower() for x in informant}:
        return "answer"
    base = _base(label)
    if base in INTERVIEWER_LABELS:
        return "question"
    if base in INFORMANT_LABELS:
        return "answer"
    return None


def _strong(label: str) -> bool:
    """A label that is a speaker on its own: a known role, ``Speaker 2``, or initials such as ``KM``."""
    base = _base(label)
    if base in NOT_SPEAKER_LABELS or label.lower().rstrip(".") in NOT_SPEAKER_LABELS:
        return False
    if base in INTERVIEWER_LABELS or base in INFORMANT_LABELS:
        return True
    if base in GENERIC_SPEAKER_WORDS and _INDEX.search(label.lower()):
        return True
    # one token of letters and a number: a speaker id such as P3, IP2, aal_uio_02
    return bool(_INITIALS.fullmatch(label) or _SPEAKER_ID.fullmatch(label))


def _plausible_name(label: str) -> bool:
    """A label that may be a speaker if it recurs: one token (``Kari``), or words starting with a capital
    (``Daglig leder``)."""
    if (
        label.lower().rstrip(".") in NOT_SPEAKER_LABELS
        or _base(label) in NOT_SPEAKER_LABELS
        or label.isdigit()
    ):
        return False
    words = label.split()
    return len(words) == 1 or words[0][0].isupper()


def _match_label(
    text: str,
    start: int,
    end: int,
    *,
    may_hold_times: bool = True,
) -> tuple[str, int, float | None, str] | None:
    """(label, content start, time, separator: colon|tight|none) for a line, or None.

    ``may_hold_times=False`` (the text has no digit-colon-digit, so no timestamp) skips the timestamp patterns.
    """
    time = None
    pos = start
    m = _TS_LINE_START.match(text, pos, end) if may_hold_times else None
    if m and m.end() > pos:
        mark = next((g for g in m.group("a", "b", "c", "d", "e") if g), None)
        if mark:
            time = parse_timestamp(mark)
            pos = m.end()
    lm = _LABEL.match(text, pos, end)
    if lm:
        if lm.group("ts"):
            time = parse_timestamp(lm.group("ts")) if time is None else time
        return lm.group("label").strip(), lm.end(), time, "tight" if lm.group("tight") else "colon"
    if not may_hold_times:  # a label-only line needs a time
        return None
    om = _LABEL_ONLY.match(text, pos, end)
    if om and (time is not None or om.group("ts")):
        if om.group("ts") and time is None:
            time = parse_timestamp(om.group("ts"))
        return om.group("label").strip(), end, time, "none"
    return None


def detect_turns(
    text: str, *, interviewer: Iterable[str] = (), informant: Iterable[str] = (), min_repeats: int = 2
) -> tuple[list[Turn], list[str]]:
    """Find the speaker turns in ``text``; return the turns (content ranges in ``text``) and warnings.

    A line starts a turn when it begins (after an optional timestamp) with a speaker label followed by ``:`` or a
    tab. Known role labels, ``Speaker 1``-style names and initials (``KM``) count at once; any other label (a name,
    a speaker id such as ``eidsberg_uio_03``) counts when it starts at least ``min_repeats`` lines. Text before the
    first turn is returned as a turn with ``label=None``. An empty list means no speaker turns were recognised.

    Examples
    --------
    >>> turns, _ = detect_turns("I: Korleis starta det?\\nR: Det var [navn] som tok kontakt.")
    >>> [(t.label, t.kind, t.start, t.end) for t in turns]
    [('I', 'question', 3, 22), ('R', 'answer', 26, 57)]
    """
    interviewer, informant = tuple(interviewer), tuple(informant)
    named = {x.lower() for x in interviewer + informant}
    may_hold_times = _TIME_HINT.search(text) is not None
    candidates: list[tuple[int, str, int, float | None, str]] = []
    ls = 0
    for line in text.split("\n"):
        le = ls + len(line)
        if line:  # an empty line holds no label
            hit = _match_label(text, ls, le, may_hold_times=may_hold_times)
            if hit:
                candidates.append((ls, *hit))
        ls = le + 1
    counts = Counter(c[1] for c in candidates)
    # labels recur on many lines: judge each distinct (label, separator) once
    verdicts = {
        key: _is_speaker_label(*key, named=named, repeats=counts[key[0]], min_repeats=min_repeats)
        for key in {(label, sep) for _ls, label, _cs, _time, sep in candidates}
    }
    accepted = [(ls, label, cs, time) for ls, label, cs, time, sep in candidates if verdicts[label, sep]]
    if not accepted:
        return [], []
    warnings: list[str] = []
    raw_turns: list[tuple[int, int, int, str | None, float | None]] = []
    if text[: accepted[0][0]].strip():
        raw_turns.append((0, 0, accepted[0][0], None, None))
    for i, (ls, label, cs, time) in enumerate(accepted):
        end = accepted[i + 1][0] if i + 1 < len(accepted) else len(text)
        raw_turns.append((ls, cs, end, label, time))
    kinds = _assign_roles(
        [t[3] for t in raw_turns],
        text,
        raw_turns,
        interviewer=interviewer,
        informant=informant,
        warnings=warnings,
    )
    turns: list[Turn] = []
    for (ls, cs, end, label, time), kind in zip(raw_turns, kinds):
        s, e = _strip(text, cs, end)
        times = find_timestamps(text, cs, end)
        if time is not None:
            times.insert(0, Timestamp(ls, ls, time))  # the line's own time (removed with the label)
        turns.append(Turn(ls, s, max(s, e), label, kind, tuple(times)))
    return turns, warnings


def _is_speaker_label(label: str, sep: str, *, named: set[str], repeats: int, min_repeats: int) -> bool:
    """Whether lines opening with ``label`` and separator ``sep`` (see :func:`_match_label`) start turns."""
    if label.lower() in named:
        return True
    if sep == "tight":  # "I:Hva ..." - only a known label form
        return _strong(label)
    if sep == "none":
        return (_strong(label) and not _INITIALS.fullmatch(label)) or (
            repeats >= min_repeats and _plausible_name(label)
        )
    return _strong(label) or (repeats >= min_repeats and _plausible_name(label))


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _assign_roles(
    labels: Sequence[str | None],
    text: str,
    raw_turns: Sequence[tuple],
    *,
    interviewer: tuple[str, ...],
    informant: tuple[str, ...],
    warnings: list[str],
) -> list[str]:
    speakers = sorted({lab for lab in labels if lab is not None})
    role = {s: label_role(s, interviewer=interviewer, informant=informant) for s in speakers}
    unknown = [s for s in speakers if role[s] is None]
    if unknown and any(r == "question" for r in role.values()):
        for s in unknown:  # everyone who is not the interviewer is an informant
            role[s] = "answer"
    elif len(unknown) == 1 and any(r == "answer" for r in role.values()):
        role[unknown[0]] = "question"
    elif len(speakers) == 2 and len(unknown) == 2:
        # two unnamed speakers (initials, names): the one who mostly asks questions is the interviewer
        share = {}
        for s in speakers:
            ends = [text[cs:end].rstrip().endswith("?") for _ls, cs, end, lab, _t in raw_turns if lab == s]
            share[s] = sum(ends) / len(ends)
        a, b = sorted(speakers, key=lambda s: -share[s])
        if share[a] >= 0.4 and share[b] <= 0.15:
            role[a], role[b] = "question", "answer"
            warnings.append(
                f"roles guessed from question marks: {a!r} is taken as the interviewer, {b!r} as the "
                f"informant (name them with interviewer=[...] / --interviewer to be sure)."
            )
    if any(role[s] is None for s in speakers):
        names = ", ".join(repr(s) for s in speakers if role[s] is None)
        warnings.append(
            f"role unknown for speaker(s) {names}: their turns are kind 'other' (name the interviewer "
            f"with interviewer=[...] / --interviewer)."
        )
    return [role.get(lab) or "other" if lab is not None else "other" for lab in labels]


def _forward(edits: Sequence[tuple[int, int, str]], offsets: Iterable[int]) -> list[int]:
    """Map offsets in the edited-from text to the edited text (edits sorted, non-overlapping); an offset inside
    an edit goes to the edit's start. One walk over the edits when the offsets ascend, as turn boundaries do."""
    out = []
    k = 0  # edits[:k] end at or before the offset
    shift = 0  # length change by edits[:k]
    prev = 0
    for pos in offsets:
        if pos < prev:  # offsets out of order: walk again from the first edit
            k = shift = 0
        prev = pos
        while k < len(edits) and edits[k][1] <= pos:
            start, end, repl = edits[k]
            shift += len(repl) - (end - start)
            k += 1
        if k < len(edits) and edits[k][0] <= pos:  # inside edit k
            out.append(edits[k][0] + shift)
        else:
            out.append(pos + shift)
    return out


_AFTER_LINE_START_TS = re.compile(r"[ \t]*(?:[-–—](?=[ \t]|$)[ \t]*)?")


def _timestamp_edits(text: str, times: Iterable[Timestamp]) -> list[tuple[int, int]]:
    """Deletion spans for timestamps, with the space (and a dash after a line-start time) that goes with them."""
    out = []
    for t in times:
        if t.end <= t.start:
            continue
        s, e = t.start, t.end
        ls = text.rfind("\n", 0, s) + 1
        le = text.find("\n", e)
        le = len(text) if le < 0 else le
        if not text[ls:s].strip():
            e = _AFTER_LINE_START_TS.match(text, e, le).end()  # type: ignore[union-attr]
        else:
            while e < le and text[e] in " \t":
                e += 1
            if e == le:  # at the end of a line: take the space before it too
                while s > ls and text[s - 1] in " \t":
                    s -= 1
        out.append((s, e))
    return out


def segment_turns(
    text: str,
    *,
    interviewer: Iterable[str] = (),
    informant: Iterable[str] = (),
    id_prefix: str = "",
    min_repeats: int = 2,
) -> TurnSplit:
    """Split a transcript text into turns; remove labels and timestamps; return text, map, segments, warnings.

    The returned text keeps everything except the speaker labels and timestamps (and the line breaks that only
    separated a label from its text). Each turn becomes a :class:`~nlp.model.Segment` whose range is the turn's
    words, ``speaker`` the label as written, ``kind`` question/answer/other, ``time_start`` the turn's leading
    timestamp and ``time_end`` a trailing one. Text before the first turn is a segment of kind ``other`` with
    ``meta={"preamble": True}``. A text without speaker turns becomes one segment, with a warning.

    Examples
    --------
    >>> r = segment_turns("[00:00:05] Int: Kva gjer de?\\nResp: Vi lagar [bedrift] sine XX-produkt.")
    >>> r.text
    'Kva gjer de?\\nVi lagar [bedrift] sine XX-produkt.'
    >>> [(s.speaker, s.kind, s.time_start, r.text[s.start:s.end]) for s in r.segments]
    [('Int', 'question', 5.0, 'Kva gjer de?'), ('Resp', 'answer', None, 'Vi lagar [bedrift] sine XX-produkt.')]
    >>> r.offset_map.to_raw(r.text.index("Vi"))
    35
    """
    turns, warnings = detect_turns(
        text, interviewer=interviewer, informant=informant, min_repeats=min_repeats
    )
    edits: list[tuple[int, int]] = []
    if not turns:
        times = find_timestamps(text)
        edits = _timestamp_edits(text, times)
        warnings.append("no speaker turns recognised: the whole text is one segment (kind 'other').")
        s, e = _strip(text, 0, len(text))
        turns = [Turn(0, s, e, None, "other", tuple(times))]
        single = True
    else:
        single = False
        for t in turns:
            if t.label is not None:
                edits.append((t.line_start, t.start))  # optional time, label, separator, spaces
            if t.times:
                edits.extend(_timestamp_edits(text, [x for x in t.times if x.start >= t.start]))
    edits = _merge(edits)
    edit_list = [(s, e, "") for s, e in edits]
    new_text, omap = apply_edits(text, edit_list)
    bounds = _forward(edit_list, [offset for turn in turns for offset in (turn.start, turn.end)])
    segments = []
    empty = 0
    for i, (_line_start, start, end, label, kind, times) in enumerate(turns):
        s, e = _strip(new_text, bounds[2 * i], bounds[2 * i + 1])
        if s >= e and label is not None:
            empty += 1
            continue
        time_start, time_end, middle = _turn_times(text, start, end, times, single=single)
        meta = {}
        if middle:
            meta["timestamps"] = middle
        if label is None and not single:
            meta["preamble"] = True
        segments.append(
            Segment(
                start=s,
                end=e,
                speaker=label,
                kind=kind,
                time_start=time_start,  # type: ignore
                time_end=time_end,
                id=f"{id_prefix}{i + 1:04d}" if id_prefix else None,
                meta=meta,
            )
        )
    if empty:
        warnings.append(f"{empty} turn(s) had a speaker label but no words; they are not segments.")
    speakers = tuple(sorted({t.label for t in turns if t.label is not None}))
    return TurnSplit(new_text, omap, tuple(segments), tuple(warnings), speakers)


def _turn_times(
    text: str, start: int, end: int, times: Sequence[Timestamp], *, single: bool
) -> tuple[float | None, float | None, list[float]]:
    """A turn's (leading time, trailing time, times in between); ``single``: the turn is the whole text."""
    if not times:
        return None, None, []
    inner = [x for x in times if x.start >= start or x.end <= x.start]
    lead = [x for x in inner if x.end <= x.start or not text[start : x.start].strip()]
    trail = [x for x in inner if not text[x.end : end].strip(" \t\n-–—") and x not in lead]
    middle = [x.seconds for x in inner if x not in lead and x not in trail]
    time_start = lead[0].seconds if lead else (inner[0].seconds if single and inner else None)
    time_end = trail[-1].seconds if trail else (inner[-1].seconds if single and len(inner) > 1 else None)
    return time_start, time_end, middle


def _merge(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for s, e in sorted(spans):
        if e <= s:
            continue
        if out and s <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out


def turn_windows(
    segments: Sequence[Segment], *, size: int, step: int = 1, include_interviewer: bool = True
) -> list[Segment]:
    """Windows of ``size`` consecutive turns, every ``step`` turns, as segments spanning them.

    Useful as larger analysis units (a question with its answer, or three turns of talk). A window's ``kind`` is
    the kind shared by its turns, else ``other``; ``meta["turns"]`` lists the indices of the turns it spans.

    Examples
    --------
    >>> segs = [Segment(0, 5, "I", "question"), Segment(6, 20, "R", "answer"), Segment(21, 30, "I", "question")]
    >>> [(w.start, w.end, w.kind) for w in turn_windows(segs, size=2)]
    [(0, 20, 'other'), (6, 30, 'other')]
    """
    if size < 1 or step < 1:
        raise ConfigError(f"window size {size} and step {step} must both be at least 1.")
    chosen = [(i, s) for i, s in enumerate(segments) if include_interviewer or not s.is_interviewer]
    out = []
    last = max(len(chosen) - size, 0)
    for k in range(0, last + 1, step):
        part = chosen[k : k + size]
        if not part:
            break
        kinds = {s.kind for _, s in part}
        speakers = {s.speaker for _, s in part}
        out.append(
            Segment(
                start=part[0][1].start,
                end=part[-1][1].end,
                speaker=part[0][1].speaker if len(speakers) == 1 else None,
                kind=kinds.pop() if len(kinds) == 1 else "other",  # type: ignore[arg-type]
                time_start=part[0][1].time_start,
                time_end=part[-1][1].time_end,
                meta={"turns": [i for i, _ in part]},
            )
        )
    return out


# ------------------------------------------------------------------------------------------------ interview content
#: Why a segment is not interview content (the values :func:`not_content_reason` returns).
NOT_CONTENT_REASONS = ("interviewer turn", "one- or two-word turn", "contact details", "header")
_CONTENT_WORD = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*")
_CONTACT = re.compile(
    r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"  # e-mail
    r"|(?:https?://|www\.)\S+"  # web address
    r"|(?<![\d])(?:(?:\+|00)(?:47|45)[ -]?)?\d{2}[ ]?\d{2}[ ]?\d{2}[ ]?\d{2}(?![\d])"  # nb/da phone number
    r"|\b(?:tlf|telefon|mobil|e-?post|e-?mail|mail|adresse|postboks|org\.?\s?nr)\b\.?\s*:?",  # contact labels
    re.IGNORECASE,
)
#: What every match of _CONTACT contains (a quick test first: the e-mail alternative is slow on plain text).
_MAYBE_CONTACT = re.compile(r"@|\d\d|http|www\.|tlf|telefon|mobil|post|mail|adresse|org", re.IGNORECASE)
#: A heading: "Intervju med ...", "Vedlegg 2", "3.2 Resultater", "Side 4", "INFORMANT B"; short, no full stop.
_HEADER_START = re.compile(
    r"(?:\d+(?:\.\d+)*\.?\s+\S|(?:intervju|interview|vedlegg|bilag|kapittel|kapitel|"
    r"side|del|transkripsjon|transskription|informant|respondent)\b)",
    re.IGNORECASE,
)


def not_content_reason(text: str, *, kind: str | None = None, max_header_words: int = 10) -> str | None:
    """Why a segment is not interview content, or ``None`` when it is.

    Not content (left out of tagging, suggestions and topic models unless asked for): the interviewer's turns
    (``kind == "question"``), turns of one or two words (``Ja.``, ``Mm, ok``), contact details (a turn that is mostly
    an e-mail address, phone number, web address or ``Tlf:``/``E-post:`` label) and headers (a short line without a
    full stop that starts like a heading, ``Intervju med informant B``, ``3.2 Resultater``, ``VEDLEGG 2``, or is all
    capitals).

    Examples
    --------
    >>> not_content_reason("Ja, ok.")
    'one- or two-word turn'
    >>> not_content_reason("Tlf: 22 33 44 55, e-post: ola@firma.no")
    'contact details'
    >>> not_content_reason("Intervju med informant B, 12. mars")
    'header'
    >>> not_content_reason("Hva tenker du om klyngen?", kind="question")
    'interviewer turn'
    >>> not_content_reason("Vi deler kunnskap med de andre bedriftene i klyngen.") is None
    True
    """
    if kind == "question":
        return "interviewer turn"
    words = _CONTENT_WORD.findall(text)
    if len(words) <= 2:
        return "one- or two-word turn"
    contact = _CONTACT.findall(text) if _MAYBE_CONTACT.search(text) else ()
    if contact:
        rest = _CONTENT_WORD.findall(_CONTACT.sub(" ", text))
        if len(rest) <= max(3, len(words) // 3):
            return "contact details"
    stripped = text.strip()
    if len(words) <= max_header_words and not stripped.endswith((".", "?", "!", ":", "»", '"')):
        letters = [c for c in stripped if c.isalpha()]
        if _HEADER_START.match(stripped) or (letters and all(c.isupper() for c in letters)):
            return "header"
    return None


_Item = TypeVar("_Item")


def split_not_content(
    items: Iterable[_Item], *, keep: bool | Collection[str] = False
) -> tuple[list[_Item], dict[str, int]]:
    """The items that are interview content, and how many were left out for each reason of
    :func:`not_content_reason` (in the order of :data:`NOT_CONTENT_REASONS`, reasons with none left out omitted).

    ``items`` are :class:`~nlp.model.Unit` objects or mappings with ``text`` and optionally ``kind``; ``keep``
    (``True``: every reason, or a collection of reasons such as ``{"interviewer turn"}``) keeps those too. What
    ``nlp topics`` and ``nlp suggest`` model or rank; ``nlp tag`` keeps every segment and says why in its record.

    Examples
    --------
    >>> items = [{"text": "Vi deler kunnskap med de andre."}, {"text": "Ja."}, {"text": "Hvorfor?", "kind": "question"}]
    >>> kept, left_out = split_not_content(items)
    >>> len(kept), left_out
    (1, {'interviewer turn': 1, 'one- or two-word turn': 1})
    >>> len(split_not_content(items, keep={"interviewer turn"})[0]), len(split_not_content(items, keep=True)[0])
    (2, 3)
    """

    def get(item: Any, key: str) -> Any:
        return item.get(key) if isinstance(item, Mapping) else getattr(item, key, None)

    kept: list[_Item] = []
    counts: Counter[str] = Counter()
    for item in items:
        reason = (
            None if keep is True else not_content_reason(str(get(item, "text") or ""), kind=get(item, "kind"))
        )
        if reason is None or (keep is not False and reason in keep):
            kept.append(item)
        else:
            counts[reason] += 1
    return kept, {r: counts[r] for r in NOT_CONTENT_REASONS if counts[r]}


def left_out_text(left_out: Mapping[str, int]) -> str:
    """The counts of :func:`split_not_content` in words, as ``nlp topics``, ``nlp suggest`` and the report say them.

    Examples
    --------
    >>> left_out_text({"interviewer turn": 40, "header": 2})
    '42 segments (40 interviewer turn, 2 header)'
    >>> left_out_text({})
    'no segment'
    """
    total = sum(left_out.values())
    if not total:
        return "no segment"
    parts = ", ".join(f"{n} {reason}" for reason, n in left_out.items())
    return f"{total} segment{'s' if total != 1 else ''} ({parts})"
