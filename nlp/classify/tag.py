"""Bulk tagging: read inputs into units, tag them with a trained auto-coder, write JSONL/CSV/XLSX/DOCX resumably.

:func:`tag_units` is a pure function over a batch of units (same input -> byte-identical records), so it can be
mapped over partitions by joblib or Dask with the same result as one process.
"""

from __future__ import annotations

import gc
import json
import os
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from ..agreement.verdicts import DO_NOT_USE
from ..codebook import Codebook
from ..errors import InputError, unreadable
from ..features import analyse_texts, analyse_transcript, analyses_of
from ..model import POLARITY_PREFIX, atomic_writer, iter_units, json_line, json_object
from ..segment import NOT_CONTENT_REASONS, not_content_reason
from .models import _pool_polarity
from .output import check_resume, model_version, read_table, run_options, write_csv, write_docx, write_xlsx

__all__ = [
    "LONG_TURN_CHARS",
    "TEXT_FIELDS",
    "WINDOW_CHARS",
    "TagSummary",
    "check_previous",
    "expand_inputs",
    "is_text_record",
    "not_content_counts",
    "read_tagged",
    "read_text_records",
    "read_units",
    "record_key",
    "resume_progress",
    "tag_file",
    "tag_paths",
    "tag_units",
    "turn_windows",
    "untagged",
    "write_tagged",
]

#: Output fields in order; ``model`` (its version, see :func:`~nlp.classify.output.model_version`) and ``options``
#: say what made the record, ``why`` follows with ``--explain``. CSV/XLSX add one ``score:<code>`` column per code.
TEXT_FIELDS = (
    "id",
    "source",
    "start",
    "end",
    "speaker",
    "text",
    "codes",
    "polarity",
    "scores",
    "model",
    "options",
)
_DIGITS = 4  # probabilities are rounded so outputs are stable across BLAS builds and readable


def _get(u: Any, key: str, default: Any = None) -> Any:
    return u.get(key, default) if isinstance(u, Mapping) else getattr(u, key, default)


def tag_units(model: Any, units: Sequence[Any], *, explain_words: int = 0) -> list[dict[str, Any]]:
    """Tag a batch of units: one output record per unit, in input order.

    Parameters
    ----------
    model
        A fitted :class:`~nlp.classify.AutoCoder` (e.g. from :func:`~nlp.classify.load_coder`).
    units
        :class:`nlp.model.Unit` objects or mappings with ``text`` and optionally ``id``, ``source``, ``start``,
        ``end``, ``speaker``, ``lang`` and ``analysis`` (the model reads :func:`nlp.features.analyses_of`).
    explain_words
        If > 0, add ``"why": {code: [words]}`` with that many driving words per assigned code.

    Returns
    -------
    list of dict
        ``{"id", "source", "start", "end", "speaker", "text", "codes", "polarity", "scores", "model", "options"}``;
        ``scores`` maps each code and each ``polarity:<value>`` to a probability rounded to 4 decimals; ``model``
        names the model version and ``options`` the abstain probability and ``explain_words`` that made it. Codes
        given because a cue word of the codebook occurs are also listed under ``"cued"``. Segments that are not
        interview content (:func:`nlp.segment.not_content_reason`: interviewer turns, one- or two-word turns,
        contact details, headers) get no codes and no polarity and say why under ``"not_content"``, unless the
        model's ``include_not_content`` is set; codes whose reliability verdict is "do not use" (``model.meta_``,
        from ``nlp train``) are left out and named with the reason under ``"withheld"``, unless ``all_codes`` is set.

    Examples
    --------
    >>> from nlp.classify import AutoCoder
    >>> m = AutoCoder.from_params(word_analyzer="surface", char_ngrams=None, min_df=1, inner_folds=0).fit(
    ...     ["deler kunnskap", "konkurranse nå"] * 2, [{"ks"}, {"comp"}] * 2, ["driver", "barrier"] * 2)
    >>> rec = tag_units(m, [{"id": "a", "text": "vi deler kunnskap"}])[0]
    >>> rec["codes"], rec["polarity"]
    (['ks'], 'driver')
    """
    units = list(units)
    if not units:
        return []
    texts = [str(_get(u, "text", "")) for u in units]
    p_codes, p_pol, hits, windows = _probabilities(model, units, texts)
    decisions = (
        model.decide(p_codes, p_pol, cue_hits=hits) if hits is not None else model.decide(p_codes, p_pol)
    )
    skip_reasons = (
        [None] * len(units)
        if getattr(model, "include_not_content", False)
        else [not_content_reason(t, kind=_get(u, "kind", None)) for u, t in zip(units, texts)]
    )
    verdicts = (getattr(model, "meta_", None) or {}).get("reliability", {}).get("codes", {})
    withheld = (
        {}
        if getattr(model, "all_codes", False)
        else {c: v["reason"] for c, v in verdicts.items() if v.get("verdict") == DO_NOT_USE}
    )
    names = list(model.classes_) + ["polarity:" + p for p in model.polarity_classes_]
    rounded = np.round(np.hstack([p_codes, p_pol]), _DIGITS).tolist()
    version, options = model_version(model), run_options(model, explain_words=explain_words)
    classes = list(model.classes_)
    cued = (hits > 0).tolist() if hits is not None else None
    out = []
    for i, (u, (codes, pol)) in enumerate(zip(units, decisions)):
        text = texts[i]
        start = _get(u, "start", 0)
        end = _get(u, "end", None)
        probs = rounded[i]
        rec = {
            "id": str(_get(u, "id", i)),
            "source": _get(u, "source", None),
            "start": int(start or 0),
            "end": int(end if end is not None else int(start or 0) + len(text)),
            "speaker": _get(u, "speaker", None),
            "text": text,
            "codes": [c for c in codes if c not in withheld],
            "polarity": pol,
            "scores": dict(zip(names, probs)),
            "model": version,
            "options": options,
        }
        if hits is not None:
            rec["cued"] = [c for c, hit in zip(classes, cued[i]) if hit and c in rec["codes"]]
        held = {c: withheld[c] for c in codes if c in withheld}
        if held:
            rec["withheld"] = {c: f"do not use: {reason}" for c, reason in held.items()}
        if skip_reasons[i]:
            rec.update(codes=[], polarity=None, not_content=skip_reasons[i])
            rec.pop("cued", None)
            rec.pop("withheld", None)
        if explain_words > 0:
            from .explain import explain

            if i in windows:  # a long turn: each code is explained by the window that gave it its probability
                why = {
                    c: explain(model, windows[i][c], n=explain_words, codes=[c])[c]
                    for c in [*codes, *([POLARITY_PREFIX + pol] if pol is not None else [])]
                }
            else:
                why = explain(model, analyses_of([u])[0], n=explain_words)
            rec["why"] = {c: [w for w, _ in ws] for c, ws in why.items()}
        out.append(rec)
    return out


# -- long turns -------------------------------------------------------------------------------------------------
#: A turn longer than this (characters) is tagged in windows of whole sentences, joined back to the turn, so that
#: memory stays bounded (a 60 MB turn is never one feature row) and the model sees text of the length it learnt from.
LONG_TURN_CHARS = 20_000
#: The largest window of a long turn (characters); windows end at a sentence end where there is one.
WINDOW_CHARS = 4_000
_WINDOW_BATCH = 64  # windows turned into features at once (bounds the memory of the feature matrices)
_SENTENCE_END = re.compile(r"[.!?…»”\"')\]]\s+|\n")


def turn_windows(text: str, *, size: int = WINDOW_CHARS) -> list[tuple[int, int]]:
    """Spans ``(start, end)`` that cover ``text`` in order, each at most ``size`` characters, cut after the last
    sentence end inside the window (else at the last white space, else at ``size``).

    Examples
    --------
    >>> text = "Vi deler. Vi lærer av hverandre. Konkurransen er hard."
    >>> [text[a:e] for a, e in turn_windows(text, size=20)]
    ['Vi deler. ', 'Vi lærer av ', 'hverandre. ', 'Konkurransen er ', 'hard.']
    """
    if size < 2:
        raise ValueError(f"size must be at least 2, not {size}")
    spans, pos, n = [], 0, len(text)
    while pos < n:
        end = min(pos + size, n)
        if end < n:
            cut = None
            for m in _SENTENCE_END.finditer(text, pos, end):
                cut = m.end()
            if cut is None or cut <= pos:
                space = max(text.rfind(" ", pos, end), text.rfind("\n", pos, end))
                cut = space + 1 if space > pos else end
            end = cut
        spans.append((pos, end))
        pos = end
    return spans


def _probabilities(
    model: Any, units: Sequence[Any], texts: Sequence[str]
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, dict[int, dict[str, Any]]]:
    """Code and polarity probabilities per unit, the codebook cue hits (``None`` for a model without cue words),
    long turns (:data:`LONG_TURN_CHARS`) through their windows.

    Short units are read through their analysis (:func:`nlp.features.analyses_of`); a long turn has none (it is
    never analysed whole, see :func:`_units_from_transcripts`): its windows are analysed one batch at a time.
    Returns the matrices and, per long turn, the window analysis that gave each code (and each polarity) its value,
    for explanations.
    """
    cues = (
        getattr(model, "cue_coder_", None) is not None
        and getattr(model, "concept_source", "model") != "model"
    )
    p_codes = np.zeros((len(texts), len(model.classes_)))
    p_pol = np.zeros((len(texts), len(model.polarity_classes_)))
    hits = np.zeros((len(texts), len(model.classes_))) if cues else None
    short_rows = [i for i in range(len(texts)) if len(texts[i]) <= LONG_TURN_CHARS]
    if short_rows:
        analyses = analyses_of([units[i] for i in short_rows])
        p_codes[short_rows], p_pol[short_rows] = model.predict_proba(analyses)
        if hits is not None:
            hits[short_rows] = model.cue_hits(analyses)
    windows = {}
    for i in (i for i in range(len(texts)) if len(texts[i]) > LONG_TURN_CHARS):
        p_codes[i], p_pol[i], h, windows[i] = _long_turn(
            model, texts[i], lang=_get(units[i], "lang", None), cues=cues
        )
        if hits is not None:
            hits[i] = h
    return p_codes, p_pol, hits, windows


def _long_turn(
    model: Any, text: str, *, lang: str | None, cues: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, dict[str, Any]]:
    """One long turn through its windows: a code's probability (and cue hit) is its highest in any window; polarity
    is pooled over the windows as the model pools the sentences of a text (the length-weighted mean with the most
    polar window, :func:`nlp.classify.models._pool_polarity`). Windows are analysed in batches in the turn's
    language, so memory stays bounded by a batch."""
    spans = turn_windows(text)
    pcs, pps, hs = [], [], []
    for b in range(0, len(spans), _WINDOW_BATCH):
        chunk = analyse_texts([text[a:e] for a, e in spans[b : b + _WINDOW_BATCH]], lang=lang)
        pc, pp = model.predict_proba(chunk)
        pcs.append(pc)
        pps.append(pp)
        if cues:
            hs.append(model.cue_hits(chunk))
    pc, pp = np.vstack(pcs), np.vstack(pps)
    weights = np.asarray([e - a for a, e in spans], dtype=np.float64)
    mean = (weights[:, None] * pp).sum(axis=0, keepdims=True) / weights.sum()
    neutral = model.polarity_classes_.index("neutral") if "neutral" in model.polarity_classes_ else None
    pooled = _pool_polarity(mean, pp, np.zeros(len(pp), dtype=np.int64), neutral)[0]
    best = {c: spans[int(np.argmax(pc[:, k]))] for k, c in enumerate(model.classes_)}
    best.update(
        {POLARITY_PREFIX + p: spans[int(np.argmax(pp[:, k]))] for k, p in enumerate(model.polarity_classes_)}
    )
    hit = np.vstack(hs).max(axis=0) if cues else None
    return (
        pc.max(axis=0),
        pooled,
        hit,
        {c: analyse_texts([text[a:e]], lang=lang)[0] for c, (a, e) in best.items()},
    )


# -- inputs -----------------------------------------------------------------------------------------------------
def expand_inputs(paths: Iterable[str | Path]) -> list[Path]:
    """Files to tag: files as given, folders walked recursively in sorted order (hidden files skipped)."""
    out: list[Path] = []
    for p in paths:
        p = Path(p)
        if p.is_dir():
            out.extend(
                f
                for f in sorted(p.rglob("*"))
                if f.is_file() and not any(part.startswith(".") for part in f.relative_to(p).parts)
            )
        else:
            out.append(p)
    return out


def is_text_record(obj: Any) -> bool:
    """Whether a JSONL object is a plain text record ``{"id", "text", "lang"?}`` rather than a transcript."""
    return isinstance(obj, dict) and "text" in obj and "segments" not in obj and "offset_map" not in obj


def _units_from_transcripts(transcripts: Iterable[Any], source: str) -> list[dict[str, Any]]:
    units: list[dict[str, Any]] = []
    for t in transcripts:
        src = t.source or source
        # each transcript preprocessed once, languages judged in context; a transcript with a long turn is not
        # analysed whole (memory): its units are analysed on their own, long turns window by window
        long = any(e - s > LONG_TURN_CHARS for s, e in ((g.start, g.end) for g in t.segments)) or (
            not t.segments and len(t.text) > LONG_TURN_CHARS
        )
        analyses = {} if long else analyse_transcript(t)
        if not t.segments:  # a document without segments is tagged as one unit rather than silently dropped
            units.append(
                {
                    "id": t.id,
                    "source": src,
                    "start": 0,
                    "end": len(t.text),
                    "speaker": None,
                    "text": t.text,
                    "lang": t.lang,
                    "analysis": analyses.get(t.id),
                }
            )
            continue
        # interviewer turns too: their records say why they are left uncoded (nothing silently dropped), and
        # --include-not-content codes them
        for u in iter_units([t], include_interviewer=True):
            units.append(
                {
                    "id": u.id,
                    "source": src,
                    "start": u.start,
                    "end": u.end,
                    "speaker": u.speaker,
                    "text": u.text,
                    "lang": u.lang,
                    "coded": bool(u.codes),
                    "kind": u.kind,
                    "analysis": analyses.get(u.id),
                }
            )
    return units


_TEXT_JSONL_FIX = 'write one JSON object per line, e.g. {"id": "a1", "text": "..."}.'


def read_units(path: str | Path, **options: Any) -> list[dict[str, Any]]:
    """Units (``id, source, start, end, speaker, text, lang``) of one input file.

    JSONL files of ``{"id", "text", "lang"?}`` lines are read directly (one unit per line); transcript JSONL (from
    ``nlp ingest``) and every other format go through :func:`nlp.ingest.read_path`, one unit per segment.
    ``options`` are :func:`nlp.ingest.read_path`'s (``max_bytes``, ``encoding``, ``kind``, the ``*_column``
    names, ``interviewer``, ``informant``); the size cap and the encoding apply to text JSONL as well.

    Raises
    ------
    InputError
        Naming the file (and line) when it cannot be read.
    """
    from ..ingest import (  # lazily: an earlier stage with heavier imports
        DEFAULT_MAX_BYTES,
        check_file,
        read_path,
    )

    path = Path(path)
    if not path.is_file():
        raise InputError("no such file.", path=path, fix="check the path.")
    if path.suffix.lower() == ".jsonl" and options.get("kind", "auto") in ("auto", "jsonl"):
        if (
            path.stat().st_size
        ):  # an empty text-JSONL file has no units (not an error); a large one is checked
            check_file(path, max_bytes=options.get("max_bytes", DEFAULT_MAX_BYTES))
        encoding = options.get("encoding") or "utf-8"
        with path.open(encoding=encoding) as fh:
            first = next(((n, line) for n, line in enumerate(fh, 1) if line.strip()), None)
        first_obj = json_object(first[1], path=path, line_no=first[0], fix=_TEXT_JSONL_FIX) if first else None
        if first_obj is None or is_text_record(first_obj):
            with path.open(encoding=encoding) as fh:
                return read_text_records(path, fh)
        from ..model import read_jsonl

        return _units_from_transcripts(read_jsonl(path), str(path))
    return _units_from_transcripts(read_path(path, **options), str(path))


def read_text_records(path: str | Path, lines: Iterable[str], *, first_line: int = 1) -> list[dict[str, Any]]:
    """Units of text-JSONL lines ``{"id", "text", "lang"?, "source"?, "start"?, "end"?, "speaker"?, "kind"?}``
    (``kind``: ``question`` marks an interviewer turn, left uncoded as not interview content).

    ``lines`` are lines of ``path`` starting at line ``first_line`` (a whole file, or one chunk of it for distributed
    tagging). A line without an id gets ``<file name>:<line>``; an id repeated within ``lines`` is an error.
    """
    path = Path(path)
    units = []
    seen: set[str] = set()
    for lineno, line in enumerate(lines, first_line):
        if not line.strip():
            continue
        obj = json_object(line, path=path, line_no=lineno, fix=_TEXT_JSONL_FIX)
        if not isinstance(obj.get("text"), str):
            raise InputError(
                'a line needs a "text" string.',
                path=path,
                line=lineno,
                fix='write {"id": "...", "text": "...", "lang": "nb"} per line.',
            )
        uid = str(obj.get("id", f"{path.name}:{lineno}"))
        if uid in seen:
            raise InputError(
                f"id {uid!r} occurs twice.", path=path, line=lineno, fix="give every line a unique id."
            )
        seen.add(uid)
        text = obj["text"]
        units.append(
            {
                "id": uid,
                "source": str(obj.get("source") or path),
                "start": int(obj.get("start", 0)),
                "end": int(obj.get("end", int(obj.get("start", 0)) + len(text))),
                "speaker": obj.get("speaker"),
                "text": text,
                "lang": obj.get("lang"),
                "kind": obj.get("kind"),
            }
        )
    return units


# -- outputs ----------------------------------------------------------------------------------------------------
def record_key(rec: Mapping[str, Any]) -> tuple[str, str]:
    """(source, id): what identifies an output record when resuming."""
    return (str(rec.get("source")), str(rec.get("id")))


def write_tagged(
    path: str | Path,
    records: Sequence[Mapping[str, Any]],
    *,
    fmt: str,
    codebook: Codebook | None = None,
    excel: bool = False,
) -> list[Path]:
    """Write records atomically as ``jsonl``, ``csv`` (UTF-8 with BOM; ``excel`` for semicolons), ``xlsx`` or
    ``docx`` (one Word document per interview); see :mod:`nlp.classify.output`. Returns the files written."""
    if fmt == "jsonl":
        with atomic_writer(path) as fh:
            for r in records:
                fh.write(json_line(r))
    elif fmt == "csv":
        write_csv(path, records, codebook=codebook, excel=excel)
    elif fmt == "xlsx":
        write_xlsx(path, records, codebook=codebook)
    elif fmt == "docx":
        return write_docx(path, records, codebook=codebook)
    else:
        raise InputError(f"unknown output format {fmt!r}.", fix="use jsonl, csv, xlsx or docx.")
    return [Path(path)]


def read_tagged(path: str | Path, *, fmt: str) -> list[dict[str, Any]]:
    """Records of an earlier output (for resuming). A last JSONL line cut off by a crash is dropped; a ``docx``
    output gives none (it is written afresh)."""
    path = Path(path)
    if not path.exists():
        return []
    if fmt == "jsonl":
        out = []
        # split on "\n" only: json_line writes U+2028/U+0085 inside texts unescaped, and splitlines() would cut there
        parts = path.read_text(encoding="utf-8").split("\n")
        lines = [p + "\n" for p in parts[:-1]] + ([parts[-1]] if parts[-1] else [])
        for lineno, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                out.append(json.loads(line))
            except json.JSONDecodeError as exc:
                if lineno == len(lines) and not line.endswith("\n"):
                    break  # the partial last line of an interrupted run
                raise InputError(
                    f"the existing output is not tagger JSONL ({exc.msg}).",
                    path=path,
                    line=lineno,
                    fix="choose another --out, or delete this file to start over.",
                ) from exc
        return out
    if fmt == "docx":  # a rendering for reading, not a table: a resumed run writes it afresh
        return []
    return read_table(path, fmt=fmt)


# -- resuming and the per-file work (shared with nlp.distributed) -------------------------------------------------
def resume_progress(progress: Path, out: Path, *, fmt: str, resume: bool) -> frozenset[tuple[str, str]]:
    """Prepare the progress file of a tagging run and return the keys (source, id) already tagged in it.

    The one resume of single-process, parallel and Dask tagging. Without ``resume`` (or without earlier output) the
    progress file starts empty. Else it is made to end on a whole record: JSONL is scanned line by line (never
    loaded whole) and a last line cut off by a crash is truncated away; a finished CSV/XLSX table ``out`` without a
    progress file is continued from its rows.
    """
    if not resume or not (progress.exists() or out.exists()):
        write_tagged(progress, [], fmt="jsonl")
        return frozenset()
    if not progress.exists():  # a finished CSV/XLSX table: continue from its rows (as tag_paths does)
        previous = read_tagged(out, fmt=fmt)
        write_tagged(progress, previous, fmt="jsonl")
        return frozenset(record_key(r) for r in previous)
    keys = []
    cut = None
    line = b"\n"
    with progress.open("rb") as fh:
        offset = 0
        for line in fh:
            try:
                if not line.strip():
                    raise ValueError("blank line")
                keys.append(record_key(json.loads(line)))
            except ValueError:
                if line.endswith(b"\n") or not line.strip():
                    previous = read_tagged(
                        progress, fmt="jsonl"
                    )  # raises tag_paths' message, or tolerates it
                    write_tagged(progress, previous, fmt="jsonl")
                    return frozenset(record_key(r) for r in previous)
                cut = offset  # the partial last line of an interrupted run
            offset += len(line)
    if cut is not None:
        os.truncate(progress, cut)
    elif not line.endswith(
        b"\n"
    ):  # a whole last record without its newline: end it, as tag_paths' rewrite does
        with progress.open("ab") as fh:
            fh.write(b"\n")
    return frozenset(keys)


def check_previous(
    model: Any, model_path: str | Path | None, out: Path, fmt: str, explain_words: int
) -> None:
    """Stop (ConfigError) when the output to resume was made by another model or with other options
    (its first record tells; a run never mixes them). Reads one line of a JSONL output, never all of it."""
    progress = out if fmt == "jsonl" else out.with_name(f".{out.name}.partial.jsonl")
    if progress.exists():
        with progress.open(encoding="utf-8") as fh:
            line = fh.readline()
        try:
            first = [json.loads(line)] if line.endswith("\n") else []
        except ValueError:
            first = []  # resume_progress reports a damaged file
    elif out.exists():
        first = read_tagged(out, fmt=fmt)[:1]
    else:
        return
    if first:
        if model is None:
            from .store import load_coder

            model = load_coder(model_path)
        check_resume(first, model=model, explain_words=explain_words, path=out)


def untagged(units: Sequence[Mapping[str, Any]], done: frozenset[tuple[str, str]]) -> list[Mapping[str, Any]]:
    """The units whose key (source, id) is not in ``done``."""
    return [u for u in units if (str(u["source"]), str(u["id"])) not in done] if done else list(units)


# -- the driver -------------------------------------------------------------------------------------------------
@dataclass
class TagSummary:
    """What a :func:`tag_paths` run did; ``not_content`` counts the segments of this run left uncoded as not
    interview content, per reason (in the order of :data:`nlp.segment.NOT_CONTENT_REASONS`)."""

    files: int = 0
    tagged: int = 0
    skipped: int = 0
    errors: list[tuple[str, str]] = field(default_factory=list)
    out: str = ""
    not_content: dict[str, int] = field(default_factory=dict)

    def add_not_content(self, counts: Mapping[str, int]) -> None:
        """Add counts of :func:`not_content_counts`."""
        merged = {r: self.not_content.get(r, 0) + counts.get(r, 0) for r in NOT_CONTENT_REASONS}
        self.not_content = {r: n for r, n in merged.items() if n}


def not_content_counts(records: Iterable[Mapping[str, Any]]) -> dict[str, int]:
    """How many of the tag ``records`` say they are not interview content, per reason, in the order of
    :data:`nlp.segment.NOT_CONTENT_REASONS` (a reason it does not know last).

    Examples
    --------
    >>> not_content_counts([{"not_content": "header"}, {"codes": []}, {"not_content": "interviewer turn"},
    ...                     {"not_content": "header"}])
    {'interviewer turn': 1, 'header': 2}
    """
    counts = Counter(r["not_content"] for r in records if r.get("not_content"))
    order = {reason: i for i, reason in enumerate(NOT_CONTENT_REASONS)}
    return {reason: counts[reason] for reason in sorted(counts, key=lambda r: order.get(r, len(order)))}


#: Allocations between two collections of young objects while tagging (Python's default is 700).
_GC_YOUNG = 5_000


@contextmanager
def _long_lived_set_aside() -> Iterator[None]:
    """Leave the objects alive now (the model, the language data, imported modules) out of the garbage collector's
    passes while tagging, and hand them back afterwards (:func:`gc.freeze` / :func:`gc.unfreeze`); collect the
    young objects less often. The collector's passes took 20-30% of the tagging time; nothing is lost, objects
    are still freed when their last reference goes, and cycles at the latest after the run."""
    thresholds = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(max(thresholds[0], _GC_YOUNG), *thresholds[1:])
    try:
        yield
    finally:
        gc.unfreeze()
        gc.set_threshold(*thresholds)


@lru_cache(maxsize=4)
def _cached_model(model_path: str, mtime: float) -> Any:
    from .store import load_coder

    return load_coder(model_path)


def tag_file(
    model_or_path: Any,
    path: Path,
    done: frozenset[tuple[str, str]],
    explain_words: int,
    read_options: Mapping[str, Any] | None = None,
) -> tuple[str, list[dict[str, Any]] | None, int, str | None]:
    """Tag one input file, skipping the records in ``done``: ``(path, records or None, n skipped, error or None)``.

    Errors are returned, not raised, so one bad file never stops a parallel or distributed run. ``read_options``
    go to :func:`read_units`.
    """
    try:
        units = read_units(path, **(read_options or {}))
    except Exception as exc:  # noqa: BLE001 - whatever a parser cannot take is still one file's problem
        return str(path), None, 0, str(unreadable(path, exc))
    todo = untagged(units, done)
    if isinstance(model_or_path, (str, Path)):
        model_or_path = _cached_model(str(model_or_path), os.path.getmtime(Path(model_or_path) / "meta.json"))
    return (
        str(path),
        tag_units(model_or_path, todo, explain_words=explain_words),
        len(units) - len(todo),
        None,
    )


def tag_paths(
    model: Any,
    inputs: Sequence[str | Path],
    out: str | Path,
    *,
    fmt: str = "jsonl",
    n_jobs: int = 1,
    model_path: str | Path | None = None,
    resume: bool = True,
    explain_words: int = 0,
    excel: bool = False,
    on_file: Callable[[str, int], None] | None = None,
    read_options: Mapping[str, Any] | None = None,
) -> TagSummary:
    """Tag every unit of ``inputs`` (files/folders) into ``out``; bad files are reported in the summary, not fatal.

    JSONL output grows file by file (flushed), so an interrupted run keeps its work; with ``resume`` the units
    already in ``out`` (same source and id) are skipped, and records made by another model or with other options
    stop the run (:class:`~nlp.errors.ConfigError`; ``resume=False`` starts afresh). CSV/XLSX/DOCX are written
    atomically at the end from a ``.partial.jsonl`` progress file beside ``out``, with code labels from the
    model's codebook; ``excel`` writes CSV for Norwegian/Danish Excel (semicolons). ``n_jobs > 1`` tags files in parallel (joblib processes, each
    loading the model from ``model_path``); results are written in input order, identical to ``n_jobs=1``.
    ``on_file(path, n_units)`` is called after each file (e.g. to advance a progress bar). ``read_options`` go to
    :func:`read_units` (``max_bytes``, ``encoding``, column names, ...).
    """
    out = Path(out)
    files = expand_inputs(inputs)
    summary = TagSummary(files=len(files), out=str(out))
    progress_path = out if fmt == "jsonl" else out.with_name(f".{out.name}.partial.jsonl")
    if resume:
        check_previous(model, model_path, out, fmt, explain_words)
    done = resume_progress(progress_path, out, fmt=fmt, resume=resume)  # then append file by file

    if n_jobs != 1 and model_path is not None and len(files) > 1:
        from joblib import Parallel, delayed

        results: Iterator[Any] = Parallel(n_jobs=n_jobs, return_as="generator")(
            delayed(tag_file)(str(model_path), f, done, explain_words, read_options) for f in files
        )
    else:
        results = (tag_file(model, f, done, explain_words, read_options) for f in files)

    with open(progress_path, "a", encoding="utf-8") as fh, _long_lived_set_aside():
        for path, records, skipped, error in results:
            if error is not None:
                summary.errors.append((path, error))
            else:
                fh.write("".join(json_line(r) for r in records))
                fh.flush()
                os.fsync(fh.fileno())
                summary.tagged += len(records)
                summary.skipped += skipped
                summary.add_not_content(not_content_counts(records))
            if on_file is not None:
                on_file(path, len(records or ()))
            gc.freeze()  # what the file added to the word caches, too
    if fmt != "jsonl":
        book = (getattr(model, "meta_", None) or {}).get("codebook")
        written = write_tagged(
            out,
            read_tagged(progress_path, fmt="jsonl"),
            fmt=fmt,
            excel=excel,
            codebook=Codebook.from_dict(book) if book else None,
        )
        summary.out = ", ".join(str(p) for p in written) or str(out)
        progress_path.unlink()
    return summary
