"""REFI-QDA projects (``.qdpx``): import coded transcripts from NVivo/ATLAS.ti/MAXQDA/QualCoder, export ours.

A ``.qdpx`` is a zip holding ``project.qde`` (XML, namespace ``urn:QDA-XML:project:1.0``) and the plain-text sources
under ``sources/``. Import reads text sources, users, the code tree and every ``PlainTextSelection`` as a human
:class:`~nlp.model.CodeSpan` (coder = the user's name); export writes the sources, the codebook (with polarity as
codes), and human and auto-coder codings (each coder or model version its own ``User``, the auto-coder's probability
in the selection's ``Description``). Output is deterministic: GUIDs are uuid5 of stable names, zip entries carry a
fixed date, so the same input gives byte-identical files.
"""

from __future__ import annotations

import io
import re
import warnings
import zipfile
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree as ET

from ..codebook import Code, Codebook
from ..errors import ConfigError, DataWarning, InputError
from ..model import POLARITY_PREFIX, CodeSpan, Segment, Transcript, atomic_writer
from ._safe import QdpxArchive, _unsafe_name, local, parse_xml
from ._text import NEWLINES, canonicalise, decode_source, file_text
from .codes import (
    ORIGIN,
    codes_element,
    describe,
    make_guid,
    norm_guid,
    parse_codes,
    serialise,
    split_description,
    xml_safe,
)
from .schema import PROJECT_NS, validate_project_xml

__all__ = ["POSITIONS", "ExportSummary", "Project", "read_qdpx", "read_qdpx_project", "write_qdpx"]

#: How an imported file counts positions: code points of the file text, or ``"\r\n"`` as one (ATLAS.ti).
POSITIONS = ("auto", "codepoints", "crlf-as-one")
_AUTO = "Auto-code (klyngekoder)"
_AUTO_RE = re.compile(r"^Auto-code \(klyngekoder\)(?:, probability ([^,\s]+))?")
_FIX = "export the project again from your QDA program (File > Export > REFI-QDA project)."
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)
_SOURCE_NOTE = "Transcript exported by klyngekoder; its language, segments and metadata follow for re-import."


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


def read_qdpx_project(path: str | Path, *, positions: str = "auto") -> Project:
    """Read a REFI-QDA project: text sources with their codings, the code tree and the users.

    Parameters
    ----------
    path
        The ``.qdpx`` file.
    positions
        How the file counts ``startPosition``/``endPosition``: ``"codepoints"`` (Unicode code points of the source
        file as stored, as :func:`write_qdpx` writes), ``"crlf-as-one"`` (a ``"\\r\\n"`` is one position, as
        ATLAS.ti writes) or ``"auto"`` (``crlf-as-one`` for files whose origin is ATLAS.ti, else ``codepoints``).
        Files without CRLF line breaks read the same either way.

    Returns
    -------
    Project
        Transcripts (text canonical: ``"\\n"`` line breaks, no BOM; ``offset_map`` maps back to the source file),
        codes as human spans (auto-coder spans written by :func:`write_qdpx` come back as ``source="auto"`` with
        their probability), the :class:`Codebook` with hierarchy, and users GUID -> name. Files written by
        :func:`write_qdpx` also give back each transcript's segments, language and metadata. Other programs'
        sources have no segments: segment them (speaker turns) before training or comparing by unit.

    Raises
    ------
    InputError
        For a missing, malformed or hostile file (entity declarations, ``..`` entries, oversize members), naming
        the file and the fix. Non-text sources (PDF, picture, audio, video) and sources stored outside the
        archive are skipped with a :class:`DataWarning`.
    """
    path = Path(path)
    if positions not in POSITIONS:
        raise ConfigError(f"positions={positions!r} is not one of {POSITIONS}.")
    with QdpxArchive(path) as zf:
        member = zf.find("project.qde") or next((n for n in zf.names if n.lower().endswith(".qde")), None)
        if member is None:
            raise InputError("the archive has no project.qde, so it is not a REFI-QDA project.", path=path,
                             fix=_FIX)
        root = parse_xml(zf.read(member), path=path, member=member)
        if local(root.tag) != "Project":
            raise InputError(f"{member} has root <{local(root.tag)}>, not <Project>.", path=path, fix=_FIX)
        name = root.get("name") or path.stem
        origin = root.get("origin") or ""
        if positions == "auto":
            positions = "crlf-as-one" if "atlas" in origin.lower() else "codepoints"

        users: dict[str, str] = {}
        users_el = _child(root, "Users")
        for u in _children(users_el, "User") if users_el is not None else ():
            guid = norm_guid(u.get("guid"))
            if guid:
                users[guid] = u.get("name") or u.get("id") or guid
        counts = Counter(users.values())
        coder_of = {g: (n if counts[n] == 1 else f"{n} ({g[:8]})") for g, n in users.items()}
        default_user = norm_guid(root.get("creatingUserGUID"))

        cb_el = _child(root, "CodeBook")
        codebook, code_of = parse_codes(_child(cb_el, "Codes") if cb_el is not None else None, name=name,
                                        path=path)

        transcripts: list[Transcript] = []
        skipped: Counter[str] = Counter()
        ids: set[str] = set()
        sources_el = _child(root, "Sources")
        for src in list(sources_el) if sources_el is not None else ():
            kind = local(src.tag)
            if kind != "TextSource":
                skipped[kind] += 1
                continue
            t = _read_text_source(src, zf=zf, path=path, positions=positions, code_of=code_of,
                                  coder_of=coder_of, default_user=default_user, project=name, origin=origin,
                                  ids=ids)
            if t is not None:
                transcripts.append(t)
    if skipped:
        warnings.warn(f"{path}: skipped {sum(skipped.values())} non-text sources "
                      f"({', '.join(f'{n} {k}' for k, n in sorted(skipped.items()))}); only text sources carry "
                      "codings this toolkit can use.", DataWarning, stacklevel=2)
    return Project(name=name, transcripts=tuple(transcripts), codebook=codebook, users=users, origin=origin)


def _read_text_source(src: ET.Element, *, zf: QdpxArchive, path: Path, positions: str, code_of: Mapping[str, str],
                      coder_of: Mapping[str, str], default_user: str | None, project: str, origin: str,
                      ids: set[str]) -> Transcript | None:
    guid = norm_guid(src.get("guid")) or ""
    sname = src.get("name") or guid or "source"
    content = _child(src, "PlainTextContent")
    plain = src.get("plainTextPath")
    encoding = None
    if content is not None:
        raw = content.text or ""
    elif plain and plain.lower().startswith("internal://"):
        rel = plain[len("internal://"):]
        why = _unsafe_name(rel)
        if why:
            raise InputError(f"refused: source {sname!r} has plainTextPath {plain!r}, which {why}.", path=path,
                             fix="do not open this file; " + _FIX)
        member = zf.find("sources/" + rel) or zf.find(rel)
        if member is None:
            raise InputError(f"source {sname!r}: its text {plain!r} is not in the archive.", path=path, fix=_FIX)
        raw, encoding = decode_source(zf.read(member), path=path, member=member)
    else:
        warnings.warn(f"{path}: skipped source {sname!r}: its plain text is "
                      f"{'stored outside the project (' + plain + ')' if plain else 'missing (rich text only)'}; "
                      "export the project with its sources embedded.", DataWarning, stacklevel=3)
        return None

    canon = canonicalise(raw)
    limit = len(raw) if positions == "codepoints" else len(canon.text)

    def convert(pos: int) -> int:
        return canon.to_canonical(pos) if positions == "codepoints" else pos

    def coder(*guids: str | None) -> str:
        g = next((g for g in guids if g), None)
        return coder_of.get(g, g) if g else "unknown"

    def code(coding: ET.Element, where: str) -> str | None:
        ref = _child(coding, "CodeRef")
        target = norm_guid(ref.get("targetGUID")) if ref is not None else None
        if target not in code_of:
            raise InputError(f"source {sname!r}, {where}: a coding refers to code {target!r}, which the CodeBook "
                             "does not define.", path=path, fix=_FIX)
        return code_of[target] or None  # "" marks a non-codable grouping code (the Polarity parent)

    spans: list[CodeSpan] = []
    for sel in _children(src, "PlainTextSelection"):
        sel_guid = sel.get("guid")
        start = _int(sel.get("startPosition"), what=f"source {sname!r}, selection {sel_guid}: startPosition",
                     path=path)
        end = _int(sel.get("endPosition"), what=f"source {sname!r}, selection {sel_guid}: endPosition", path=path)
        if not 0 <= start <= end <= limit:
            raise InputError(f"source {sname!r}, selection {sel_guid}: positions {start}..{end} are not an ordered "
                             f"range inside the text ({limit} positions, counted as {positions}).", path=path,
                             fix=("if the file came from ATLAS.ti, import with positions='crlf-as-one'; otherwise "
                                  if positions == "codepoints" and "\r\n" in raw else "") + _FIX)
        desc = _child(sel, "Description")
        is_auto, conf = _auto(desc.text if desc is not None else None)
        for coding in _children(sel, "Coding"):
            c = code(coding, f"selection {sel_guid}")
            if c is None:
                continue
            who = coder(norm_guid(coding.get("creatingUser")), norm_guid(sel.get("creatingUser")), default_user)
            spans.append(CodeSpan(code=c, start=convert(start), end=convert(end), coder=who,
                                  source="auto" if is_auto else "human", confidence=conf))
    for coding in _children(src, "Coding"):  # the whole source coded
        c = code(coding, "whole-source coding")
        if c is not None:
            who = coder(norm_guid(coding.get("creatingUser")), default_user)
            spans.append(CodeSpan(code=c, start=0, end=len(canon.text), coder=who))

    tid, n = sname, 2
    while tid in ids:
        tid, n = f"{sname} ({n})", n + 1
    ids.add(tid)
    desc = _child(src, "Description")
    lang, segments, meta = _restore_extra(split_description(desc.text if desc is not None else None)[1],
                                          len(canon.text), where=f"{path}: source {sname!r}")
    meta.update({"refi_project": project, "refi_source": sname, "refi_guid": guid, "refi_origin": origin})
    return Transcript(id=tid, text=canon.text, segments=segments, codes=tuple(spans), source=str(path),
                      encoding=encoding, lang=lang, offset_map=canon.offset_map, meta=meta)


def _source_extra(t: Transcript, to_canonical) -> dict:
    """What a TextSource cannot say in REFI terms (language, segments, metadata), for our own re-import."""
    extra: dict = {}
    if t.lang:
        extra["lang"] = t.lang
    if t.segments:
        extra["segments"] = [{**s.to_json(), "start": to_canonical(s.start), "end": to_canonical(s.end)}
                             for s in t.segments]
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
        warnings.warn(f"{where}: ignored the segments stored in its description ({exc}); the text and codings "
                      "are imported.", DataWarning, stacklevel=4)
        segments = ()
    return lang, segments, meta


def read_qdpx(path: str | Path, *, positions: str = "auto") -> list[Transcript]:
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
    return list(read_qdpx_project(path, positions=positions).transcripts)


def _infer_codebook(name: str, spans: Iterable[CodeSpan]) -> Codebook:
    seen = {c.code for c in spans}
    ids = sorted(c for c in seen if not c.startswith(POLARITY_PREFIX))
    values = {c[len(POLARITY_PREFIX):] for c in seen if c.startswith(POLARITY_PREFIX)}
    order = [p for p in ("driver", "barrier", "neutral") if p in values] + sorted(values - {"driver", "barrier",
                                                                                           "neutral"})
    return Codebook(name=name, codes=tuple(Code(id=i) for i in ids), polarity=tuple(order))


def write_qdpx(path: str | Path, transcripts: Iterable[Transcript], codebook: Codebook | None = None, *,
               newline: str = "lf", name: str | None = None, coders: Sequence[str] | None = None,
               validate: bool = True) -> ExportSummary:
    """Write transcripts, the codebook and all codings as a REFI-QDA project (``.qdpx``), atomically.

    Parameters
    ----------
    path
        The ``.qdpx`` to write (replaced atomically; nothing is written if anything fails).
    transcripts
        Transcripts whose ``text`` becomes the plain-text sources and whose ``codes`` become codings. Human and
        auto spans are both written; every coder (a person or a model version) is its own ``User`` and an auto
        span's confidence goes into its selection's ``Description`` as ``probability``.
    codebook
        The code tree to write; codes used by spans must be in it. ``None`` derives a flat codebook from the spans.
    newline
        ``"lf"`` (default; ATLAS.ti, QualCoder, NVivo) or ``"crlf"`` (MAXQDA expects CRLF). Positions are code points
        into the file text as written, so with ``crlf`` every line break counts two.
    name
        Project name (default: the file name without extension).
    coders
        Only write spans of these coders (default: all).
    validate
        Check ``project.qde`` against the REFI-QDA Project schema before writing (default True).
    """
    path = Path(path)
    if newline not in NEWLINES:
        raise ConfigError(f"newline={newline!r} is not one of {NEWLINES}.",
                          fix="use lf (ATLAS.ti, NVivo, QualCoder) or crlf (MAXQDA).")
    name = name or path.stem
    items = list(transcripts)
    seen_ids = Counter(t.id for t in items)
    dupes = sorted(i for i, n in seen_ids.items() if n > 1)
    if dupes:
        raise InputError(f"transcript ids occur more than once: {', '.join(dupes)}.",
                         fix="give every transcript a unique id.")
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
    user_guid = {u: make_guid("user", u) for u in user_names}
    if user_names:
        users_el = ET.SubElement(root, "Users")
        for u in user_names:
            ET.SubElement(users_el, "User", {"guid": user_guid[u], "name": xml_safe(u)})
    code_guid: dict[str, str] = {}
    if codebook.codes or codebook.polarity:
        codes_el, code_guid = codes_element(codebook)
        ET.SubElement(root, "CodeBook").append(codes_el)

    members: list[tuple[str, bytes]] = []
    if items:
        sources_el = ET.SubElement(root, "Sources")
    for t in items:
        canon = canonicalise(t.text)
        text, to_file = file_text(canon.text, newline)
        sguid = make_guid("source", t.id)
        try:
            members.append((f"sources/{sguid}.txt", text.encode("utf-8")))
        except UnicodeEncodeError as exc:
            raise InputError(f"transcript {t.id!r} has a character UTF-8 cannot store at position {exc.start} "
                             f"({exc.reason}).", fix="re-ingest the file so that its text is decoded cleanly.") from None
        src = ET.SubElement(sources_el, "TextSource", {"guid": sguid, "name": xml_safe(t.id) or sguid,
                                                       "plainTextPath": f"internal://{sguid}.txt"})
        extra = _source_extra(t, canon.to_canonical)
        if extra:
            ET.SubElement(src, "Description").text = describe(_SOURCE_NOTE, extra)
        for i, c in enumerate(spans_of[t.id]):
            sel_guid = make_guid("selection", t.id, str(i), c.code, c.coder, str(c.start), str(c.end))
            start, end = to_file(canon.to_canonical(c.start)), to_file(canon.to_canonical(c.end))
            sel = ET.SubElement(src, "PlainTextSelection", {
                "guid": sel_guid, "startPosition": str(start), "endPosition": str(end),
                "creatingUser": user_guid[c.coder]})
            if c.source == "auto":
                prob = "" if c.confidence is None else f", probability {c.confidence!r}"
                ET.SubElement(sel, "Description").text = xml_safe(f"{_AUTO}{prob}, model {c.coder}")
            coding = ET.SubElement(sel, "Coding", {"guid": make_guid("coding", sel_guid),
                                                   "creatingUser": user_guid[c.coder]})
            ET.SubElement(coding, "CodeRef", {"targetGUID": code_guid[c.code]})
    ET.SubElement(root, "Description").text = (
        f"Exported by {ORIGIN}. Plain-text sources are UTF-8 with {newline.upper()} line breaks; positions count "
        "Unicode code points of the source file, end-exclusive.")

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
    return ExportSummary(path=str(path), sources=len(items), codings=len(all_spans),
                         auto_codings=sum(c.source == "auto" for c in all_spans), users=tuple(user_names),
                         codes=len(codebook.codes))
