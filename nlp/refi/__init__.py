"""REFI-QDA exchange with NVivo, ATLAS.ti, MAXQDA and QualCoder: ``.qdpx`` projects and ``.qdc`` codebooks.

Offsets are end-exclusive positions into the exact plain text written to (or read from) each source file: Unicode
code points as REFI-QDA says, or UTF-16 units as NVivo counts (``positions=`` on both sides; import decides per source
from evidence). :func:`load_codebook` reads every codebook form the toolkit takes (YAML, ``.qdc``, ``.qdpx``).
Untrusted files are read safely: no DTDs or entities, no zip entries outside the archive folder, capped sizes.

Examples
--------
>>> import tempfile, pathlib
>>> from nlp.model import CodeSpan, Transcript
>>> t = Transcript(id="int01", text="Vi deler kunnskap.\\r\\nDet hjelper.",
...                codes=(CodeSpan("polarity:driver", 20, 32, coder="model-v1", source="auto", confidence=0.9),))
>>> out = pathlib.Path(tempfile.mkdtemp()) / "p.qdpx"
>>> write_qdpx(out, [t], newline="crlf").auto_codings
1
>>> back = read_qdpx_project(out)
>>> back.transcripts[0].text, back.transcripts[0].codes[0]
('Vi deler kunnskap.\\nDet hjelper.', CodeSpan(code='polarity:driver', start=19, end=31, coder='model-v1', \
source='auto', confidence=0.9))
"""

from ._safe import MAX_MEMBER_BYTES, MAX_MEMBERS, MAX_TOTAL_BYTES
from .codebooks import CODEBOOK_SUFFIXES, load_codebook
from .codes import read_qdc, write_qdc
from .project import (
    CODER_FROM,
    EXPORT_POSITIONS,
    POSITIONS,
    TARGETS,
    ExportSummary,
    Project,
    read_qdpx,
    read_qdpx_codebook,
    read_qdpx_project,
    write_qdpx,
)
from .schema import validate_codebook_xml, validate_project_xml

__all__ = [
    "CODEBOOK_SUFFIXES",
    "CODER_FROM",
    "EXPORT_POSITIONS",
    "MAX_MEMBERS",
    "MAX_MEMBER_BYTES",
    "MAX_TOTAL_BYTES",
    "POSITIONS",
    "TARGETS",
    "ExportSummary",
    "Project",
    "load_codebook",
    "read_qdc",
    "read_qdpx",
    "read_qdpx_codebook",
    "read_qdpx_project",
    "validate_codebook_xml",
    "validate_project_xml",
    "write_qdc",
    "write_qdpx",
]
