"""The code tree: :class:`~nlp.codebook.Codebook` <-> REFI-QDA ``<Codes>``, and ``.qdc`` codebook files.

A code becomes a ``<Code>`` named by its display name, with its definition as ``<Description>``. What REFI-QDA has
no place for (the code id, names in other languages, cue words) goes on a last description line
``[klyngekoder] {json}``, so our own files round-trip exactly while other programs show an ordinary description.
The polarity values become codes too: a non-codable parent ``Polarity`` with one child per value (driver, barrier,
neutral); spans coded ``polarity:driver`` are codings of that child.

Codes of a foreign codebook keep their name as id (made unique with the parent's id where names repeat).
"""

from __future__ import annotations

import json
import re
import uuid
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

from .. import __version__
from ..codebook import Code, Codebook
from ..errors import InputError
from ..model import POLARITY_PREFIX, atomic_writer
from . import _safe
from ._safe import local, parse_xml
from .schema import CODEBOOK_NS, validate_codebook_xml

__all__ = [
    "ORIGIN",
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
# Characters XML 1.0 cannot carry at all.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def make_guid(kind: str, *parts: str) -> str:
    """A deterministic GUID (uuid5) for an object of ``kind`` named by ``parts``: same input, same GUID."""
    return str(uuid.uuid5(_NAMESPACE, "\x1f".join((kind, *parts)))).upper()


def norm_guid(value: str | None) -> str | None:
    """GUIDs compare case-insensitively and may come in braces."""
    return None if value is None else value.strip().strip("{}").upper()


def xml_safe(text: str) -> str:
    """Text XML 1.0 can carry: line breaks as ``\\n``, characters XML forbids removed."""
    return _NOT_XML.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def serialise(root: ET.Element) -> bytes:
    """Deterministic, indented UTF-8 XML with a declaration."""
    ET.indent(root, space="  ")
    return ('<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n").encode()


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
        data = json.loads(last[len(_TRAILER):])
    except ValueError:
        return text, {}
    return (head.strip(), data) if isinstance(data, dict) else (text, {})


def _str_map(value: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        return {}
    return {str(k): str(v) for k, v in value.items() if isinstance(v, (str, int, float))}


def codes_element(codebook: Codebook) -> tuple[ET.Element, dict[str, str]]:
    """The ``<Codes>`` element for ``codebook`` and a map code string (id or ``polarity:x``) -> GUID."""
    codes_el = ET.Element("Codes")
    guids: dict[str, str] = {}

    def add(parent: ET.Element, code: Code, depth: int) -> None:
        if code.id in guids or depth > _MAX_DEPTH:
            raise InputError(f"codebook {codebook.name!r}: the parents of code {code.id!r} form a cycle.",
                             fix="give every code a parent chain that ends at a top-level code.")
        guids[code.id] = make_guid("code", code.id)
        el = ET.SubElement(parent, "Code", {"guid": guids[code.id], "name": xml_safe(code.name) or code.id,
                                            "isCodable": "true"})
        extra: dict[str, Any] = {"id": code.id}
        if code.names:
            extra["names"] = dict(code.names)
        if code.cues:
            extra["cues"] = list(code.cues)
        ET.SubElement(el, "Description").text = describe(code.definition, extra)
        for child in codebook.children(code.id):
            add(el, child, depth + 1)

    for top in codebook.children(None):
        add(codes_el, top, 0)
    missing = [c.id for c in codebook.codes if c.id not in guids]
    if missing:
        raise InputError(f"codebook {codebook.name!r}: codes {', '.join(missing)} are not reachable from a "
                         "top-level code (their parents form a cycle).", fix="fix the codes' parents.")
    if codebook.polarity:
        root = ET.SubElement(codes_el, "Code", {"guid": make_guid("polarity-root"), "name": "Polarity",
                                                "isCodable": "false"})
        meta: dict[str, Any] = {"name": codebook.name, "version": codebook.version,
                                "description": codebook.description}
        if codebook.polarity_cues:
            meta["polarity_cues"] = {k: list(v) for k, v in codebook.polarity_cues.items()}
        ET.SubElement(root, "Description").text = describe(
            "Polarity of a coded passage (driver, barrier or neutral), coded beside the concept codes.",
            {"polarity_root": True, "codebook": meta})
        for value in codebook.polarity:
            labels = dict(codebook.polarity_labels.get(value, {}))
            guids[POLARITY_PREFIX + value] = make_guid("polarity", value)
            el = ET.SubElement(root, "Code", {"guid": guids[POLARITY_PREFIX + value], "name": xml_safe(value),
                                              "isCodable": "true"})
            label = labels.get("nb") or labels.get("da") or ""
            extra = {"polarity": value, **({"labels": labels} if labels else {})}
            ET.SubElement(el, "Description").text = describe(label, extra)
    return codes_el, guids


def parse_codes(codes_el: ET.Element | None, *, name: str, path: str | Path) -> tuple[Codebook, dict[str, str]]:
    """A :class:`Codebook` from a ``<Codes>`` element, and a map GUID -> code string (id or ``polarity:x``)."""
    codes: list[Code] = []
    guid_map: dict[str, str] = {}
    polarity: list[str] = []
    labels: dict[str, dict[str, str]] = {}
    meta: dict[str, Any] = {}
    used: set[str] = set()

    def attrs(el: ET.Element) -> tuple[str, str]:
        guid, cname = norm_guid(el.get("guid")), el.get("name")
        if not guid or cname is None:
            raise InputError(f"a <Code> lacks its required guid or name attribute (guid={el.get('guid')!r}, "
                             f"name={cname!r}).", path=path, fix="export the codebook again from your QDA program.")
        if guid in guid_map:
            raise InputError(f"two codes share the GUID {guid}.", path=path,
                             fix="export the codebook again from your QDA program.")
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
        if parent is None and (extra.get("polarity_root") or (not extra and cname.strip().lower()
                                                                in _POLARITY_NAMES)):
            guid_map[guid] = ""  # not codable as such; marks the GUID as known
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
            return
        wanted = extra.get("id") if isinstance(extra.get("id"), str) else ""
        cid = unique_id(wanted or cname, cname, parent)
        # "und" (undetermined language, BCP 47): a foreign code name carries no language
        names = _str_map(extra.get("names")) if extra else ({"und": cname} if cname.strip() else {})
        cues_raw = extra.get("cues")
        if isinstance(cues_raw, dict):  # the older {lang: [...]} layout
            cues_raw = [w for v in cues_raw.values() if isinstance(v, list) for w in v]
        cues = tuple(str(w) for w in cues_raw) if isinstance(cues_raw, list) else ()
        codes.append(Code(id=cid, names=names, definition=definition, parent=parent, cues=cues))
        guid_map[guid] = cid
        for child in (c for c in el if local(c.tag) == "Code"):
            walk(child, cid, depth + 1)

    if codes_el is not None:
        for el in (c for c in codes_el if local(c.tag) == "Code"):
            walk(el, None, 0)
    codebook = Codebook(name=str(meta.get("name") or name), codes=tuple(codes), polarity=tuple(polarity),
                        polarity_labels=labels, version=str(meta.get("version") or "1"),
                        description=str(meta.get("description") or ""),
                        polarity_cues=_cue_map(meta.get("polarity_cues")))
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
        raise InputError(f"the codebook is {size} bytes, more than the limit of {_safe.MAX_MEMBER_BYTES}.",
                         path=path, fix="pass a REFI-QDA codebook (.qdc), not another kind of file.")
    root = parse_xml(path.read_bytes(), path=path)
    if local(root.tag) != "CodeBook":
        raise InputError(f"not a REFI-QDA codebook: the root element is <{local(root.tag)}>, not <CodeBook>.",
                         path=path, fix="pass a .qdc file exported as 'REFI-QDA codebook'.")
    codes_el = next((c for c in root if local(c.tag) == "Codes"), None)
    return parse_codes(codes_el, name=path.stem, path=path)[0]


def write_qdc(path: str | Path, codebook: Codebook) -> None:
    """Write ``codebook`` as a REFI-QDA codebook (``.qdc``), atomically; the same codebook gives the same bytes."""
    if not codebook.codes and not codebook.polarity:
        raise InputError(f"codebook {codebook.name!r} has no codes to write.", fix="add codes to the codebook.")
    root = ET.Element("CodeBook", {"xmlns": CODEBOOK_NS, "origin": ORIGIN})
    root.append(codes_element(codebook)[0])
    data = serialise(root)
    validate_codebook_xml(data)
    with atomic_writer(path, mode="wb", encoding=None) as fh:
        fh.write(data)
