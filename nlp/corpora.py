"""Coded corpora: the bundled ``klynger`` corpus, and a researcher's own coded transcripts with their codebook.

A corpus folder holds ``transcripts.jsonl`` (one :class:`~nlp.model.Transcript` per line, codes as human
:class:`~nlp.model.CodeSpan` s), ``codebook.yaml`` (or ``codebook.qdc``) and optionally ``README.md``.
Bundled corpora live in ``corpora/<name>/`` beside the package (the repository root is the parent of ``nlp/``);
set ``KLYNGEKODER_CORPORA`` to a folder of corpus folders to use another place.

Examples
--------
>>> from nlp.corpora import load
>>> corpus = load("klynger")
>>> len(corpus.units()), len(corpus.transcripts), corpus.coders
(298, 4, ('coder1', 'coder2'))
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .codebook import Code, Codebook
from .errors import DataWarning, InputError
from .features import Analysis, analyse_transcript, with_analyses
from .frames import units_frame
from .model import POLARITY_PREFIX, Transcript, Unit, iter_units, read_jsonl
from .refi import load_codebook

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "ENV_VAR",
    "Corpus",
    "available",
    "codebook_beside",
    "corpora_root",
    "describe",
    "load",
    "load_path",
]

#: Environment variable naming a folder of corpus folders (overrides the bundled ``corpora/``).
ENV_VAR = "KLYNGEKODER_CORPORA"
_TRANSCRIPTS = "transcripts.jsonl"
_CODEBOOKS = ("codebook.yaml", "codebook.yml", "codebook.qdc")


@dataclass(frozen=True)
class Corpus:
    """A named set of coded transcripts with the codebook they were coded with."""

    name: str
    transcripts: tuple[Transcript, ...]
    codebook: Codebook
    readme: str = ""
    path: Path | None = None
    meta: dict = field(default_factory=dict, compare=False, hash=False)
    _analyses: dict[str, Analysis] = field(
        default_factory=dict, init=False, repr=False, compare=False, hash=False
    )

    def units(self, *, include_interviewer: bool = False) -> list[Unit]:
        """One analysis unit per segment, with every coder's codes, the cross-validation group and its analysis
        (``unit.analysis``: each transcript preprocessed in context once per loaded corpus, as ``nlp preprocess``
        does)."""
        return with_analyses(
            iter_units(self.transcripts, include_interviewer=include_interviewer), self.analyses()
        )

    def analyses(self) -> dict[str, Analysis]:
        """The analysis of every segment, keyed by unit id (:func:`nlp.features.analyse_transcript`; cached)."""
        if not self._analyses:
            for t in self.transcripts:
                self._analyses.update(analyse_transcript(t))
        return self._analyses

    @property
    def coders(self) -> tuple[str, ...]:
        """The coders who coded this corpus, sorted."""
        return tuple(sorted({c.coder for t in self.transcripts for c in t.codes}))

    @property
    def groups(self) -> tuple[str, ...]:
        """The cross-validation groups, sorted."""
        return tuple(sorted({u.group for u in self.units()}))

    def __len__(self) -> int:
        return sum(len(t.analysis_segments()) for t in self.transcripts)

    def to_frame(self, *, include_interviewer: bool = False) -> pd.DataFrame:
        """The units as a pandas DataFrame (needs the ``pandas`` extra); see :func:`nlp.frames.units_frame`.

        Examples
        --------
        >>> load("klynger").to_frame()[["group", "polarity:coder1"]].iloc[0].tolist()
        ['000:unidentified:artikkel-1', 'driver']
        """
        return units_frame(self.units(include_interviewer=include_interviewer), coders=self.coders)


def corpora_root() -> Path:
    """Folder holding the named corpora: ``$KLYNGEKODER_CORPORA`` if set, else ``corpora/`` beside ``nlp/``."""
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env).expanduser()
    return Path(__file__).resolve().parent.parent / "corpora"


def available() -> list[str]:
    """Names of the corpora found in :func:`corpora_root`."""
    root = corpora_root()
    if not root.is_dir():
        return []
    return sorted(p.name for p in root.iterdir() if (p / _TRANSCRIPTS).is_file())


def load(
    name_or_path: str | os.PathLike[str], *, codebook: str | os.PathLike[str] | Codebook | None = None
) -> Corpus:
    """Load a named corpus (``"klynger"``) or a corpus folder / coded JSONL file given as a path.

    Raises
    ------
    InputError
        If the name is neither a known corpus nor an existing path.
    """
    text = os.fspath(name_or_path)
    path = Path(text).expanduser()
    if path.exists() and (path.is_file() or (path / _TRANSCRIPTS).is_file() or os.sep in text or "/" in text):
        return load_path(path, codebook=codebook)
    root = corpora_root()
    if (root / text / _TRANSCRIPTS).is_file():
        return load_path(root / text, codebook=codebook, name=text)
    known = ", ".join(available()) or "none"
    raise InputError(
        f"no corpus named {text!r} (bundled corpora in {root}: {known}).",
        fix=f"pass one of those names, a corpus folder or a coded .jsonl file, or set {ENV_VAR} to a "
        "folder of corpora.",
    )


def load_path(
    path: str | os.PathLike[str],
    *,
    codebook: str | os.PathLike[str] | Codebook | None = None,
    name: str | None = None,
) -> Corpus:
    """Load a researcher's own coded corpus: a folder with ``transcripts.jsonl`` + ``codebook.yaml``, or a JSONL file.

    The codebook is ``codebook`` if given (YAML, ``.qdc`` or ``.qdpx``), else ``<name>.codebook.yaml`` (what
    ``nlp ingest project.qdpx --out <name>.jsonl`` writes) or ``codebook.yaml``/``.qdc`` beside the transcripts. Without one, a
    codebook is made of the codes found (ids only) and a :class:`~nlp.errors.DataWarning` says so. Every code used
    must be in the codebook; the error names the file and transcript.
    """
    path = Path(path).expanduser()
    if path.is_dir():
        folder, jsonl = path, path / _TRANSCRIPTS
        if not jsonl.is_file():
            raise InputError(
                f"the folder has no {_TRANSCRIPTS}.",
                path=path,
                fix="write the coded transcripts with `nlp ingest ... --out transcripts.jsonl` or pass "
                "the .jsonl file itself.",
            )
    elif path.is_file():
        folder, jsonl = path.parent, path
    else:
        raise InputError("no such file or folder.", path=path, fix="check the path.")
    transcripts = tuple(read_jsonl(jsonl))
    if not transcripts:
        raise InputError("the file holds no transcripts.", path=jsonl)
    if isinstance(codebook, Codebook):
        cb = codebook
    elif codebook is not None:
        cb = load_codebook(codebook)
    else:
        found = codebook_beside(jsonl)
        cb = load_codebook(found) if found else _codebook_from(transcripts, source=jsonl)
    for t in transcripts:
        cb.check_codes((c.code for c in t.codes), where=f"{jsonl}: transcript {t.id!r}")
    readme_path = folder / "README.md"
    readme = readme_path.read_text(encoding="utf-8") if path.is_dir() and readme_path.is_file() else ""
    return Corpus(
        name=name or (path.name if path.is_dir() else path.stem),
        transcripts=transcripts,
        codebook=cb,
        readme=readme,
        path=path,
    )


def codebook_beside(jsonl: str | os.PathLike[str]) -> Path | None:
    """The codebook file that goes with a transcripts JSONL: ``<name>.codebook.yaml`` (what ``nlp ingest
    project.qdpx --out <name>.jsonl`` writes), else ``codebook.yaml``/``.yml``/``.qdc`` in the same folder."""
    jsonl = Path(jsonl)
    names = (f"{jsonl.stem}.codebook.yaml", *_CODEBOOKS)
    return next((jsonl.parent / n for n in names if (jsonl.parent / n).is_file()), None)


def _codebook_from(transcripts: Iterable[Transcript], *, source: Path) -> Codebook:
    codes, polarity = [], []
    for t in transcripts:
        for c in t.codes:
            if c.code.startswith(POLARITY_PREFIX):
                value = c.code[len(POLARITY_PREFIX) :]
                if value not in polarity:
                    polarity.append(value)
            elif c.code not in codes:
                codes.append(c.code)
    warnings.warn(
        f"{source}: no codebook beside the transcripts; using the {len(codes)} codes found (ids only). "
        "Pass codebook= or put codebook.yaml next to the file.",
        DataWarning,
        stacklevel=3,
    )
    return Codebook(
        name=source.stem,
        codes=tuple(Code(id=c) for c in sorted(codes)),
        polarity=tuple(polarity) or ("driver", "barrier", "neutral"),
    )


def describe(corpus: Corpus, *, coders: Iterable[str] | None = None) -> dict[str, list[list[object]]]:
    """Count tables of a corpus, as rows (header first): units per transcript, language, code and polarity per
    coder, and concept co-occurrence (units coded with both) per coder.

    Examples
    --------
    >>> tables = describe(load("klynger"))
    >>> tables["transcripts"][0][:3], tables["transcripts"][-1][:2]
    (['transcript', 'units', 'groups'], ['total', 298])
    """
    units = corpus.units()
    coder_list = tuple(coders) if coders is not None else corpus.coders
    by_t: dict[str, list[Unit]] = {}
    for u in units:
        by_t.setdefault(u.transcript_id, []).append(u)
    langs = sorted({u.lang or "?" for u in units})
    kinds = sorted({u.kind for u in units})
    t_rows: list[list[object]] = [["transcript", "units", "groups", *langs, *kinds]]
    for tid, us in by_t.items():
        t_rows.append(
            [
                tid,
                len(us),
                len({u.group for u in us}),
                *[sum(u.lang == lg for u in us) for lg in langs],
                *[sum(u.kind == k for u in us) for k in kinds],
            ]
        )
    t_rows.append(
        [
            "total",
            len(units),
            len({u.group for u in units}),
            *[sum((u.lang or "?") == lg for u in units) for lg in langs],
            *[sum(u.kind == k for u in units) for k in kinds],
        ]
    )
    code_ids = list(corpus.codebook.ids)
    extra = sorted(
        {
            c
            for u in units
            for cs in u.codes.values()
            for c in cs
            if not c.startswith(POLARITY_PREFIX) and c not in code_ids
        }
    )
    c_rows: list[list[object]] = [["code", *coder_list]]
    for code in [*code_ids, *extra]:
        c_rows.append([code, *[sum(code in u.concepts(cd) for u in units) for cd in coder_list]])
    c_rows.append(["(no concept)", *[sum(not u.concepts(cd) for u in units) for cd in coder_list]])
    pol_values = list(corpus.codebook.polarity)
    p_rows: list[list[object]] = [["polarity", *coder_list]]
    for p in [*pol_values, None]:
        p_rows.append([p or "(none)", *[sum(u.polarity(cd) == p for u in units) for cd in coder_list]])
    tables: dict[str, list[list[object]]] = {"transcripts": t_rows, "codes": c_rows, "polarity": p_rows}
    for cd in coder_list:
        used = [c for c in [*code_ids, *extra] if any(c in u.concepts(cd) for u in units)]
        rows: list[list[object]] = [[f"{cd}", *used]]
        for a in used:
            rows.append([a, *[sum(a in u.concepts(cd) and b in u.concepts(cd) for u in units) for b in used]])
        tables[f"cooccurrence:{cd}"] = rows
    return tables
