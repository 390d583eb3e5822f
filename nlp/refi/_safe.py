"""Reading untrusted REFI-QDA files: bounded zip access and XML parsing without entities or DTDs.

A ``.qdpx`` comes from someone else's machine. Nothing in it is extracted to disk; every member is read into memory
through a size cap (so a zip bomb stops at the cap, whatever its headers claim), member names that would escape a
target folder are refused outright, and XML is parsed by :mod:`defusedxml` with DTDs forbidden (REFI-QDA never uses
them; they are how billion-laughs and external-entity attacks arrive).
"""

from __future__ import annotations

import re
import zipfile
import zlib
from pathlib import Path
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeET

from ..errors import InputError

__all__ = ["MAX_MEMBERS", "MAX_MEMBER_BYTES", "MAX_TOTAL_BYTES", "QdpxArchive", "local", "parse_xml"]

#: At most this many entries in a ``.qdpx`` (a large NVivo project has a few thousand sources).
MAX_MEMBERS = 20_000
#: At most this many uncompressed bytes in one member.
MAX_MEMBER_BYTES = 256 * 2**20
#: At most this many uncompressed bytes read from one archive in total.
MAX_TOTAL_BYTES = 1024 * 2**20

_REEXPORT = "export the project again from your QDA program (File > Export > REFI-QDA project)."
_DRIVE = re.compile(r"^[A-Za-z]:")


def local(tag: str) -> str:
    """Element name without its namespace (``{urn:QDA-XML:project:1.0}Code`` -> ``Code``)."""
    return tag.rsplit("}", 1)[-1]


def _unsafe_name(name: str) -> str | None:
    """Why a zip member name is refused, or None when it is a plain relative path."""
    if "\x00" in name:
        return "contains a NUL character"
    if name.startswith(("/", "\\")) or _DRIVE.match(name):
        return "is an absolute path"
    if any(part == ".." for part in re.split(r"[/\\]", name)):
        return "climbs out of the archive folder with '..'"
    return None


class QdpxArchive:
    """A ``.qdpx`` zip opened for bounded, in-memory reading.

    Parameters
    ----------
    path
        The ``.qdpx`` file.
    max_members, max_member_bytes, max_total_bytes
        Caps on entry count and uncompressed sizes; exceeding one raises :class:`InputError`.
    """

    def __init__(
        self,
        path: str | Path,
        *,
        max_members: int | None = None,
        max_member_bytes: int | None = None,
        max_total_bytes: int | None = None,
    ) -> None:
        # defaults read at call time, so the module caps can be lowered (tests, small machines)
        max_members = MAX_MEMBERS if max_members is None else max_members
        max_member_bytes = MAX_MEMBER_BYTES if max_member_bytes is None else max_member_bytes
        max_total_bytes = MAX_TOTAL_BYTES if max_total_bytes is None else max_total_bytes
        self.path = Path(path)
        self.max_member_bytes = max_member_bytes
        self.max_total_bytes = max_total_bytes
        self._read_total = 0
        try:
            self._zip = zipfile.ZipFile(self.path)
        except FileNotFoundError as exc:
            raise InputError("file not found.", path=self.path, fix="check the path.") from exc
        except (zipfile.BadZipFile, OSError, ValueError) as exc:
            raise InputError(
                f"not a REFI-QDA project: a .qdpx must be a zip archive ({exc}).",
                path=self.path,
                fix=_REEXPORT,
            ) from exc
        infos = self._zip.infolist()
        if len(infos) > max_members:
            self.close()
            raise InputError(
                f"the archive has {len(infos)} entries, more than the limit of {max_members} "
                f"(a zip bomb or not a REFI-QDA project).",
                path=self.path,
                fix=_REEXPORT,
            )
        declared = 0
        self._members: dict[str, zipfile.ZipInfo] = {}
        for info in infos:
            why = _unsafe_name(info.filename)
            if why:
                self.close()
                raise InputError(
                    f"refused: archive entry {info.filename!r} {why}, which could write outside the "
                    f"target folder (a 'zip slip' attack).",
                    path=self.path,
                    fix="do not open this file; " + _REEXPORT,
                )
            if info.file_size > max_member_bytes:
                self.close()
                raise InputError(
                    f"archive entry {info.filename!r} declares {info.file_size} uncompressed bytes, "
                    f"more than the limit of {max_member_bytes} (a zip bomb?).",
                    path=self.path,
                    fix=_REEXPORT,
                )
            declared += info.file_size
            self._members[info.filename.replace("\\", "/")] = info
        if declared > max_total_bytes:
            self.close()
            raise InputError(
                f"the archive declares {declared} uncompressed bytes, more than the limit of "
                f"{max_total_bytes} (a zip bomb?).",
                path=self.path,
                fix=_REEXPORT,
            )
        self._lower = {name.lower(): name for name in self._members}

    def __enter__(self) -> QdpxArchive:  # noqa: PYI034 (Python 3.10 has no typing.Self)
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._zip.close()

    @property
    def names(self) -> list[str]:
        return list(self._members)

    def find(self, name: str) -> str | None:
        """The member called ``name`` (exact, else case-insensitive), or None."""
        name = name.replace("\\", "/").lstrip("/")
        if name in self._members:
            return name
        return self._lower.get(name.lower())

    def read(self, name: str) -> bytes:
        """Uncompressed bytes of member ``name``, never more than the caps allow."""
        info = self._members[name]
        limit = min(self.max_member_bytes, self.max_total_bytes - self._read_total)
        try:
            with self._zip.open(info) as fh:
                data = fh.read(limit + 1)  # reads lazily: a bomb stops at the cap, whatever its header says
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
            raise InputError(
                f"archive entry {name!r} is damaged ({exc}).", path=self.path, fix=_REEXPORT
            ) from exc
        except (NotImplementedError, RuntimeError) as exc:  # unsupported compression, encryption
            raise InputError(
                f"archive entry {name!r} cannot be read ({exc}).",
                path=self.path,
                fix="export without a password, using ordinary zip compression.",
            ) from exc
        if len(data) > limit:
            raise InputError(
                f"archive entry {name!r} uncompresses to more than {limit} bytes, over the size "
                f"limit (a zip bomb?).",
                path=self.path,
                fix=_REEXPORT,
            )
        self._read_total += len(data)
        return data


def parse_xml(data: bytes, *, path: str | Path, member: str | None = None) -> Element:
    """Parse untrusted XML: DTDs, entity declarations and external references are refused.

    Raises
    ------
    InputError
        Naming the file (and the archive entry and line) for hostile or malformed XML.
    """
    what = f"{member!r}" if member else "the file"
    try:
        return SafeET.fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise InputError(
            f"refused: {what} contains a DTD or entity declarations ({exc.__class__.__name__}). "
            "REFI-QDA files never need them, and they are how entity-expansion ('billion laughs') "
            "and external-entity attacks work.",
            path=path,
            fix="do not open this file; " + _REEXPORT,
        ) from exc
    except ParseError as exc:
        line = exc.position[0] if getattr(exc, "position", None) else None
        raise InputError(
            f"{what} is not well-formed XML ({exc}).", path=path, line=line, fix=_REEXPORT
        ) from exc
