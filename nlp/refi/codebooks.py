"""One way to read a codebook, whatever its form: YAML, a REFI-QDA codebook (``.qdc``) or a project's code tree
(``.qdpx``). It lives here, above :mod:`nlp.codebook` (YAML only) and the REFI-QDA readers, so neither imports the
other's way round."""

from __future__ import annotations

from pathlib import Path

from ..codebook import Codebook, read_codebook_yaml
from ..errors import InputError
from .codes import read_qdc
from .project import read_qdpx_codebook

__all__ = ["CODEBOOK_SUFFIXES", "load_codebook"]

#: Codebook files :func:`load_codebook` reads, by extension.
CODEBOOK_SUFFIXES = (".yaml", ".yml", ".qdc", ".qdpx")


def load_codebook(path: str | Path) -> Codebook:
    """Read a codebook: YAML (``.yaml``/``.yml``), a REFI-QDA codebook (``.qdc``) or the code tree of a REFI-QDA
    project (``.qdpx``, with colours, GUIDs, non-codable folders and memos). Every command that takes a codebook
    reads it through this function.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from nlp.codebook import Code
    >>> from nlp.refi import write_qdc
    >>> cb = Codebook(name="demo", codes=(Code("tillit", {"nb": "Tillit"}, color="#1f77b4"),))
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> cb.save(d / "c.yaml"); write_qdc(d / "c.qdc", cb)
    >>> load_codebook(d / "c.yaml") == load_codebook(d / "c.qdc") == cb
    True
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".qdc":
        return read_qdc(path)
    if suffix == ".qdpx":
        return read_qdpx_codebook(path)
    if suffix in (".yaml", ".yml"):
        return read_codebook_yaml(path)
    raise InputError(
        f"a codebook must be .yaml/.yml, .qdc or .qdpx, not {suffix or 'a file without extension'}.",
        path=path,
        fix="export the codebook as REFI-QDA (.qdc) or the project (.qdpx), or write YAML.",
    )
