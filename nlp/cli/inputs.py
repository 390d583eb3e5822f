"""What a verb reads: a bundled corpus (``--corpus NAME``) or INPUT files and folders, one way for every verb.

Transcript JSONL written by ``nlp ingest``/``nlp preprocess`` is streamed as it is (no size cap, memory stays flat);
every other input goes through :func:`nlp.ingest.ingest_paths` (anything ``nlp ingest`` reads, with its per-file
errors). Not a verb: no command is registered here.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..codebook import Codebook
from ..corpora import load
from ..errors import ConfigError
from ..ingest import ingest_paths
from ..model import Transcript, is_transcript_record, read_jsonl

__all__ = ["Inputs", "is_transcript_jsonl", "read_inputs", "read_paths"]


@dataclass
class Inputs:
    """Transcripts to work on (a stream: ``list()`` it to use it twice), the codebook that came with them (a
    corpus's), a label naming the source for messages, and the files that could not be read ``(path, message)``."""

    transcripts: Iterator[Transcript]
    codebook: Codebook | None = None
    label: str = ""
    errors: list[tuple[str, str]] = field(default_factory=list)


def is_transcript_jsonl(path: Path) -> bool:
    """A ``.jsonl`` file of transcripts (from ``nlp ingest``) rather than one segment per row (read by ingest)."""
    if path.suffix.lower() not in (".jsonl", ".ndjson") or not path.is_file():
        return False
    with path.open(encoding="utf-8-sig") as fh:
        for line in fh:
            if line.strip():
                try:
                    rec = json.loads(line)
                except (json.JSONDecodeError, RecursionError):
                    return True  # let read_jsonl name the file and line
                return is_transcript_record(rec)
    return True


def read_paths(paths: Sequence[Path], *, options: Mapping[str, Any] | None = None) -> Inputs:
    """Transcripts of files and folders: transcript JSONL streamed in the order given, then the rest ingested
    together (so ids stay unique across them) with ``options`` (those of :func:`nlp.ingest.read_path`, e.g. from
    :meth:`nlp.cli.reading.ReadOptions.kwargs`)."""
    corpora = [p for p in paths if is_transcript_jsonl(p)]
    others = [p for p in paths if p not in corpora]
    result = ingest_paths(others, **(options or {})) if others else None
    streams = [read_jsonl(p) for p in corpora] + ([iter(result.transcripts)] if result else [])
    errors = [(str(p), str(msg)) for p, msg in result.errors] if result else []
    return Inputs(itertools.chain.from_iterable(streams), label=", ".join(map(str, paths)), errors=errors)


def read_inputs(
    corpus: str | None, paths: Sequence[Path], *, example: str, options: Mapping[str, Any] | None = None
) -> Inputs:
    """``--corpus NAME`` (a bundled corpus, a corpus folder or coded JSONL, with its codebook) or INPUT paths.

    Raises
    ------
    ConfigError
        Both or neither given; ``example`` (a full command line) is the fix shown.
    """
    if bool(corpus) == bool(paths):
        raise ConfigError(
            "give either INPUT or --corpus NAME (not both, not neither).", fix=f"e.g. `{example}`."
        )
    if corpus:
        c = load(corpus)
        return Inputs(iter(c.transcripts), codebook=c.codebook, label=f"corpus {corpus}")
    return read_paths(paths, options=options)
