"""Pseudonymisation of transcripts: consistent placeholders, a separate key file, exact reversal, codes kept in place.

Names of people, firms and places, e-mail addresses, phone numbers, postal codes with places, URLs and national
identity numbers are replaced by numbered placeholders (``[person_3]``, ``[firma_2]``, ``[sted_1]``, ``[epost_1]``,
``[telefon_1]``...). The same surface form gets the same placeholder in every file of a project and across runs that
reuse the key; the key (placeholder -> original) is written to a separate JSON file that the researcher keeps apart,
and :func:`reverse` restores the original text exactly. Segments and codes are moved with the text, so coding stays
attached to the same words. Detection is rule based and offline (:mod:`nlp.pseudonymise.rules`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from pathlib import PurePath
from typing import Any

from ..clean import apply_edits
from ..errors import InputError
from ..lang import names as L
from ..model import CodeSpan, OffsetMap, Segment, Transcript
from .key import TOOL_VERSION, PseudonymKey, load_keep_list, load_names_csv
from .rules import (
    KINDS,
    NAME_KINDS,
    PLACEHOLDER_RE,
    RULE_WEIGHT,
    Entity,
    _resolve,
    detect_entities,
    find_surfaces,
    lowercase_vocabulary,
    protected_spans,
)

__all__ = [
    "KINDS",
    "MARKER",
    "SCOPE",
    "TOOL_VERSION",
    "Entity",
    "PseudonymKey",
    "check_pseudonymised",
    "detect_entities",
    "find_entities",
    "is_pseudonymised",
    "key_replacer",
    "load_keep_list",
    "load_names_csv",
    "project_entities",
    "pseudonymise",
    "render_turns",
    "reverse",
    "speaker_names",
    "written_form",
]

#: Key in ``Transcript.meta`` that marks a pseudonymised transcript.
MARKER = "pseudonymised"
#: What this version pseudonymises, recorded in the marker: a marker without it (an older version, or written by
#: hand) is only accepted when the transcript's id and source hold no name (:func:`check_pseudonymised`).
SCOPE = "text, speakers, ids, file names, metadata"
#: A word of a name inside ids, file names and metadata: letters and digits (``_`` separates, as in file names).
_EDGE_BEFORE, _EDGE_AFTER = r"(?<![^\W_])", r"(?![^\W_])"
_DEFINED_ACRONYM = re.compile(r"(?<![\w-])([a-zæøå][\w-]*)[ \t]*\n?[ \t]*\(([A-ZÆØÅ]{2,6})\)")


# --- detection over a project -------------------------------------------------------------------------------------


def speaker_names(speakers: Iterable[str | None]) -> dict[str, str]:
    """Speaker labels that are people's names ("Kari", "Per Hansen"), not roles ("Intervjuer", "Informant 2", "I").

    Examples
    --------
    >>> speaker_names(["Kari", "Intervjuer", "Informant 2", "I", "KM", "Per Hansen"])
    {'Kari': 'person', 'Per Hansen': 'person'}
    """
    out: dict[str, str] = {}
    for sp in speakers:
        if not sp:
            continue
        words = sp.split()
        if not words or any(not w[:1].isupper() or not w.replace("-", "").isalpha() for w in words):
            continue
        if words[0].lower() in L.PERSON_LABELS or words[0].lower() in L.TITLES or len(sp) < 2:
            continue
        if len(words) == 1 and sp.isupper() and len(sp) <= 3:
            continue  # role codes such as "I", "KM", "PB"
        out[sp] = "person"
    return out


def find_entities(
    texts: list[str],
    *,
    names: Mapping[str, str] | None = None,
    keep: Iterable[str] = (),
    known: Mapping[str, str] | None = None,
) -> list[list[Entity]]:
    """Entities of each text with project-wide consistency: a name found anywhere is found everywhere.

    The kind of a surface form is decided once for the project, by a vote of the rules that found it (a firm found
    once with "AS" after it stays a firm where only a preposition suggested a place). ``known`` holds surface forms
    from an earlier run (the key) that are also searched for, with their kinds.
    """
    keep = tuple(keep)
    vocab = lowercase_vocabulary(texts)
    first = [detect_entities(t, names=names, keep=keep, vocabulary=vocab) for t in texts]
    # an acronym introduced after ordinary words ("masseprodusert skreddersøm (MSS)") abbreviates a common phrase
    common = {m.group(2) for t in texts for m in _DEFINED_ACRONYM.finditer(t)} - set(names or {})
    first = [[e for e in ents if not (e.rule == "acronym" and e.text in common)] for ents in first]
    votes: dict[str, dict[str, float]] = {}
    for ents in first:
        for e in ents:
            if e.kind in NAME_KINDS:
                v = votes.setdefault(e.text, {})
                v[e.kind] = v.get(e.kind, 0.0) + RULE_WEIGHT.get(e.rule, 0) + 0.1
    for s, k in {**(known or {}), **(names or {})}.items():
        if (
            "\n" not in s and "\r" not in s
        ):  # a replacement never crosses a line break (an older key may hold one)
            votes.setdefault(s, {})[k] = 100.0
    surfaces = {s: max(v, key=lambda k: (v[k], k != "navn")) for s, v in votes.items()}
    persons = {s for s, k in surfaces.items() if k == "person"}
    for s, k in list(surfaces.items()):
        if k == "navn" and any(part in persons for part in s.split()):
            surfaces[s] = "person"  # "Joseph Pine" where "Pine" was cited as an author
    for s, k in list(surfaces.items()):
        if k == "person":
            # parts of a person's name found alone elsewhere ("Kari Hansen" ... "Hansen sa")
            for part in s.split():
                if (
                    len(part) > 2
                    and part[0].isupper()
                    and part not in surfaces
                    and part.lower() not in vocab
                    and not part.isupper()
                ):
                    surfaces[part] = "person"
    for k in keep:
        surfaces.pop(k, None)
    out = []
    for text, ents in zip(texts, first, strict=True):
        extra = find_surfaces(text, surfaces)
        merged = _resolve(list(ents) + extra, protected_spans(text, keep))
        out.append(
            [replace(e, kind=surfaces.get(e.text, e.kind)) if e.kind in NAME_KINDS else e for e in merged]
        )
    return out


# --- applying edits -----------------------------------------------------------------------------------------------


def _mover(edits: list[tuple[int, int, str]]):
    """Old offset -> new offset after ``edits``; a boundary inside a replaced span snaps to the replacement's edge."""
    edits = sorted(edits)

    def move(pos: int, *, is_end: bool) -> int:
        shift = 0
        for s, e, r in edits:
            if pos <= s:
                break
            if pos < e:  # strictly inside a replaced span
                return s + shift + (len(r) if is_end else 0)
            shift += len(r) - (e - s)
        return pos + shift

    return move


def _edit_transcript(
    t: Transcript, edits: list[tuple[int, int, str]], strings, meta: dict[str, Any]
) -> Transcript:
    text, emap = apply_edits(t.text, edits)
    move = _mover(edits)

    def seg(s: Segment) -> Segment:
        a, b = move(s.start, is_end=False), move(s.end, is_end=True)
        return replace(
            s,
            start=a,
            end=max(a, b),
            speaker=strings(s.speaker),
            meta=strings(dict(s.meta)),
            id=strings(s.id),
        )

    def code(c: CodeSpan) -> CodeSpan:
        a, b = move(c.start, is_end=False), move(c.end, is_end=True)
        return replace(c, start=a, end=max(a, b))

    return Transcript(
        id=strings(t.id),
        text=text,
        segments=tuple(seg(s) for s in t.segments),
        codes=tuple(code(c) for c in t.codes),
        source=strings(t.source),
        encoding=t.encoding,
        lang=t.lang,
        offset_map=_simplify(emap.compose(t.offset_map)),
        meta=meta,
    )


def _simplify(m: OffsetMap) -> OffsetMap:
    """Drop anchors that keep the shift of the one before (a reversed edit leaves such anchors behind)."""
    kept: list[tuple[int, int]] = []
    for c, r in m.anchors:
        if kept and r - kept[-1][1] == c - kept[-1][0]:
            continue
        kept.append((c, r))
    return OffsetMap(tuple(kept))


def _split_at_boundaries(t: Transcript, ents: list[Entity]) -> list[Entity]:
    """Split a detected name where a code or segment boundary falls between its words, so coding stays exact."""
    cuts = sorted({b for s in (*t.segments, *t.codes) for b in (s.start, s.end)})
    out = []
    for e in ents:
        inner = [b for b in cuts if e.start < b < e.end and (t.text[b - 1].isspace() or t.text[b].isspace())]
        # never across a line break either (a heading, the next turn): cut at each one
        inner = sorted({*inner, *(e.start + m.start() for m in re.finditer(r"[\r\n]", e.text))})
        if not inner or e.kind not in NAME_KINDS:
            out.append(e)
            continue
        for a, b in zip([e.start, *inner], [*inner, e.end], strict=True):
            piece = t.text[a:b]
            lead = len(piece) - len(piece.lstrip())
            piece = piece.strip()
            if piece:
                out.append(replace(e, start=a + lead, end=a + lead + len(piece), text=piece))
    return out


def _nested(fix: Callable[[str], str]) -> Callable[[Any], Any]:
    """``fix`` applied to every string of a value (lists and dict values included; other values as they are)."""

    def apply(value: Any) -> Any:
        if isinstance(value, str):
            return fix(value)
        if isinstance(value, list):
            return [apply(v) for v in value]
        if isinstance(value, dict):
            return {k: apply(v) for k, v in value.items()}
        return value

    return apply


def _string_replacer(rx: re.Pattern[str] | None, table: Mapping[str, str]) -> Callable[[Any], Any]:
    if rx is None:
        return _nested(lambda v: v)
    return _nested(lambda v: rx.sub(lambda m: table.get(m.group(), m.group()), v))


def key_replacer(
    key: PseudonymKey, *, keep: Iterable[str] = (), keep_public_bodies: bool = True
) -> Callable[[str], str]:
    """A function that replaces every original in ``key`` by its placeholder in any text (whole words, longest first).

    For what is not transcript text: ids, file names, speakers, metadata, and the original file when it is written
    back in its own form. Words may be joined by ``_`` instead of a space (``Trond_Eliassen.txt``); such a variant
    gets its own placeholder in the key, so that :func:`reverse` restores it exactly. Kept phrases and placeholders
    are left alone, and no replacement crosses a line break.

    Examples
    --------
    >>> key = PseudonymKey(key_id="k")
    >>> _ = key.placeholder("person", "Kari Hansen")
    >>> key_replacer(key)("Kari_Hansen_intervju.txt: Kari Hansen og Innovasjon Norge")
    '[person_2]_intervju.txt: [person_1] og Innovasjon Norge'
    """
    kinds = {
        text: kind for text, kind in key.known().items() if text.strip() and not re.search(r"[\r\n]", text)
    }
    if not kinds:
        return lambda text: text
    by_variant = {re.sub(r"[ _]+", " ", t): t for t in kinds}
    pattern = "|".join(re.escape(t).replace(r"\ ", "[ _]+") for t in sorted(kinds, key=len, reverse=True))
    rx = re.compile(_EDGE_BEFORE + "(?:" + pattern + ")" + _EDGE_AFTER)
    phrases = (*keep, *(L.PUBLIC_BODIES if keep_public_bodies else ()))

    def fix(text: str) -> str:
        if not text:
            return text
        protected = protected_spans(text, phrases)

        def one(m: re.Match[str]) -> str:
            if any(a < m.end() and m.start() < b for a, b in protected):
                return m.group()
            original = by_variant.get(re.sub(r"[ _]+", " ", m.group()), m.group())
            return key.placeholder(kinds.get(original, "navn"), m.group())

        return rx.sub(one, text)

    return fix


def _name_texts(t: Transcript) -> list[str]:
    """What of a transcript besides its text may hold names: its id, its file name, speakers and metadata strings,
    written as text (``_`` and path separators as spaces and line breaks) for the detector."""
    out = [t.id.replace("_", " ")]
    if t.source:
        out.append("\n".join(part.replace("_", " ") for part in PurePath(t.source).parts))

    def strings(value: Any) -> None:
        if isinstance(value, str):
            out.append(value.replace("_", " "))
        elif isinstance(value, list):
            for v in value:
                strings(v)
        elif isinstance(value, dict):
            for v in value.values():
                strings(v)

    strings({k: v for k, v in t.meta.items() if k != MARKER})
    for seg in t.segments:
        strings(dict(seg.meta))
    return out


def _detect(
    transcripts: Sequence[Transcript],
    *,
    names: Mapping[str, str] | None,
    keep: Sequence[str],
    known: Mapping[str, str] | None,
) -> tuple[list[list[Entity]], list[Entity]]:
    speakers = speaker_names(s.speaker for t in transcripts for s in t.segments)
    names = {**speakers, **(names or {})}
    extra = [text for t in transcripts for text in _name_texts(t)]
    found = find_entities([t.text for t in transcripts] + extra, names=names, keep=keep, known=known)
    in_text = [_split_at_boundaries(t, ents) for t, ents in zip(transcripts, found, strict=False)]
    return in_text, [e for ents in found[len(transcripts) :] for e in ents]


def project_entities(
    transcripts: Iterable[Transcript],
    *,
    names: Mapping[str, str] | None = None,
    keep: Iterable[str] = (),
    known: Mapping[str, str] | None = None,
    keep_public_bodies: bool = True,
) -> list[list[Entity]]:
    """The spans of each transcript's text that :func:`pseudonymise` replaces (same arguments).

    Names are gathered from the texts, the speaker labels, the transcript ids, file names and metadata of the whole
    project, and found wherever they occur; no span crosses a line break or a segment boundary.

    Examples
    --------
    >>> t = Transcript(id="Per_Olsen", text="Vi møtte Olsen og Innovasjon Norge.")
    >>> [(e.text, e.kind) for e in project_entities([t])[0]]
    [('Olsen', 'person')]
    """
    keep = (*keep, *(L.PUBLIC_BODIES if keep_public_bodies else ()))
    return _detect(list(transcripts), names=names, keep=keep, known=known)[0]


def pseudonymise(
    transcripts: Iterable[Transcript],
    *,
    key: PseudonymKey | None = None,
    names: Mapping[str, str] | None = None,
    keep: Iterable[str] = (),
    keep_public_bodies: bool = True,
) -> tuple[list[Transcript], PseudonymKey]:
    """Replace identifying spans in all transcripts of a project consistently; return them and the key.

    Parameters
    ----------
    transcripts
        The project's transcripts (all of them at once, so that a name found in one is replaced in all).
    key
        An existing key (reuse it so numbering stays stable across runs); a new one is made when None.
    names
        Surface forms always replaced, with their kind (see :func:`load_names_csv`).
    keep
        Phrases never replaced (see :func:`load_keep_list`), besides the public bodies.
    keep_public_bodies
        Keep the public bodies, programmes and institutions of :data:`nlp.lang.names.PUBLIC_BODIES` (Innovasjon
        Norge, Enova, SkatteFUNN, Arena, NCE, EU, universities, fylkeskommuner, ...): cluster research is about them.

    Returns
    -------
    (list of Transcript, PseudonymKey)
        Transcripts with placeholders in their text, ids, file names, speakers and metadata, moved segments and
        codes and ``meta["pseudonymised"]``; the updated key. No replacement crosses a line break or a turn.

    Examples
    --------
    >>> t = Transcript(id="i1", text="Kari Hansen jobber i Røros Metall AS, tlf. 912 34 567.")
    >>> [p], key = pseudonymise([t], key=PseudonymKey(key_id="k"))
    >>> p.text
    '[person_1] jobber i [firma_1], tlf. [telefon_1].'
    >>> reverse([p], key)[0].text == t.text
    True
    """
    transcripts = list(transcripts)
    key = key or PseudonymKey()
    keep = tuple(keep)
    kept = keep + (L.PUBLIC_BODIES if keep_public_bodies else ())
    known = {s: k for s, k in key.known().items() if k in NAME_KINDS}
    found, elsewhere = _detect(transcripts, names=names, keep=kept, known=known)
    for e in [*(e for ents in found for e in ents), *elsewhere]:  # numbered in the order of the texts
        key.placeholder(e.kind, e.text)
    for s, k in (names or {}).items():
        if s not in kept:
            key.placeholder(k, s)
    strings = _nested(key_replacer(key, keep=keep, keep_public_bodies=keep_public_bodies))
    out = []
    for t, ents in zip(transcripts, found, strict=True):
        edits = [(e.start, e.end, key.placeholder(e.kind, e.text)) for e in ents]
        counts: dict[str, int] = {}
        for e in ents:
            counts[e.kind] = counts.get(e.kind, 0) + 1
        meta = strings({k: v for k, v in t.meta.items() if k != MARKER})
        meta[MARKER] = {
            "key_id": key.key_id,
            "tool_version": TOOL_VERSION,
            "scope": SCOPE,
            "replaced": dict(sorted(counts.items())),
            "previous": t.meta.get(MARKER),
        }
        if meta[MARKER]["previous"] is None:
            del meta[MARKER]["previous"]
        out.append(_edit_transcript(t, edits, strings, meta))
    return out, key


def _clock(seconds: float) -> str:
    whole = int(seconds)
    return f"{whole // 3600:02d}:{whole % 3600 // 60:02d}:{whole % 60:02d}"


def render_turns(transcript: Transcript) -> str:
    """A transcript as a typed text: one turn per paragraph, ``[hh:mm:ss] Speaker: text`` where they are known.

    Examples
    --------
    >>> from nlp.model import Segment
    >>> t = Transcript(id="a", text="Hei?\\nHei.", segments=(Segment(0, 4, speaker="I", time_start=5.0),
    ...                                                      Segment(5, 9, speaker="[person_1]")))
    >>> print(render_turns(t))
    [00:00:05] I: Hei?
    <BLANKLINE>
    [person_1]: Hei.
    <BLANKLINE>
    """
    if not transcript.segments:
        return transcript.text if transcript.text.endswith("\n") else transcript.text + "\n"
    parts = []
    for seg in transcript.segments:
        stamp = f"[{_clock(seg.time_start)}] " if seg.time_start is not None else ""
        label = f"{seg.speaker}: " if seg.speaker else ""
        parts.append(f"{stamp}{label}{transcript.text[seg.start : seg.end]}\n")
    return "\n".join(parts)


def written_form(
    raw: str | None,
    pseudonymised: Transcript,
    key: PseudonymKey,
    *,
    keep: Iterable[str] = (),
    keep_public_bodies: bool = True,
) -> tuple[str, str]:
    """The pseudonymised transcript as a file in the form it came in: ``(text, file suffix)``.

    ``raw`` is the original file's text (a typed transcript, PDF text or subtitles): it is written back with the
    key applied (:func:`key_replacer`), so speaker labels, timestamps and layout stay. Without it (Word, tables,
    projects) the turns are written as ``[hh:mm:ss] Speaker: text`` (:func:`render_turns`).
    """
    suffix = PurePath(pseudonymised.source or "").suffix.lower()
    if raw is None or suffix not in (".txt", ".text", ".md", ".vtt", ".srt"):
        return render_turns(pseudonymised), ".txt"
    return key_replacer(key, keep=keep, keep_public_bodies=keep_public_bodies)(raw), suffix


def reverse(transcripts: Iterable[Transcript], key: PseudonymKey) -> list[Transcript]:
    """Restore the original text (and ids, speakers, meta) of pseudonymised transcripts with their key.

    Raises
    ------
    InputError
        A transcript is not pseudonymised, or was pseudonymised with another key.
    """
    out = []
    table = {p: v["text"] for p, v in key.entries.items()}
    strings = _string_replacer(PLACEHOLDER_RE, table)
    for t in transcripts:
        marker = t.meta.get(MARKER)
        if not isinstance(marker, Mapping):
            raise InputError(
                f"transcript {t.id!r} is not pseudonymised (no meta[{MARKER!r}]).",
                fix="reverse only files written by `nlp pseudonymise`.",
            )
        if marker.get("key_id") != key.key_id:
            raise InputError(
                f"transcript {t.id!r} was pseudonymised with key {marker.get('key_id')!r}, not with "
                f"this key ({key.key_id!r}).",
                fix="give the key file written for these files.",
            )
        edits = [
            (m.start(), m.end(), table[m.group()])
            for m in PLACEHOLDER_RE.finditer(t.text)
            if m.group() in table
        ]
        meta = strings({k: v for k, v in t.meta.items() if k != MARKER})
        if "previous" in marker:
            meta[MARKER] = marker["previous"]
        out.append(_edit_transcript(t, edits, strings, meta))
    return out


def _names_left(transcript: Transcript) -> list[str]:
    """Names the detector finds in a transcript's id and file name (public bodies kept)."""
    texts = [transcript.id.replace("_", " ")]
    if transcript.source:
        texts.append(PurePath(transcript.source).stem.replace("_", " "))
    return [
        e.text for text in texts for e in detect_entities(text, keep=L.PUBLIC_BODIES) if e.kind in NAME_KINDS
    ]


def is_pseudonymised(transcript: Transcript) -> bool:
    """Whether the transcript carries the pseudonymisation marker and no name is left in its id or file name.

    A marker written by this version (with :data:`SCOPE`) says that ids, file names and metadata were
    pseudonymised too; an older or hand-written marker is trusted only when the detector finds no name in the
    id and the file name (``Trond_Eliassen_Andøy`` is refused).

    Examples
    --------
    >>> marked = {"pseudonymised": {"key_id": "k"}}
    >>> is_pseudonymised(Transcript(id="intervju_03", text="x", meta=marked))
    True
    >>> is_pseudonymised(Transcript(id="Trond_Eliassen_Andøy", text="x", meta=marked))
    False
    """
    marker = transcript.meta.get(MARKER)
    if not (isinstance(marker, Mapping) and bool(marker.get("key_id"))):
        return False
    return marker.get("scope") == SCOPE or not _names_left(transcript)


def check_pseudonymised(transcripts: Iterable[Transcript]) -> None:
    """Raise :class:`~nlp.errors.InputError` naming every transcript that is not pseudonymised.

    Used by exports and reports with ``--require-pseudonymised`` so that nothing identifying leaves by mistake: a
    transcript without the marker, or with a name left in its id or file name, is refused.

    Examples
    --------
    >>> check_pseudonymised([Transcript(id="a", text="x", meta={"pseudonymised": {"key_id": "k"}})])
    >>> check_pseudonymised([Transcript(id="b", text="x")])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    nlp.errors.InputError: 1 transcript(s) are not pseudonymised: 'b'. Fix: run `nlp pseudonymise` on them first ...
    """
    transcripts = list(transcripts)
    missing = [t for t in transcripts if not is_pseudonymised(t)]
    if missing:
        named = [t for t in missing if isinstance(t.meta.get(MARKER), Mapping)]
        listed = ", ".join(repr(t.id) + (f" ({t.source})" if t.source else "") for t in missing)
        why = (
            (
                f"; {len(named)} of them keep a name in their id or file name ("
                + ", ".join(", ".join(_names_left(t)) for t in named)
                + ")"
            )
            if named
            else ""
        )
        raise InputError(
            f"{len(missing)} transcript(s) are not pseudonymised: {listed}{why}.",
            fix="run `nlp pseudonymise` on them first (this version also replaces names in ids, file "
            "names and metadata) and use its output, or leave out --require-pseudonymised.",
        )
