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
from collections.abc import Iterable, Mapping
from dataclasses import replace
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
    "TOOL_VERSION",
    "Entity",
    "PseudonymKey",
    "check_pseudonymised",
    "detect_entities",
    "find_entities",
    "is_pseudonymised",
    "load_keep_list",
    "load_names_csv",
    "pseudonymise",
    "reverse",
    "speaker_names",
]

#: Key in ``Transcript.meta`` that marks a pseudonymised transcript.
MARKER = "pseudonymised"
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
            continue   # role codes such as "I", "KM", "PB"
        out[sp] = "person"
    return out


def find_entities(texts: list[str], *, names: Mapping[str, str] | None = None, keep: Iterable[str] = (),
                  known: Mapping[str, str] | None = None) -> list[list[Entity]]:
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
        votes.setdefault(s, {})[k] = 100.0
    surfaces = {s: max(v, key=lambda k: (v[k], k != "navn")) for s, v in votes.items()}
    persons = {s for s, k in surfaces.items() if k == "person"}
    for s, k in list(surfaces.items()):
        if k == "navn" and any(part in persons for part in s.split()):
            surfaces[s] = "person"   # "Joseph Pine" where "Pine" was cited as an author
    for s, k in list(surfaces.items()):
        if k == "person":
            # parts of a person's name found alone elsewhere ("Kari Hansen" ... "Hansen sa")
            for part in s.split():
                if len(part) > 2 and part[0].isupper() and part not in surfaces and part.lower() not in vocab \
                        and not part.isupper():
                    surfaces[part] = "person"
    for k in keep:
        surfaces.pop(k, None)
    out = []
    for text, ents in zip(texts, first, strict=True):
        extra = find_surfaces(text, surfaces)
        merged = _resolve(list(ents) + extra, protected_spans(text, keep))
        out.append([replace(e, kind=surfaces.get(e.text, e.kind)) if e.kind in NAME_KINDS else e for e in merged])
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
            if pos < e:   # strictly inside a replaced span
                return s + shift + (len(r) if is_end else 0)
            shift += len(r) - (e - s)
        return pos + shift

    return move


def _edit_transcript(t: Transcript, edits: list[tuple[int, int, str]], strings, meta: dict[str, Any]) -> Transcript:
    text, emap = apply_edits(t.text, edits)
    move = _mover(edits)

    def seg(s: Segment) -> Segment:
        a, b = move(s.start, is_end=False), move(s.end, is_end=True)
        return replace(s, start=a, end=max(a, b), speaker=strings(s.speaker), meta=strings(dict(s.meta)))

    def code(c: CodeSpan) -> CodeSpan:
        a, b = move(c.start, is_end=False), move(c.end, is_end=True)
        return replace(c, start=a, end=max(a, b))

    return Transcript(id=strings(t.id), text=text, segments=tuple(seg(s) for s in t.segments),
                      codes=tuple(code(c) for c in t.codes), source=strings(t.source), encoding=t.encoding,
                      lang=t.lang, offset_map=_simplify(emap.compose(t.offset_map)), meta=meta)


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


def _string_replacer(rx: re.Pattern[str] | None, table: Mapping[str, str]):
    def fix(value: Any) -> Any:
        if rx is None:
            return value
        if isinstance(value, str):
            return rx.sub(lambda m: table.get(m.group(), m.group()), value)
        if isinstance(value, list):
            return [fix(v) for v in value]
        if isinstance(value, dict):
            return {k: fix(v) for k, v in value.items()}
        return value

    return fix


def pseudonymise(transcripts: Iterable[Transcript], *, key: PseudonymKey | None = None,
                 names: Mapping[str, str] | None = None, keep: Iterable[str] = (),
                 keep_institutions: bool = False) -> tuple[list[Transcript], PseudonymKey]:
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
        Phrases never replaced (see :func:`load_keep_list`).
    keep_institutions
        Also keep the institutions in :data:`nlp.lang.names.KEEP_INSTITUTIONS` (Innovasjon Norge, NTNU, ...).

    Returns
    -------
    (list of Transcript, PseudonymKey)
        Transcripts with placeholders, moved segments and codes and ``meta["pseudonymised"]``; the updated key.

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
    keep = tuple(keep) + (L.KEEP_INSTITUTIONS if keep_institutions else ())
    known = {s: k for s, k in key.known().items() if k in NAME_KINDS}
    speakers = speaker_names(s.speaker for t in transcripts for s in t.segments)
    names = {**speakers, **(names or {})}
    found = find_entities([t.text for t in transcripts], names=names, keep=keep, known=known)
    found = [_split_at_boundaries(t, ents) for t, ents in zip(transcripts, found, strict=True)]
    # every name surface of the project, for ids, speakers and meta strings
    table: dict[str, str] = {}
    for ents in found:
        for e in ents:
            table[e.text] = key.placeholder(e.kind, e.text)
    for s, k in {**known, **names}.items():
        if s not in keep:
            table.setdefault(s, key.placeholder(k, s))
    named = sorted(table, key=len, reverse=True)
    rx = re.compile(r"(?<!\w)(?:" + "|".join(re.escape(s) for s in named) + r")(?!\w)") if named else None
    strings = _string_replacer(rx, table)
    out = []
    for t, ents in zip(transcripts, found, strict=True):
        edits = [(e.start, e.end, key.placeholder(e.kind, e.text)) for e in ents]
        counts: dict[str, int] = {}
        for e in ents:
            counts[e.kind] = counts.get(e.kind, 0) + 1
        meta = strings({k: v for k, v in t.meta.items() if k != MARKER})
        meta[MARKER] = {"key_id": key.key_id, "tool_version": TOOL_VERSION, "replaced": dict(sorted(counts.items())),
                        "previous": t.meta.get(MARKER)}
        if meta[MARKER]["previous"] is None:
            del meta[MARKER]["previous"]
        out.append(_edit_transcript(t, edits, strings, meta))
    return out, key


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
            raise InputError(f"transcript {t.id!r} is not pseudonymised (no meta[{MARKER!r}]).",
                             fix="reverse only files written by `nlp pseudonymise`.")
        if marker.get("key_id") != key.key_id:
            raise InputError(f"transcript {t.id!r} was pseudonymised with key {marker.get('key_id')!r}, not with "
                             f"this key ({key.key_id!r}).", fix="give the key file written for these files.")
        edits = [(m.start(), m.end(), table[m.group()]) for m in PLACEHOLDER_RE.finditer(t.text)
                 if m.group() in table]
        meta = strings({k: v for k, v in t.meta.items() if k != MARKER})
        if "previous" in marker:
            meta[MARKER] = marker["previous"]
        out.append(_edit_transcript(t, edits, strings, meta))
    return out


def is_pseudonymised(transcript: Transcript) -> bool:
    """Whether the transcript carries the pseudonymisation marker."""
    marker = transcript.meta.get(MARKER)
    return isinstance(marker, Mapping) and bool(marker.get("key_id"))


def check_pseudonymised(transcripts: Iterable[Transcript]) -> None:
    """Raise :class:`~nlp.errors.InputError` naming every transcript that is not pseudonymised.

    Used by exports and reports with ``--require-pseudonymised`` so that nothing identifying leaves by mistake.

    Examples
    --------
    >>> check_pseudonymised([Transcript(id="a", text="x", meta={"pseudonymised": {"key_id": "k"}})])
    >>> check_pseudonymised([Transcript(id="b", text="x")])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    nlp.errors.InputError: 1 transcript(s) are not pseudonymised: 'b'. Fix: run `nlp pseudonymise` on them first ...
    """
    missing = [t for t in transcripts if not is_pseudonymised(t)]
    if missing:
        listed = ", ".join(repr(t.id) + (f" ({t.source})" if t.source else "") for t in missing)
        raise InputError(f"{len(missing)} transcript(s) are not pseudonymised: {listed}.",
                         fix="run `nlp pseudonymise` on them first and use its output, or leave out "
                             "--require-pseudonymised.")
