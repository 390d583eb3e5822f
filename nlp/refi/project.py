"""REFI-QDA projects (``.qdpx``): import coded transcripts from NVivo/ATLAS.ti/MAXQDA/QualCoder, export ours.

A ``.qdpx`` is a zip holding ``project.qde`` (XML, namespace ``urn:QDA-XML:project:1.0``) and the plain-text sources
under ``sources/``. Import reads text sources, users, the code tree (with memos) and every ``PlainTextSelection`` as a
human :class:`~nlp.model.CodeSpan` (coder = the user's name), reading positions in the convention each source's
evidence shows (code points or NVivo's UTF-16 units, CRLF as two or one). Export writes the sources, the codebook
(with polarity as codes), and human and auto-coder codings (each coder or model version its own ``User``, the
auto-coder's probability in the selection's ``Description``). What came from another program (GUIDs of codes,
sources, users, selections and codings, colours, ``isCodable``, descriptions, memos) is written back as it came. A source's description
is one line of provenance; what only we read back (transcript id, segments, language, metadata) goes in a
``klyngekoder/<source guid>.json`` member that other programs ignore. Output is deterministic: new GUIDs are uuid5
of stable names (lower case), zip entries carry a fixed date, so the same input gives byte-identical files.
"""

from __future__ import annotations

import io
import json
import re
import warnings
import zipfile
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree as ET

from ..codebook import Code, Codebook, Memo
from ..errors import ConfigError, DataWarning, InputError
from ..model import POLARITY_PREFIX, CodeSpan, Segment, Transcript, atomic_writer
from ._safe import QdpxArchive, _unsafe_name, local, parse_xml
from ._text import (
    CONVENTIONS,
    NEWLINES,
    SourcePositions,
    canonicalise,
    decode_source,
    file_text,
)
from .codes import (
    ORIGIN,
    codes_element,
    make_guid,
    norm_guid,
    parse_codes,
    serialise,
    split_description,
    xml_safe,
)
from .schema import PROJECT_NS, validate_project_xml

__all__ = [
    "CODER_FROM",
    "EXPORT_POSITIONS",
    "POSITIONS",
    "TARGETS",
    "ExportSummary",
    "Project",
    "read_qdpx",
    "read_qdpx_codebook",
    "read_qdpx_project",
    "write_qdpx",
]

#: How an imported file counts positions (see :mod:`nlp.refi._text`); ``auto`` decides per source from evidence.
POSITIONS = ("auto", *CONVENTIONS)
#: Units :func:`write_qdpx` can count positions in: code points (REFI-QDA) or UTF-16 units (what NVivo reads).
EXPORT_POSITIONS = ("codepoints", "utf16")
#: Which user of a coding is its coder: the ``<Coding>``'s creatingUser or the ``<PlainTextSelection>``'s.
CODER_FROM = ("coding", "selection")
#: ``--for`` targets of the export: (line breaks, position unit) that program reads right.
TARGETS = {
    "refi": ("lf", "codepoints"),
    "nvivo": ("lf", "utf16"),
    "atlas": ("lf", "codepoints"),
    "maxqda": ("lf", "codepoints"),
    "qualcoder": ("lf", "codepoints"),
}
_AUTO = "Auto-code (klyngekoder)"
_AUTO_RE = re.compile(r"^Auto-code \(klyngekoder\)(?:, probability ([^,\s]+))?")
_FIX = "export the project again from your QDA program (File > Export > REFI-QDA project)."
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)
_SIDECAR = "klyngekoder/{guid}.json"
_GUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


@dataclass(frozen=True)
class Project:
    """An imported REFI-QDA project: coded transcripts, the code tree and the users (GUID -> name)."""

    name: str
    transcripts: tuple[Transcript, ...]
    codebook: Codebook
    users: Mapping[str, str] = field(default_factory=dict, hash=False)
    origin: str = ""


@dataclass(frozen=True)
class ExportSummary:
    """What :func:`write_qdpx` wrote."""

    path: str
    sources: int
    codings: int
    auto_codings: int
    users: tuple[str, ...]
    codes: int
    newline: str = "lf"
    positions: str = "codepoints"


def _children(el: ET.Element, name: str) -> list[ET.Element]:
    return [c for c in el if local(c.tag) == name]


def _child(el: ET.Element, name: str) -> ET.Element | None:
    return next((c for c in el if local(c.tag) == name), None)


def _int(value: str | None, *, what: str, path: Path) -> int:
    try:
        return int(str(value).strip())
    except ValueError:
        raise InputError(f"{what} is {value!r}, not a whole number.", path=path, fix=_FIX) from None


def _auto(description: str | None) -> tuple[bool, float | None]:
    m = _AUTO_RE.match((description or "").strip())
    if not m:
        return False, None
    try:
        p = float(m.group(1)) if m.group(1) else None
    except ValueError:
        p = None
    return True, p if p is not None and 0.0 <= p <= 1.0 else None


def _origin_hint(origin: str, description: str) -> str:
    """The position convention a project's origin suggests (the evidence overrules it when clear); a file of ours
    says which it used in its description."""
    o = origin.lower()
    if o.startswith("klyngekoder"):
        return "utf16" if "UTF-16" in description else "codepoints"
    if "nvivo" in o:
        return "utf16"
    if "atlas" in o:
        return "crlf-as-one"
    return "codepoints"


def _open_project(zf: QdpxArchive, path: Path) -> ET.Element:
    member = zf.find("project.qde") or next((n for n in zf.names if n.lower().endswith(".qde")), None)
    if member is None:
        raise InputError(
            "the archive has no project.qde, so it is not a REFI-QDA project.", path=path, fix=_FIX
        )
    root = parse_xml(zf.read(member), path=path, member=member)
    if local(root.tag) != "Project":
        raise InputError(f"{member} has root <{local(root.tag)}>, not <Project>.", path=path, fix=_FIX)
    return root


def _text_of(el: ET.Element, *, zf: QdpxArchive, path: Path, what: str) -> tuple[str, str | None] | None:
    """The plain text of a source or note: (text without BOM, file encoding or None), or None after a warning
    when it is not in the project (stored outside it, rich text only, or missing from the archive)."""
    content = _child(el, "PlainTextContent")
    if content is not None:
        return content.text or "", None
    plain = (el.get("plainTextPath") or "").strip()
    scheme, sep, rest = plain.partition("://")
    if plain and (
        scheme.lower() == "internal" or not sep
    ):  # internal://x.txt, or a bare path inside the archive
        rel = rest if sep else plain
        why = _unsafe_name(rel)
        if why:
            raise InputError(
                f"refused: {what} has plainTextPath {plain!r}, which {why}.",
                path=path,
                fix="do not open this file; " + _FIX,
            )
        member = zf.find("sources/" + rel) or zf.find(rel)
        if member is not None:
            raw, encoding = decode_source(zf.read(member), path=path, member=member)
            return raw, encoding
        reason = f"its text {plain!r} is not in the archive"
    elif plain:
        reason = f"its plain text is stored outside the project ({plain})"
    else:
        reason = "it has no plain text (rich text only)"
    warnings.warn(
        f"{path}: skipped {what}: {reason}; the rest of the project is imported. Export the project "
        "with its sources embedded to include it.",
        DataWarning,
        stacklevel=4,
    )
    return None


def _read_notes(root: ET.Element, *, zf: QdpxArchive, path: Path) -> dict[str, Memo]:
    notes: dict[str, Memo] = {}
    notes_el = _child(root, "Notes")
    for note in _children(notes_el, "Note") if notes_el is not None else ():
        guid = norm_guid(note.get("guid"))
        got = _text_of(note, zf=zf, path=path, what=f"memo {note.get('name') or guid!r}")
        if guid and got is not None:
            notes[guid] = Memo(text=canonicalise(got[0]).text, guid=guid, name=note.get("name") or "")
    return notes


def _codebook_of(
    root: ET.Element, *, zf: QdpxArchive, path: Path, name: str
) -> tuple[Codebook, dict[str, str]]:
    cb_el = _child(root, "CodeBook")
    return parse_codes(
        _child(cb_el, "Codes") if cb_el is not None else None,
        name=name,
        path=path,
        notes=_read_notes(root, zf=zf, path=path),
    )


def read_qdpx_codebook(path: str | Path) -> Codebook:
    """The code tree of a REFI-QDA project (hierarchy, colours, GUIDs, non-codable folders, memos); its sources are
    not read. :func:`nlp.refi.load_codebook` calls this for ``.qdpx`` files."""
    path = Path(path)
    with QdpxArchive(path) as zf:
        root = _open_project(zf, path)
        return _codebook_of(root, zf=zf, path=path, name=root.get("name") or path.stem)[0]


def read_qdpx_project(path: str | Path, *, positions: str = "auto", coder: str = "coding") -> Project:
    """Read a REFI-QDA project: text sources with their codings, the code tree and the users.

    Parameters
    ----------
    path
        The ``.qdpx`` file.
    positions
        How the file counts ``startPosition``/``endPosition`` (:data:`POSITIONS`): ``"codepoints"`` (Unicode code
        points of the source file as stored: REFI-QDA, MAXQDA, QualCoder, :func:`write_qdpx`), ``"utf16"`` (UTF-16
        units: an emoji is two; NVivo), ``"crlf-as-one"`` (a ``"\\r\\n"`` is one position; ATLAS.ti),
        ``"utf16-crlf-as-one"``, or ``"auto"`` (default): decided per source from evidence (positions that exist
        under one reading only, selections splitting a surrogate pair or a line break, selection edges inside
        words), the program named in the project's ``origin`` breaking ties. The convention used for each source
        and why are in its ``meta["refi_positions"]``; a :class:`DataWarning` says when the evidence overrules the
        origin.
    coder
        Whose name becomes a coding's coder (:data:`CODER_FROM`): ``"coding"`` (default: the ``<Coding>``'s
        creatingUser, who applied the code) or ``"selection"`` (the ``<PlainTextSelection>``'s creatingUser, who
        made the selection). NVivo often records different users in the two; the other one is kept in
        ``meta["refi_other_coders"]`` as ``[code, start, end, user]`` rows, and a :class:`DataWarning` counts them.

    Returns
    -------
    Project
        Transcripts (text canonical: ``"\\n"`` line breaks, no BOM; ``offset_map`` maps back to the source file),
        codes as human spans (auto-coder spans written by :func:`write_qdpx` come back as ``source="auto"`` with
        their probability), the :class:`Codebook` with hierarchy, colours, GUIDs, non-codable folders and memos,
        and users GUID -> name. Each transcript's ``meta`` keeps the source's GUID, name, description and its
        users' GUIDs, so :func:`write_qdpx` writes them back. Files written by :func:`write_qdpx` also give back
        each transcript's id, segments, language and metadata. Other programs' sources have no segments: segment
        them (speaker turns) before training or comparing by unit.

    Raises
    ------
    InputError
        For a missing, malformed or hostile file (entity declarations, ``..`` entries, oversize members), naming
        the file and the fix. Non-text sources (PDF, picture, audio, video), sources stored outside the archive and
        sources whose text is missing from it are skipped with a :class:`DataWarning`; the rest is imported.
    """
    path = Path(path)
    if positions not in POSITIONS:
        raise ConfigError(f"positions={positions!r} is not one of {', '.join(POSITIONS)}.")
    if coder not in CODER_FROM:
        raise ConfigError(f"coder={coder!r} is not one of {', '.join(CODER_FROM)}.")
    with QdpxArchive(path) as zf:
        root = _open_project(zf, path)
        name = root.get("name") or path.stem
        origin = root.get("origin") or ""

        users: dict[str, str] = {}
        users_el = _child(root, "Users")
        for u in _children(users_el, "User") if users_el is not None else ():
            guid = norm_guid(u.get("guid"))
            if guid:
                users[guid] = u.get("name") or u.get("id") or guid
        counts = Counter(users.values())
        coder_of = {g: (n if counts[n] == 1 else f"{n} ({g[:8]})") for g, n in users.items()}
        codebook, code_of = _codebook_of(root, zf=zf, path=path, name=name)
        ctx = _Context(
            zf=zf,
            path=path,
            positions=positions,
            coder=coder,
            code_of=code_of,
            coder_of=coder_of,
            default_user=norm_guid(root.get("creatingUserGUID")),
            project=name,
            origin=origin,
            description=(getattr(_child(root, "Description"), "text", None) or ""),
        )

        transcripts: list[Transcript] = []
        skipped: Counter[str] = Counter()
        sources_el = _child(root, "Sources")
        for src in list(sources_el) if sources_el is not None else ():
            kind = local(src.tag)
            if kind != "TextSource":
                skipped[kind] += 1
                continue
            t = _read_text_source(src, ctx)
            if t is not None:
                transcripts.append(t)
    if skipped:
        warnings.warn(
            f"{path}: skipped {sum(skipped.values())} non-text sources "
            f"({', '.join(f'{n} {k}' for k, n in sorted(skipped.items()))}); only text sources carry "
            "codings this toolkit can use.",
            DataWarning,
            stacklevel=2,
        )
    if ctx.disagree:
        other = "selection" if coder == "coding" else "coding"
        warnings.warn(
            f"{path}: {ctx.disagree} of {ctx.codings} codings name a different user on the {other} than "
            f"on the {coder}; the coder is the {coder}'s user (choose with --coder-from {other}), the "
            f"{other}'s user is kept in each transcript's meta refi_other_coders.",
            DataWarning,
            stacklevel=2,
        )
    return Project(name=name, transcripts=tuple(transcripts), codebook=codebook, users=users, origin=origin)


@dataclass
class _Context:
    """What reading one source needs from its project."""

    zf: QdpxArchive
    path: Path
    positions: str
    coder: str
    code_of: Mapping[str, str]
    coder_of: Mapping[str, str]
    default_user: str | None
    project: str
    origin: str
    description: str = ""
    ids: set[str] = field(default_factory=set)
    disagree: int = 0
    codings: int = 0


def _read_text_source(src: ET.Element, ctx: _Context) -> Transcript | None:
    path = ctx.path
    guid = norm_guid(src.get("guid")) or ""
    sname = src.get("name") or guid or "source"
    got = _text_of(src, zf=ctx.zf, path=path, what=f"source {sname!r}")
    if got is None:
        return None
    raw, encoding = got
    sp = SourcePositions(raw)

    def code(coding: ET.Element, where: str) -> str | None:
        ref = _child(coding, "CodeRef")
        target = norm_guid(ref.get("targetGUID")) if ref is not None else None
        if target not in ctx.code_of:
            raise InputError(
                f"source {sname!r}, {where}: a coding refers to code {target!r}, which the CodeBook "
                "does not define.",
                path=path,
                fix=_FIX,
            )
        return ctx.code_of[target] or None  # "" marks a non-codable grouping code (the Polarity parent)

    selections = []
    for sel in _children(src, "PlainTextSelection"):
        sel_guid = sel.get("guid")
        start = _int(
            sel.get("startPosition"), what=f"source {sname!r}, selection {sel_guid}: startPosition", path=path
        )
        end = _int(
            sel.get("endPosition"), what=f"source {sname!r}, selection {sel_guid}: endPosition", path=path
        )
        selections.append((sel, sel_guid, start, end))
    hint = _origin_hint(ctx.origin, ctx.description)
    if ctx.positions != "auto":
        convention, why = ctx.positions, "chosen with --positions"
    elif ctx.origin.lower().startswith("klyngekoder"):
        convention, why = hint, "as the file says"
    else:
        convention, why = sp.decide([p for _, _, s, e in selections for p in (s, e)], hint)
        if convention != (hint if hint in sp.differing else "codepoints"):
            warnings.warn(
                f"{path}: source {sname!r}: positions read as {convention} ({why}), not as the origin "
                f"{ctx.origin!r} suggests; pass --positions to override.",
                DataWarning,
                stacklevel=4,
            )

    spans: list[CodeSpan] = []
    others: list[list] = []
    user_guids: dict[str, str] = {}

    def name_of(g: str | None) -> str | None:
        if g is None:
            return None
        who = ctx.coder_of.get(g, g)
        user_guids[who] = g
        return who

    for sel, sel_guid, start, end in selections:
        a, b = sp.to_canonical(start, convention), sp.to_canonical(end, convention)
        if a is None or b is None or not start <= end:
            others_fit = [
                c
                for c in sp.differing
                if c != convention
                and sp.to_canonical(start, c) is not None
                and sp.to_canonical(end, c) is not None
            ]
            raise InputError(
                f"source {sname!r}, selection {sel_guid}: positions {start}..{end} are not an ordered "
                f"range inside the text ({sp.length(convention)} positions, counted as {convention}).",
                path=path,
                fix=(
                    f"import with --positions {others_fit[0]}; otherwise "
                    if others_fit and start <= end
                    else ""
                )
                + _FIX,
            )
        desc = _child(sel, "Description")
        is_auto, conf = _auto(desc.text if desc is not None else None)
        sel_user = norm_guid(sel.get("creatingUser"))
        for coding in _children(sel, "Coding"):
            c = code(coding, f"selection {sel_guid}")
            if c is None:
                continue
            coding_user = norm_guid(coding.get("creatingUser"))
            first, second = (coding_user, sel_user) if ctx.coder == "coding" else (sel_user, coding_user)
            who = name_of(first or second or ctx.default_user) or "unknown"
            ctx.codings += 1
            if first and second and first != second:
                ctx.disagree += 1
                others.append([c, a, b, name_of(second)])
            spans.append(
                CodeSpan(
                    code=c,
                    start=a,
                    end=b,
                    coder=who,
                    source="auto" if is_auto else "human",
                    confidence=conf,
                    selection_guid=norm_guid(sel_guid),
                    coding_guid=norm_guid(coding.get("guid")),
                )
            )
    for coding in _children(src, "Coding"):  # the whole source coded
        c = code(coding, "whole-source coding")
        if c is not None:
            who = name_of(norm_guid(coding.get("creatingUser")) or ctx.default_user) or "unknown"
            spans.append(
                CodeSpan(
                    code=c, start=0, end=len(sp.text), coder=who, coding_guid=norm_guid(coding.get("guid"))
                )
            )

    sidecar = ctx.zf.find(_SIDECAR.format(guid=guid)) if guid else None
    desc = _child(src, "Description")
    description = (desc.text or "").strip() if desc is not None else ""
    if sidecar is not None:
        extra = _read_sidecar(ctx.zf, sidecar, path)
        description = ""  # our own provenance line, written again on export
    else:
        trailer_text, extra = split_description(description)  # files of ours older than the sidecar
        description = "" if extra else trailer_text
    wanted = extra.get("id") if isinstance(extra.get("id"), str) and extra.get("id") else sname
    tid, n = wanted, 2
    while tid in ctx.ids:
        tid, n = f"{wanted} ({n})", n + 1
    ctx.ids.add(tid)
    lang, segments, meta = _restore_extra(extra, len(sp.text), where=f"{path}: source {sname!r}")
    meta.update(
        {
            "refi_project": ctx.project,
            "refi_source": sname,
            "refi_guid": guid,
            "refi_origin": ctx.origin,
            "refi_positions": f"{convention} ({why})",
            "refi_users": dict(sorted(user_guids.items())),
        }
    )
    if description:
        meta["refi_description"] = description
    if others:
        meta["refi_other_coders"] = others
    return Transcript(
        id=tid,
        text=sp.text,
        segments=segments,
        codes=tuple(spans),
        source=str(path),
        encoding=encoding,
        lang=lang,
        offset_map=sp.canonical.offset_map,
        meta=meta,
    )


def _read_sidecar(zf: QdpxArchive, member: str, path: Path) -> dict:
    try:
        data = json.loads(zf.read(member).decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        warnings.warn(
            f"{path}: ignored {member} ({exc}); the text and codings are imported.", DataWarning, stacklevel=5
        )
        return {}
    return data if isinstance(data, dict) else {}


def _source_extra(t: Transcript, to_canonical: Callable[[int], int]) -> dict:
    """What a TextSource cannot say in REFI terms (id, language, segments, metadata), for our own re-import."""
    extra: dict = {"id": t.id}
    if t.lang:
        extra["lang"] = t.lang
    if t.segments:
        extra["segments"] = [
            {**s.to_json(), "start": to_canonical(s.start), "end": to_canonical(s.end)} for s in t.segments
        ]
    if t.meta:
        extra["meta"] = dict(t.meta)
    return extra


def _restore_extra(extra: Mapping, n: int, *, where: str) -> tuple[str | None, tuple[Segment, ...], dict]:
    lang = extra.get("lang") if isinstance(extra.get("lang"), str) else None
    meta = dict(extra["meta"]) if isinstance(extra.get("meta"), dict) else {}
    segments: tuple[Segment, ...] = ()
    try:
        segments = tuple(Segment.from_json(s) for s in extra.get("segments") or ())
        if any(s.end > n for s in segments):
            raise ValueError("a segment runs past the text")
    except (InputError, KeyError, TypeError, ValueError, AttributeError) as exc:
        warnings.warn(
            f"{where}: ignored the segments stored with it ({exc}); the text and codings are imported.",
            DataWarning,
            stacklevel=4,
        )
        segments = ()
    return lang, segments, meta


def read_qdpx(path: str | Path, *, positions: str = "auto", coder: str = "coding") -> list[Transcript]:
    """Transcripts (text sources with their codings as spans) of a REFI-QDA project; see :func:`read_qdpx_project`.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from nlp.model import CodeSpan, Transcript
    >>> t = Transcript(id="int01", text="Vi deler kunnskap.\\nDet hjelper.",
    ...                codes=(CodeSpan("kunnskapsdeling", 3, 17, coder="kari"),))
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "p.qdpx"
    >>> _ = write_qdpx(out, [t], newline="crlf")
    >>> [(c.code, c.start, c.end, c.coder) for c in read_qdpx(out)[0].codes]
    [('kunnskapsdeling', 3, 17, 'kari')]
    """
    return list(read_qdpx_project(path, positions=positions, coder=coder).transcripts)


def _infer_codebook(name: str, spans: Iterable[CodeSpan]) -> Codebook:
    seen = {c.code for c in spans}
    ids = sorted(c for c in seen if not c.startswith(POLARITY_PREFIX))
    values = {c[len(POLARITY_PREFIX) :] for c in seen if c.startswith(POLARITY_PREFIX)}
    order = [p for p in ("driver", "barrier", "neutral") if p in values] + sorted(
        values - {"driver", "barrier", "neutral"}
    )
    return Codebook(name=name, codes=tuple(Code(id=i) for i in ids), polarity=tuple(order))


def _kept_guid(value: object, used: set[str]) -> str | None:
    """A GUID carried in metadata, if it is one and not taken yet."""
    guid = norm_guid(value) if isinstance(value, str) else None
    return guid if guid and _GUID.fullmatch(guid) and guid not in used else None


def _provenance(t: Transcript) -> str:
    """A source's description: one short line saying where it came from."""
    bits = [f"transcript {t.id}"]
    if t.lang:
        bits.append(f"language {t.lang}")
    if t.segments:
        bits.append(f"{len(t.segments)} segments")
    if t.source:
        bits.append(f"from {Path(t.source).name}")
    return xml_safe(f"Exported by {ORIGIN}: {', '.join(bits)}.")


def write_qdpx(
    path: str | Path,
    transcripts: Iterable[Transcript],
    codebook: Codebook | None = None,
    *,
    newline: str = "lf",
    name: str | None = None,
    coders: Sequence[str] | None = None,
    validate: bool = True,
    positions: str = "codepoints",
    users: Mapping[str, str] | None = None,
) -> ExportSummary:
    """Write transcripts, the codebook and all codings as a REFI-QDA project (``.qdpx``), atomically.

    Parameters
    ----------
    path
        The ``.qdpx`` to write (replaced atomically; nothing is written if anything fails).
    transcripts
        Transcripts whose ``text`` becomes the plain-text sources and whose ``codes`` become codings. Human and
        auto spans are both written; every coder (a person or a model version) is its own ``User`` and an auto
        span's confidence goes into its selection's ``Description`` as ``probability``. Transcripts imported by
        :func:`read_qdpx_project` keep their source's GUID, name and description and their users' GUIDs.
    codebook
        The code tree to write; codes used by spans must be in it. ``None`` derives a flat codebook from the spans.
        Codes keep their GUID, colour, ``isCodable`` and memos (as project ``<Note>``\\ s).
    newline
        ``"lf"`` (default; what ATLAS.ti, NVivo, QualCoder and MAXQDA 24 write) or ``"crlf"`` (for a reader that
        shifts codes on LF text, as older MAXQDA did). Positions count the file text as written, so with ``crlf``
        every line break counts two.
    name
        Project name (default: the file name without extension).
    coders
        Only write spans of these coders (default: all).
    validate
        Check ``project.qde`` against the REFI-QDA Project schema before writing (default True).
    positions
        ``"codepoints"`` (default; REFI-QDA) or ``"utf16"``: UTF-16 units, what NVivo reads (an emoji counts two).
        Texts without characters outside the Basic Multilingual Plane give the same file either way.
    users
        GUID -> name of the users of an imported project (:attr:`Project.users`): a coder of that name keeps its
        GUID even when the project had no codings by it (e.g. a codebook exported by ATLAS.ti). Transcripts
        imported by :func:`read_qdpx_project` carry their coders' GUIDs themselves.
    """
    path = Path(path)
    if newline not in NEWLINES:
        raise ConfigError(
            f"newline={newline!r} is not one of {NEWLINES}.",
            fix="use lf (ATLAS.ti, NVivo, QualCoder, MAXQDA 24) or crlf (older MAXQDA).",
        )
    if positions not in EXPORT_POSITIONS:
        raise ConfigError(
            f"positions={positions!r} is not one of {EXPORT_POSITIONS}.",
            fix="use codepoints (REFI-QDA, ATLAS.ti, MAXQDA, QualCoder) or utf16 (NVivo).",
        )
    name = name or path.stem
    items = list(transcripts)
    seen_ids = Counter(t.id for t in items)
    dupes = sorted(i for i, n in seen_ids.items() if n > 1)
    if dupes:
        raise InputError(
            f"transcript ids occur more than once: {', '.join(dupes)}.",
            fix="give every transcript a unique id.",
        )
    wanted = None if coders is None else set(coders)
    spans_of = {t.id: [c for c in t.codes if wanted is None or c.coder in wanted] for t in items}
    all_spans = [c for spans in spans_of.values() for c in spans]
    if codebook is None:
        codebook = _infer_codebook(name, all_spans)
    else:
        for t in items:
            codebook.check_codes((c.code for c in spans_of[t.id]), where=f"transcript {t.id!r}")

    root = ET.Element("Project", {"xmlns": PROJECT_NS, "name": xml_safe(name) or "project", "origin": ORIGIN})
    user_names = sorted({c.coder for c in all_spans})
    used: set[str] = set()
    user_guid: dict[str, str] = {}
    kept_users = {name: guid for guid, name in sorted((users or {}).items())} | {
        u: g
        for t in items
        if isinstance(t.meta.get("refi_users"), dict)
        for u, g in t.meta["refi_users"].items()
    }  # user GUIDs of an imported project
    for u in user_names:
        user_guid[u] = _kept_guid(kept_users.get(u), used) or make_guid("user", u)
        used.add(user_guid[u])
    if user_names:
        users_el = ET.SubElement(root, "Users")
        for u in user_names:
            ET.SubElement(users_el, "User", {"guid": user_guid[u], "name": xml_safe(u)})
    code_guid: dict[str, str] = {}
    notes: list = []
    if codebook.codes or codebook.polarity:
        codes_el, code_guid, notes = codes_element(codebook)
        ET.SubElement(root, "CodeBook").append(codes_el)
        used |= {el.get("guid") for el in codes_el.iter() if el.get("guid")} | {m.guid for m in notes}

    members: list[tuple[str, bytes]] = []
    if items:
        sources_el = ET.SubElement(root, "Sources")
    for t in items:
        canon = canonicalise(t.text)
        text, to_file = file_text(canon.text, newline, positions)
        sguid = _kept_guid(t.meta.get("refi_guid"), used) or make_guid("source", t.id)
        used.add(sguid)
        try:
            members.append((f"sources/{sguid}.txt", text.encode("utf-8")))
        except UnicodeEncodeError as exc:
            raise InputError(
                f"transcript {t.id!r} has a character UTF-8 cannot store at position {exc.start} "
                f"({exc.reason}).",
                fix="re-ingest the file so that its text is decoded cleanly.",
            ) from None
        sname = t.meta.get("refi_source") if isinstance(t.meta.get("refi_source"), str) else None
        src = ET.SubElement(
            sources_el,
            "TextSource",
            {
                "guid": sguid,
                "name": xml_safe(sname or t.id) or sguid,
                "plainTextPath": f"internal://{sguid}.txt",
            },
        )
        kept = t.meta.get("refi_description")
        ET.SubElement(src, "Description").text = (
            xml_safe(kept) if isinstance(kept, str) and kept else _provenance(t)
        )
        members.append(
            (
                _SIDECAR.format(guid=sguid),
                json.dumps(_source_extra(t, canon.to_canonical), ensure_ascii=False, sort_keys=True).encode(
                    "utf-8"
                ),
            )
        )
        # an imported selection with several codings is written back as one selection with them all
        kept_selections: dict[tuple[str, int, int, str], ET.Element] = {}
        for i, c in enumerate(spans_of[t.id]):
            start, end = to_file(canon.to_canonical(c.start)), to_file(canon.to_canonical(c.end))
            description = ""
            if c.source == "auto":
                prob = "" if c.confidence is None else f", probability {c.confidence!r}"
                description = xml_safe(f"{_AUTO}{prob}, model {c.coder}")
            kept = norm_guid(c.selection_guid)
            sel = kept_selections.get((kept, start, end, description)) if kept else None
            if sel is None:
                sel_guid = _kept_guid(kept, used) or make_guid(
                    "selection", t.id, str(i), c.code, c.coder, str(c.start), str(c.end)
                )
                used.add(sel_guid)
                sel = ET.SubElement(
                    src,
                    "PlainTextSelection",
                    {
                        "guid": sel_guid,
                        "startPosition": str(start),
                        "endPosition": str(end),
                        "creatingUser": user_guid[c.coder],
                    },
                )
                if description:
                    ET.SubElement(sel, "Description").text = description
                if kept:
                    kept_selections[(kept, start, end, description)] = sel
            coding_guid = _kept_guid(c.coding_guid, used) or next(
                g
                for g in (make_guid("coding", sel.get("guid")), make_guid("coding", sel.get("guid"), str(i)))
                if g not in used
            )
            used.add(coding_guid)
            coding = ET.SubElement(sel, "Coding", {"guid": coding_guid, "creatingUser": user_guid[c.coder]})
            ET.SubElement(coding, "CodeRef", {"targetGUID": code_guid[c.code]})
    if notes:
        notes_el = ET.SubElement(root, "Notes")
        for memo in notes:
            note = ET.SubElement(
                notes_el, "Note", {"guid": memo.guid, **({"name": xml_safe(memo.name)} if memo.name else {})}
            )
            ET.SubElement(note, "PlainTextContent").text = xml_safe(memo.text)
    unit = "UTF-16 code units (as NVivo counts)" if positions == "utf16" else "Unicode code points"
    ET.SubElement(root, "Description").text = (
        f"Exported by {ORIGIN}. Plain-text sources are UTF-8 with {newline.upper()} line breaks; positions count "
        f"{unit} of the source file, end-exclusive."
    )

    qde = serialise(root)
    if validate:
        validate_project_xml(qde)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for member, data in [("project.qde", qde), *members]:
            info = zipfile.ZipInfo(member, date_time=_ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = 0o644 << 16
            zf.writestr(info, data, compresslevel=6)
    with atomic_writer(path, mode="wb", encoding=None) as fh:
        fh.write(buf.getvalue())
    return ExportSummary(
        path=str(path),
        sources=len(items),
        codings=len(all_spans),
        auto_codings=sum(c.source == "auto" for c in all_spans),
        users=tuple(user_names),
        codes=len(codebook.codes),
        newline=newline,
        positions=positions,
    )
