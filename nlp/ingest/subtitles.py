"""Speech-to-text output as subtitles (``.vtt`` WebVTT, ``.srt`` SubRip): cues merged into speaker turns.

A cue's speaker comes from a WebVTT voice tag (``<v Kari>``), a label at the start of its text (``Speaker 1:``,
``Intervjuer:``) or a bracketed name (``[Speaker 2]``). Consecutive cues of one speaker become one turn (segment)
with the first cue's start time and the last cue's end time. Cues without any speaker tag are merged while the gap
between them is under ``merge_gap`` seconds. The cleaned text keeps only the spoken words: cue numbers, timing
lines, tags and labels are removed, with an offset map back to the file.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ..clean import apply_edits
from ..errors import InputError
from ..model import Segment, Transcript
from ..segment import _forward, _plausible_name, _strong, label_role, parse_timestamp
from ._base import DEFAULT_MAX_BYTES, chain, finish, read_text, tidy_tracked, transcript_id

__all__ = ["Cue", "parse_cues", "read_subtitles"]

_TIMING = re.compile(
    r"^[ \t]*(?P<a>(?:\d+:)?\d{1,2}:\d{2}[.,]\d{1,3})[ \t]*-->[ \t]*"
    r"(?P<b>(?:\d+:)?\d{1,2}:\d{2}[.,]\d{1,3})[^\n]*$",
    re.MULTILINE,
)
_VOICE = re.compile(r"<v(?:\.[\w.-]+)?[ \t]+(?P<name>[^>]+)>")
_TAG = re.compile(r"</?[a-zA-Z][^>\n]*>|<\d{1,2}:[\d:.]+>")
_ENTITY = re.compile(r"&(?:amp|lt|gt|nbsp|lrm|rlm|quot|#\d+);")
_PREFIX = re.compile(
    r"(?:\[(?P<br>[^\]\n]{1,40})\]|(?P<lab>[^\W\d_][\w'’.\-]*(?: [\w'’.\-]+){0,2}?)[ \t]*:)(?=\s)[ \t]*"
)


@dataclass(frozen=True)
class Cue:
    """One subtitle cue: the payload ``text[start:end]`` of the decoded file, its times and speaker, if any."""

    start: int
    end: int
    time_start: float
    time_end: float
    speaker: str | None
    label_end: int  # end of a speaker prefix (``Speaker 1:``) inside the payload, else ``start``


def parse_cues(text: str) -> list[Cue]:
    """The cues of a WebVTT or SubRip text, in file order (NOTE, STYLE and REGION blocks are skipped)."""
    cues = []
    timings = list(_TIMING.finditer(text))
    prefixes = []
    for i, m in enumerate(timings):
        start = m.end() + 1 if m.end() < len(text) else m.end()
        nxt = timings[i + 1].start() if i + 1 < len(timings) else len(text)
        # the payload ends at the first blank line
        blank = re.search(r"\n[ \t]*\n", text[start:nxt])
        end = start + blank.start() if blank else nxt
        end = max(start, min(end, len(text)))
        while end > start and text[end - 1] in " \t\n":
            end -= 1
        payload = text[start:end]
        speaker = None
        label_end = start
        voice = _VOICE.search(payload)
        if voice:
            speaker = voice.group("name").strip()
        else:
            pm = _PREFIX.match(payload)
            if pm:
                speaker = (pm.group("br") or pm.group("lab")).strip()
                label_end = start + pm.end()
        prefixes.append(label_end > start)
        cues.append(
            Cue(start, end, parse_timestamp(m.group("a")), parse_timestamp(m.group("b")), speaker, label_end)
        )
    # a plain "Word:" prefix counts only if it is a known speaker form or recurs (not "Merk: ...")
    counts = Counter(c.speaker for c, p in zip(cues, prefixes) if p)
    out = []
    for c, p in zip(cues, prefixes):
        if p and not (_strong(c.speaker) or (counts[c.speaker] >= 2 and _plausible_name(c.speaker))):
            c = Cue(c.start, c.end, c.time_start, c.time_end, None, c.start)
        out.append(c)
    return out


def read_subtitles(
    path: str | Path,
    *,
    encoding: str | None = None,
    max_bytes: int | None = DEFAULT_MAX_BYTES,
    interviewer: Sequence[str] = (),
    informant: Sequence[str] = (),
    include_interviewer: bool = False,
    merge_gap: float = 2.0,
    tid: str | None = None,
) -> Transcript:
    """Read a ``.vtt`` or ``.srt`` file into a transcript with one segment per speaker turn.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "opptak.vtt"
    >>> _ = p.write_text("WEBVTT\\n\\n00:01.000 --> 00:03.000\\n<v Intervjuer>Korleis byrja det?\\n\\n"
    ...                  "00:03.500 --> 00:05.000\\n<v Kari>Det var i 2015,\\n\\n00:05.000 --> 00:06.000\\n"
    ...                  "<v Kari>med [bedrift].\\n", encoding="utf-8")
    >>> t = read_subtitles(p)
    >>> [(s.speaker, s.kind, s.time_start, s.time_end, t.text[s.start:s.end]) for s in t.segments]
    [('Intervjuer', 'question', 1.0, 3.0, 'Korleis byrja det?'), ('Kari', 'answer', 3.5, 6.0, 'Det var i 2015, med [bedrift].')]
    """
    path = Path(path)
    raw, enc = read_text(path, encoding=encoding, max_bytes=max_bytes)
    tidy, m1, info = tidy_tracked(raw)
    cues = [c for c in parse_cues(tidy) if tidy[c.label_end : c.end].strip()]
    if not cues:
        raise InputError(
            "no subtitle cues found (no `00:00:01.000 --> 00:00:04.000` timing lines).",
            path=path,
            fix="check that this is a .vtt/.srt file; plain transcripts should be named .txt.",
        )
    tid = tid or transcript_id(path)
    # group consecutive cues into turns
    turns: list[list[Cue]] = []
    for c in cues:
        if turns:
            prev = turns[-1][-1]
            same = c.speaker == prev.speaker and (
                c.speaker is not None or c.time_start - prev.time_end <= merge_gap
            )
            if same:
                turns[-1].append(c)
                continue
        turns.append([c])
    edits: list[tuple[int, int, str]] = []
    pos = 0
    for ti, turn in enumerate(turns):
        for ci, c in enumerate(turn):
            sep = "" if pos == 0 else (" " if ci else "\n")
            edits.append((pos, c.label_end, sep))
            for m in _TAG.finditer(tidy, c.label_end, c.end):
                edits.append((m.start(), m.end(), ""))
            for m in _ENTITY.finditer(tidy, c.label_end, c.end):
                edits.append((m.start(), m.end(), html.unescape(m.group()).replace("\xa0", " ")))
            for m in re.finditer(r"[ \t]*\n[ \t]*", tidy[c.label_end : c.end]):
                edits.append((c.label_end + m.start(), c.label_end + m.end(), " "))
            pos = c.end
    edits.append((pos, len(tidy), ""))
    edits = [e for e in sorted(edits) if e[1] > e[0] or e[2]]
    text, m2 = apply_edits(tidy, edits)
    bounds = _forward(edits, [offset for turn in turns for offset in (turn[0].label_end, turn[-1].end)])
    speakers = sorted({c.speaker for c in cues if c.speaker})
    role = {s: label_role(s, interviewer=interviewer, informant=informant) for s in speakers}
    if any(r == "question" for r in role.values()):
        role = {s: r or "answer" for s, r in role.items()}
    segments = []
    for i, turn in enumerate(turns):
        s, e = bounds[2 * i], bounds[2 * i + 1]
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        sp = turn[0].speaker
        segments.append(
            Segment(
                start=s,
                end=e,
                speaker=sp,
                kind=(role.get(sp) if sp else None) or "other",
                time_start=turn[0].time_start,
                time_end=turn[-1].time_end,
                id=f"{tid}:{i + 1:04d}",
                meta={"cues": len(turn)},
            )
        )
    warn = []
    if not speakers:
        warn.append(
            f"no speaker tags in the cues: cues less than {merge_gap:g} s apart were merged into "
            f"{len(turns)} segment(s) of kind 'other'."
        )
    elif any(r is None for r in role.values()):
        warn.append(
            "role unknown for speaker(s) "
            + ", ".join(repr(s) for s in speakers if role[s] is None)
            + ": their turns are kind 'other' (name the interviewer with --interviewer)."
        )
    if info.get("mojibake_repaired"):
        warn.append(f"repaired {info['mojibake_repaired']} mojibake sequence(s) such as 'Ã¸' -> 'ø'.")
    t = Transcript(
        id=tid,
        text=text,
        segments=tuple(segments),
        source=str(path),
        encoding=enc,
        offset_map=chain([m1, m2]),
    )
    return finish(
        t,
        chars_in=len(raw),
        warn=warn,
        include_interviewer=include_interviewer,
        kind=path.suffix.lower().lstrip(".") or "subtitles",
        extra={**info, "cues": len(cues)},
    )
