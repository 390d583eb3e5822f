"""Validation of what we write against the REFI-QDA Project schema (``nlp/data/Project-mrt2019.xsd``, MIT, REFI).

Only the Project schema is bundled. A ``.qdc`` codebook (namespace ``urn:QDA-XML:codebook:1.0``) is checked by
moving its ``CodeBook`` element into the project namespace inside a ``Project`` and validating that: the
``CodeBook``/``Codes``/``Code`` structure is the same in both schemas (the codebook schema adds an optional ``Sets``,
which we do not write).
"""

from __future__ import annotations

import functools
from pathlib import Path
from xml.etree import ElementTree as ET

from ..errors import NlpError

__all__ = [
    "CODEBOOK_NS",
    "PROJECT_NS",
    "SCHEMA_PATH",
    "project_schema",
    "validate_codebook_xml",
    "validate_project_xml",
]

PROJECT_NS = "urn:QDA-XML:project:1.0"
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
SCHEMA_PATH = Path(__file__).resolve().parents[1] / "data" / "Project-mrt2019.xsd"


@functools.lru_cache(maxsize=1)
def project_schema():
    """The REFI-QDA Project schema as an :class:`xmlschema.XMLSchema` (loaded once)."""
    import xmlschema

    return xmlschema.XMLSchema(str(SCHEMA_PATH))


def _errors(xml: str) -> list[str]:
    schema = project_schema()
    return [f"{e.path}: {e.reason}" for e in schema.iter_errors(xml)][:5]


def validate_project_xml(xml: str | bytes) -> None:
    """Raise :class:`NlpError` if ``xml`` (a ``project.qde``) does not validate against the Project schema."""
    text = xml.decode("utf-8") if isinstance(xml, bytes) else xml
    problems = _errors(text)
    if problems:
        raise NlpError(
            "the REFI-QDA project we built does not validate against Project-mrt2019.xsd: "
            + "; ".join(problems),
            fix="this is a bug in nlp.refi; please report it with the input.",
        )


def validate_codebook_xml(xml: str | bytes) -> None:
    """Validate a ``.qdc`` document's ``CodeBook`` structure against the Project schema's ``CodeBookType``."""
    root = ET.fromstring(xml)  # our own output: trusted
    if root.tag != f"{{{CODEBOOK_NS}}}CodeBook":
        raise NlpError(f"a .qdc must have root CodeBook in namespace {CODEBOOK_NS}, not {root.tag}.")
    for el in root.iter():
        if el.tag.startswith(f"{{{CODEBOOK_NS}}}"):
            el.tag = f"{{{PROJECT_NS}}}" + el.tag.split("}", 1)[1]
    root.attrib.pop("origin", None)  # an attribute of the codebook root, not of CodeBookType
    project = ET.Element(f"{{{PROJECT_NS}}}Project", {"name": "codebook"})
    project.append(root)
    problems = _errors(ET.tostring(project, encoding="unicode"))
    if problems:
        raise NlpError(
            "the REFI-QDA codebook we built does not validate: " + "; ".join(problems),
            fix="this is a bug in nlp.refi; please report it with the input.",
        )
