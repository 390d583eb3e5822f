"""The code tree: :class:`~nlp.codebook.Codebook` <-> REFI-QDA ``<Codes>``, and ``.qdc`` codebook files.

A code becomes a ``<Code>`` named by its display name, with its definition as ``<Description>``, its colour,
``isCodable`` and GUID as they came (a code of our own gets a GUID derived from its id), and its memos as ``<NoteRef>``
to project ``<Note>``\\ s. What REFI-QDA has no place for (the code id, names in other languages, cue words) goes on a
last description line ``[klyngekoder] {json}``, only when there is something to say, so our own files round-trip
exactly and a code imported from another program goes back with its description untouched. The polarity values
become codes too: a non-codable parent ``Polarity`` with one child per value (driver, barrier, neutral); spans coded
``polarity:driver`` are codings of that child.

Codes of a foreign codebook keep their name as id (made unique with the parent's id where names repeat).
:func:`nlp.refi.load_codebook` reads any codebook the toolkit takes: YAML, ``.qdc`` and the code tree of a ``.qdpx``.
"""

from __future__ import annotations

import json
import re
import uuid
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

from .. import __version__
from ..codebook import Code, Codebook, Memo
from ..errors import DataWarning, InputError
from ..model import POLARITY_PREFIX, atomic_writer
from . import _safe
from ._safe import local, parse_xml
from .schema import CODEBOOK_NS, validate_codebook_xml

__all__ = [
    "ORIGIN",
    "code_guid",
    "codes_element",
    "describe",
    "make_guid",
    "norm_guid",
    "parse_codes",
    "read_qdc",
    "serialise",
    "split_description",
    "write_qdc",
    "xml_safe",
]

ORIGIN = f"klyngekoder {__version__}"
_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://github.com/klyngekoder/klyngekoder#refi-qda")
_TRAILER = "[klyngekoder] "
_POLARITY_NAMES = {"polarity", "polaritet"}
_MAX_DEPTH = 64
_COLOR = re.compile(r"#(?:[0-9A-Fa-f]{6}|[0-9A-Fa-f]{3})")
# Characters XML 1.0 cannot carry at all.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def make_guid(kind: str, *parts: str) -> str:
    """A deterministic GUID (uuid5, lower case) for an object of ``kind`` named by ``parts``: same input, same GUID."""
    return str(uuid.uuid5(_NAMESPACE, "\x1f".join((kind, *parts))))


def norm_guid(value: str | None) -> str | None:
    """GUIDs compare case-insensitively and may come in braces; we keep and write them in lower case (some readers
    accept only that; the schema allows both)."""
    return None if value is None else value.strip().strip("{}").lower() or None


def xml_safe(text: str) -> str:
    """Text XML 1.0 can carry: line breaks as ``\\n``, characters XML forbids removed."""
    return _NOT_XML.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def serialise(root: ET.Element) -> bytes:
    """Deterministic, indented UTF-8 XML with a declaration."""
    ET.indent(root, space="  ")
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
    ).encode()


def describe(text: str, extra: dict[str, Any]) -> str:
    """A ``<Description>`` text: ``text`` for people, then ``extra`` as a ``[klyngekoder] {json}`` line."""
    line = _TRAILER + json.dumps(extra, ensure_ascii=False, sort_keys=True)
    return xml_safe(f"{text.rstrip()}\n\n{line}" if text.strip() else line)


def split_description(text: str | None) -> tuple[str, dict[str, Any]]:
    """Inverse of :func:`describe`: (text for people, our trailer data or {})."""
    text = (text or "").strip()
    head, _, last = text.rpartition("\n")
    if not last.startswith(_TRAILER):
        return text, {}
    try:
        data = json.loads(last[len(_TRAILER) :])
    except ValueError:
        return text, {}
    return (head.strip(), data) if isinstance(data, dict) else (text, {})


def _str_map(value: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        return {}
    return {str(k): str(v) for k, v in value.items() if isinstance(v, (str, int, float))}


def code_guid(code: Code) -> str:
    """The GUID written for ``code``: the one it came with, else one derived from its id."""
    return code.guid or make_guid("code", code.id)


def codes_element(
    codebook: Codebook, *, memos_as_notes: bool = True
) -> tuple[ET.Element, dict[str, str], list[Memo]]:
    """The ``<Codes>`` element for ``codebook``, a map code string (id or ``polarity:x``) -> GUID, and the memos
    to write as project ``<Note>``\\ s (each with its GUID set).

    With ``memos_as_notes=False`` (a ``.qdc``, which has no notes) memos go into the description trailer instead.
    """
    codes_el = ET.Element("Codes")
    guids: dict[str, str] = {}
    notes: list[Memo] = []
    seen: set[str] = set()

    def add(parent: ET.Element, code: Code, depth: int) -> None:
        if code.id in guids or depth > _MAX_DEPTH:
            raise InputError(
                f"codebook {codebook.name!r}: the parents of code {code.id!r} form a cycle.",
                fix="give every code a parent chain that ends at a top-level code.",
            )
        guid = norm_guid(code_guid(code)) or ""
        if guid in seen:
            raise InputError(
                f"codebook {codebook.name!r}: code {code.id!r} has GUID {guid}, which another code has too.",
                fix="give every code its own guid (or none, to derive one from its id).",
            )
        seen.add(guid)
        guids[code.id] = guid
        name = xml_safe(code.name) or code.id
        attrs = {"guid": guid, "name": name, "isCodable": "true" if code.codable else "false"}
        if code.color:
            if not _COLOR.fullmatch(code.color):
                raise InputError(
                    f"codebook {codebook.name!r}: code {code.id!r} has colour {code.color!r}, not #rrggbb.",
                    fix="write colours as #rrggbb (e.g. #1f77b4) or leave them out.",
                )
            attrs["color"] = code.color
        el = ET.SubElement(parent, "Code", attrs)
        extra: dict[str, Any] = {}
        foreign = code.guid is not None and set(code.names) <= {"und"}
        if (
            code.id != name or not code.names
        ) and not foreign:  # a foreign code's id comes from its name again
            extra["id"] = code.id
        if code.names and dict(code.names) != {"und": name}:
            extra["names"] = dict(code.names)
        if code.cues:
            extra["cues"] = list(code.cues)
        if code.memos and not memos_as_notes:
            extra["memos"] = [
                {k: v for k, v in (("text", m.text), ("guid", m.guid), ("name", m.name)) if v}
                for m in code.memos
            ]
        text = describe(code.definition, extra) if extra else xml_safe(code.definition.strip())
        if text:
            ET.SubElement(el, "Description").text = text
        if memos_as_notes:
            for i, memo in enumerate(code.memos):
                mguid = norm_guid(memo.guid) or make_guid("memo", guid, str(i))
                notes.append(Memo(text=memo.text, guid=mguid, name=memo.name))
                ET.SubElement(el, "NoteRef", {"targetGUID": mguid})
        for child in codebook.children(code.id):
            add(el, child, depth + 1)

    for top in codebook.children(None):
        add(codes_el, top, 0)
    missing = [c.id for c in codebook.codes if c.id not in guids]
    if missing:
        raise InputError(
            f"codebook {codebook.name!r}: codes {', '.join(missing)} are not reachable from a "
            "top-level code (their parents form a cycle).",
            fix="fix the codes' parents.",
        )

    def polarity_guid(key: str, derived: str) -> str:
        """The GUID another program gave this polarity code, unless a code has it already; else ``derived``."""
        kept = norm_guid(codebook.polarity_guids.get(key))
        guid = kept if kept and kept not in seen else derived
        seen.add(guid)
        return guid

    if codebook.polarity:
        root = ET.SubElement(
            codes_el,
            "Code",
            {
                "guid": polarity_guid("polarity", make_guid("polarity-root")),
                "name": "Polarity",
                "isCodable": "false",
            },
        )
        meta: dict[str, Any] = {
            "name": codebook.name,
            "version": codebook.version,
            "description": codebook.description,
        }
        if codebook.polarity_cues:
            meta["polarity_cues"] = {k: list(v) for k, v in codebook.polarity_cues.items()}
        ET.SubElement(root, "Description").text = describe(
            "Polarity of a coded passage (driver, barrier or neutral), coded beside the concept codes.",
            {"polarity_root": True, "codebook": meta},
        )
        for value in codebook.polarity:
            labels = dict(codebook.polarity_labels.get(value, {}))
            guids[POLARITY_PREFIX + value] = polarity_guid(
                POLARITY_PREFIX + value, make_guid("polarity", value)
            )
            el = ET.SubElement(
                root,
                "Code",
                {"guid": guids[POLARITY_PREFIX + value], "name": xml_safe(value), "isCodable": "true"},
            )
            label = labels.get("nb") or labels.get("da") or ""
            extra = {"polarity": value, **({"labels": labels} if labels else {})}
            ET.SubElement(el, "Description").text = describe(label, extra)
    return codes_el, guids, notes


def parse_codes(
    codes_el: ET.Element | None, *, name: str, path: str | Path, notes: Mapping[str, Memo] | None = None
) -> tuple[Codebook, dict[str, str]]:
    """A :class:`Codebook` from a ``<Codes>`` element, and a map GUID -> code string (id or ``polarity:x``).

    ``notes`` (GUID -> :class:`Memo`, from the project's ``<Notes>``) gives the memos that codes refer to.
    """
    codes: list[Code] = []
    guid_map: dict[str, str] = {}
    polarity: list[str] = []
    labels: dict[str, dict[str, str]] = {}
    meta: dict[str, Any] = {}
    used: set[str] = set()
    polarity_guids: dict[str, str] = {}

    def attrs(el: ET.Element) -> tuple[str, str]:
        guid, cname = norm_guid(el.get("guid")), el.get("name")
        if not guid or cname is None:
            raise InputError(
                f"a <Code> lacks its required guid or name attribute (guid={el.get('guid')!r}, "
                f"name={cname!r}).",
                path=path,
                fix="export the codebook again from your QDA program.",
            )
        if guid in guid_map:
            raise InputError(
                f"two codes share the GUID {guid}.",
                path=path,
                fix="export the codebook again from your QDA program.",
            )
        return guid, cname

    def description_of(el: ET.Element) -> tuple[str, dict[str, Any]]:
        desc = next((c for c in el if local(c.tag) == "Description"), None)
        return split_description(desc.text if desc is not None else None)

    def unique_id(wanted: str, cname: str, parent: str | None) -> str:
        cid = wanted.strip() or cname.strip() or "code"
        if cid.startswith(POLARITY_PREFIX):
            cid = "code " + cid
        if cid in used and parent is not None:
            cid = f"{parent}/{cid}"
        base, n = cid, 2
        while cid in used:
            cid, n = f"{base} #{n}", n + 1
        used.add(cid)
        return cid

    def walk(el: ET.Element, parent: str | None, depth: int) -> None:
        if depth > _MAX_DEPTH:
            raise InputError(f"the code tree is nested more than {_MAX_DEPTH} levels deep.", path=path)
        guid, cname = attrs(el)
        definition, extra = description_of(el)
        if parent is None and (
            extra.get("polarity_root") or (not extra and cname.strip().lower() in _POLARITY_NAMES)
        ):
            guid_map[guid] = ""  # not codable as such; marks the GUID as known
            if guid != make_guid("polarity-root"):  # another program's group: its GUID goes back to it
                polarity_guids["polarity"] = guid
            if isinstance(extra.get("codebook"), dict):
                meta.update(extra["codebook"])
            for child in (c for c in el if local(c.tag) == "Code"):
                cguid, cname2 = attrs(child)
                _, cextra = description_of(child)
                value = str(cextra.get("polarity") or cname2.strip().lower() or cguid)
                if value not in polarity:
                    polarity.append(value)
                if _str_map(cextra.get("labels")):
                    labels[value] = _str_map(cextra.get("labels"))
                guid_map[cguid] = POLARITY_PREFIX + value
                if cguid != make_guid("polarity", value):
                    polarity_guids[POLARITY_PREFIX + value] = cguid
            return
        wanted = extra.get("id") if isinstance(extra.get("id"), str) else ""
        cid = unique_id(wanted or cname, cname, parent)
        # "und" (undetermined language, BCP 47): a foreign code name carries no language
        ours = "names" in extra or "id" in extra  # a code of ours: its names are all in the trailer
        names = _str_map(extra.get("names")) if ours else ({"und": cname} if cname.strip() else {})
        cues_raw = extra.get("cues")
        if isinstance(cues_raw, dict):  # the older {lang: [...]} layout
            cues_raw = [w for v in cues_raw.values() if isinstance(v, list) for w in v]
        cues = tuple(str(w) for w in cues_raw) if isinstance(cues_raw, list) else ()
        color = (el.get("color") or "").strip() or None
        if color and not _COLOR.fullmatch(color):
            warnings.warn(
                f"{path}: code {cname!r} has colour {color!r}, not #rrggbb; left out.",
                DataWarning,
                stacklevel=4,
            )
            color = None
        memos = [
            notes[g]
            for g in (norm_guid(r.get("targetGUID")) for r in el if local(r.tag) == "NoteRef")
            if notes and g in notes
        ]
        if isinstance(extra.get("memos"), list):  # a .qdc of ours: memos kept in the trailer
            memos += [
                Memo(
                    text=str(m.get("text") or ""),
                    guid=norm_guid(m.get("guid")),
                    name=str(m.get("name") or ""),
                )
                for m in extra["memos"]
                if isinstance(m, dict)
            ]
        # a GUID derived from the id (our own export) stays implicit, so a codebook round-trips equal
        keep_guid = None if guid == make_guid("code", cid) else guid
        codes.append(
            Code(
                id=cid,
                names=names,
                definition=definition,
                parent=parent,
                cues=cues,
                color=color,
                codable=(el.get("isCodable") or "true").strip().lower() not in ("false", "0"),
                guid=keep_guid,
                memos=tuple(memos),
            )
        )
        guid_map[guid] = cid
        for child in (c for c in el if local(c.tag) == "Code"):
            walk(child, cid, depth + 1)

    if codes_el is not None:
        for el in (c for c in codes_el if local(c.tag) == "Code"):
            walk(el, None, 0)
    codebook = Codebook(
        name=str(meta.get("name") or name),
        codes=tuple(codes),
        polarity=tuple(polarity),
        polarity_labels=labels,
        version=str(meta.get("version") or "1"),
        description=str(meta.get("description") or ""),
        polarity_cues=_cue_map(meta.get("polarity_cues")),
        polarity_guids=polarity_guids,
    )
    return codebook, guid_map


def _cue_map(raw: Any) -> dict[str, tuple[str, ...]]:
    """``polarity_cues`` from a description's JSON: lists of strings kept, anything else left out."""
    if not isinstance(raw, dict):
        return {}
    return {str(k): tuple(str(w) for w in v) for k, v in raw.items() if isinstance(v, list)}


def read_qdc(path: str | Path) -> Codebook:
    """Read a REFI-QDA codebook (``.qdc``) exported by NVivo, ATLAS.ti, MAXQDA, QualCoder or :func:`write_qdc`.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from nlp.codebook import Code, Codebook
    >>> cb = Codebook(name="demo", codes=(Code("tillit", {"nb": "Tillit"}, "Trust between firms."),))
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "demo.qdc"
    >>> write_qdc(out, cb)
    >>> read_qdc(out) == cb
    True
    """
    path = Path(path)
    try:
        size = path.stat().st_size
    except FileNotFoundError as exc:
        raise InputError("codebook file not found.", path=path, fix="check the path.") from exc
    if size > _safe.MAX_MEMBER_BYTES:
        raise InputError(
            f"the codebook is {size} bytes, more than the limit of {_safe.MAX_MEMBER_BYTES}.",
            path=path,
            fix="pass a REFI-QDA codebook (.qdc), not another kind of file.",
        )
    root = parse_xml(path.read_bytes(), path=path)
    if local(root.tag) != "CodeBook":
        raise InputError(
            f"not a REFI-QDA codebook: the root element is <{local(root.tag)}>, not <CodeBook>.",
            path=path,
            fix="pass a .qdc file exported as 'REFI-QDA codebook'.",
        )
    codes_el = next((c for c in root if local(c.tag) == "Codes"), None)
    return parse_codes(codes_el, name=path.stem, path=path)[0]


def write_qdc(path: str | Path, codebook: Codebook) -> None:
    """Write ``codebook`` as a REFI-QDA codebook (``.qdc``), atomically; the same codebook gives the same bytes."""
    if not codebook.codes and not codebook.polarity:
        raise InputError(
            f"codebook {codebook.name!r} has no codes to write.", fix="add codes to the codebook."
        )
    root = ET.Element("CodeBook", {"xmlns": CODEBOOK_NS, "origin": ORIGIN})
    root.append(codes_element(codebook, memos_as_notes=False)[0])
    data = serialise(root)
    validate_codebook_xml(data)
    with atomic_writer(path, mode="wb", encoding=None) as fh:
        fh.write(data)
