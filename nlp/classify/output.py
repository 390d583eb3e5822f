"""What `nlp tag` writes, in the forms researchers open: JSONL, CSV (also for Norwegian/Danish Excel), XLSX and Word.

Also the provenance of a tagging run (which model, by hash, and which options made the records), so that resuming
with another model or other options stops with a clear message instead of mixing two runs in one file, and the
step from tag records back to :class:`~nlp.model.CodeSpan` objects (machine codes as codings by a user named after
the model version) for REFI-QDA export, review and comparison.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..codebook import Codebook
from ..errors import ConfigError, InputError
from ..model import POLARITY_PREFIX, CodeSpan, atomic_writer

__all__ = [
    "FORMATS",
    "check_resume",
    "code_label",
    "format_for",
    "machine_spans",
    "model_version",
    "read_table",
    "run_options",
    "table_header",
    "table_rows",
    "write_csv",
    "write_docx",
    "write_xlsx",
]

#: File extension -> output format of `nlp tag`.
FORMATS = {".jsonl": "jsonl", ".csv": "csv", ".xlsx": "xlsx", ".docx": "docx"}
_BASE_COLUMNS = [
    "id",
    "source",
    "start",
    "end",
    "speaker",
    "text",
    "codes",
    "code labels",
    "polarity",
    "polarity label",
]
_RESUME_FIX = "tag into another --out file, or add --overwrite to start this file afresh."


def format_for(path: str | Path, fmt: str | None = None) -> str:
    """The output format of ``path``: its extension decides; an explicit ``fmt`` must agree with it.

    Examples
    --------
    >>> format_for("koder.xlsx")
    'xlsx'
    >>> format_for("koder.csv", "xlsx")
    Traceback (most recent call last):
    ...
    nlp.errors.ConfigError: --format xlsx does not match the file name koder.csv (a .csv file). Fix: write \
--out koder.xlsx, or leave out --format (the extension decides).
    """
    path = Path(path)
    by_ext = FORMATS.get(path.suffix.lower())
    if fmt is not None and fmt not in FORMATS.values():
        raise ConfigError(f"unknown output format {fmt!r}.", fix=f"use one of {', '.join(FORMATS.values())}.")
    if by_ext is None:
        raise ConfigError(
            f"cannot tell the output format from the file name {path.name} (extension "
            f"{path.suffix or 'none'}).",
            fix=f"end --out with one of {', '.join(FORMATS)}.",
        )
    if fmt is not None and fmt != by_ext:
        raise ConfigError(
            f"--format {fmt} does not match the file name {path.name} (a {path.suffix} file).",
            fix=f"write --out {path.with_suffix('.' + fmt).name}, or leave out --format (the "
            "extension decides).",
        )
    return by_ext


# -- provenance -------------------------------------------------------------------------------------------------
def model_version(model: Any) -> str:
    """A stable name of a trained model: ``auto-<first 10 hex of the sha256 of its state>``.

    The hash covers everything that decides its codes (weights, vocabulary, calibration, thresholds, settings)
    except the abstain probability, which tagging records as an option: copies of one model, the model after a
    save and load, and the model on a Dask worker share a version; a retrained model gets a new one. This is the
    user name its codings get in REFI-QDA and in comparisons.

    Examples
    --------
    >>> from nlp.classify import AutoCoder
    >>> m = AutoCoder.from_params(word_analyzer="surface", char_ngrams=None, min_df=1, inner_folds=0).fit(
    ...     ["deler kunnskap", "konkurranse nå"] * 2, [{"ks"}, {"comp"}] * 2, ["driver", "barrier"] * 2)
    >>> v = model_version(m); m.min_confidence = 0.9; model_version(m) == v, v.startswith("auto-"), len(v)
    (True, True, 15)
    """
    fitted = id(getattr(getattr(model, "concepts", model), "coef_", None))  # a refit gives new weight arrays
    cached = getattr(model, "_version_name", None)
    if cached is not None and cached[0] == fitted:
        return cached[1]
    h = hashlib.sha256()
    if hasattr(model, "get_state"):
        params, arrays = model.get_state()
        params = _without_abstain(params)
        h.update(json.dumps(params, sort_keys=True, default=str).encode())
        for k in sorted(arrays):
            h.update(k.encode())
            h.update(np.ascontiguousarray(arrays[k]).tobytes())
    else:  # a baseline without a saved state (bench only)
        h.update(repr(sorted((k, repr(v)) for k, v in vars(model).items())).encode())
    name = f"auto-{h.hexdigest()[:10]}"
    try:
        model._version_name = (fitted, name)
    except AttributeError:  # pragma: no cover - a model class with __slots__
        pass
    return name


def _without_abstain(params: Any) -> Any:
    """The saved settings without the abstain probability (``min_confidence``, at any depth)."""
    if isinstance(params, Mapping):
        return {k: _without_abstain(v) for k, v in params.items() if k != "min_confidence"}
    return params


def run_options(model: Any, *, explain_words: int) -> dict[str, Any]:
    """The options of a tagging run that change its records: the abstain probability and ``--explain``."""
    abstain = getattr(
        model, "abstain", None
    )  # AutoCoder: the probability in force (given, or chosen in training)
    if abstain is None:
        abstain = getattr(model, "min_confidence", 0.0)
    return {"abstain": float(abstain or 0.0), "explain": int(explain_words)}


def check_resume(
    previous: Sequence[Mapping[str, Any]], *, model: Any, explain_words: int, path: str | Path
) -> None:
    """Stop a resumed run whose earlier records were made by another model or with other options.

    Raises
    ------
    ConfigError
        Naming the file, the model and options found there and those of this run, and how to go on.
    """
    if not previous:
        return
    version, options = model_version(model), run_options(model, explain_words=explain_words)
    for rec in previous:
        old_version, old_options = rec.get("model"), rec.get("options")
        if old_version == version and old_options == options:
            continue
        if old_version is None:
            found = "an earlier klyngekoder that did not record its model"
        else:
            found = f"model {old_version} with {_describe(old_options)}"
        raise ConfigError(
            f"{path} was tagged by {found}; this run uses model {version} with "
            f"{_describe(options)}. Resuming would mix the two in one file.",
            fix=_RESUME_FIX,
        )


def _describe(options: Any) -> str:
    if not isinstance(options, Mapping):
        return "unrecorded options"
    return ", ".join(
        f"--{k} {v:g}" if isinstance(v, float) else f"--{k} {v}" for k, v in sorted(options.items())
    )


# -- tables -----------------------------------------------------------------------------------------------------
def code_label(code: str, codebook: Codebook | None) -> str:
    """A code's display name from the codebook (Norwegian, else Danish/other names), or its id without one.

    Examples
    --------
    >>> from nlp.codebook import Code, Codebook
    >>> book = Codebook(name="b", codes=(Code("trust", names={"da": "Tillid"}),),
    ...                 polarity_labels={"driver": {"nb": "fremmende faktor"}})
    >>> code_label("trust", book), code_label("polarity:driver", book), code_label("other", None)
    ('Tillid', 'fremmende faktor', 'other')
    """
    if codebook is None:
        return code
    if code.startswith(POLARITY_PREFIX):
        value = code[len(POLARITY_PREFIX) :]
        labels = codebook.polarity_labels.get(value) or {}
        return next((labels[k] for k in ("nb", "nn", "da") if labels.get(k)), value)
    try:
        return codebook[code].name
    except KeyError:
        return code


def _why_text(why: Mapping[str, Sequence[str]] | None) -> str:
    return "; ".join(f"{code}: {', '.join(words)}" for code, words in (why or {}).items())


def _withheld_text(withheld: Mapping[str, str] | None) -> str:
    return "; ".join(f"{code}: {reason}" for code, reason in (withheld or {}).items())


def _withheld_parse(text: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for part in (text or "").split("; "):
        code, sep, reason = part.partition(": ")
        if sep:
            out[code] = reason
    return out


def _why_parse(text: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for part in (text or "").split("; "):
        code, sep, words = part.partition(": ")
        if sep:
            out[code] = [w for w in words.split(", ") if w]
    return out


def table_header(records: Sequence[Mapping[str, Any]]) -> list[str]:
    """The columns of the flat table of ``records`` (see :func:`table_rows`)."""
    score_names: dict[str, None] = {}
    for r in records:
        score_names.update(dict.fromkeys(r.get("scores", {})))
    explained = any("why" in r for r in records)
    cued = any("cued" in r for r in records)
    return [
        *_BASE_COLUMNS,
        *(["cued"] if cued else []),
        "withheld",
        "not_content",
        *(f"score:{k}" for k in score_names),
        *(["why"] if explained else []),
        "model",
        "options",
    ]


def table_rows(
    records: Sequence[Mapping[str, Any]], *, codebook: Codebook | None = None
) -> tuple[list[str], list[list[Any]]]:
    """Header and rows of the flat table (CSV, XLSX): one row per segment.

    Columns: ``id, source, start, end, speaker, text, codes`` (ids, ``; ``-separated), ``code labels`` (the
    codebook's Norwegian/Danish names), ``polarity``, ``polarity label``, ``cued`` (the codes a cue word of the
    codebook gave, when the model uses them), ``withheld`` (codes judged "do not use", left out: ``code: reason``,
    ``; ``-separated), ``not_content`` (why a segment that is not interview content got no codes), one
    ``score:<code>`` per code and polarity value (numbers), then ``why`` (the words that drove each code, when tagged
    with ``--explain``), ``model`` and ``options``: every field of the JSONL record.
    """
    header = table_header(records)
    score_names = [h[len("score:") :] for h in header if h.startswith("score:")]
    explained = "why" in header
    cued = "cued" in header
    rows = []
    for r in records:
        pol = r.get("polarity")
        row = [
            r["id"],
            r.get("source"),
            r.get("start"),
            r.get("end"),
            r.get("speaker"),
            r.get("text", ""),
            "; ".join(r.get("codes", ())),
            "; ".join(code_label(c, codebook) for c in r.get("codes", ())),
            pol,
            code_label(POLARITY_PREFIX + pol, codebook) if pol else None,
            *(["; ".join(r.get("cued", ()))] if cued else []),
            _withheld_text(r.get("withheld")) or None,
            r.get("not_content"),
            *(r.get("scores", {}).get(k) for k in score_names),
        ]
        if explained:
            row.append(_why_text(r.get("why")))
        options = r.get("options")
        row += [r.get("model"), json.dumps(options, sort_keys=True) if options is not None else None]
        rows.append(row)
    return header, rows


def _record_of_row(header: Sequence[str], row: Sequence[Any]) -> dict[str, Any]:
    d = dict(zip(header, row))
    rec: dict[str, Any] = {
        "id": str(d["id"]),
        "source": d.get("source") or None,
        "start": int(d["start"]),
        "end": int(d["end"]),
        "speaker": d.get("speaker") or None,
        "text": d.get("text") or "",
        "codes": [c for c in str(d.get("codes") or "").split("; ") if c],
        "polarity": d.get("polarity") or None,
        "scores": {k[6:]: float(d[k]) for k in header if k.startswith("score:") and d[k] not in (None, "")},
    }
    if "cued" in d and not d.get("not_content"):  # a segment that is not content lists no cue codes
        rec["cued"] = [c for c in str(d.get("cued") or "").split("; ") if c]
    if d.get("withheld"):
        rec["withheld"] = _withheld_parse(str(d["withheld"]))
    if d.get("not_content"):
        rec["not_content"] = str(d["not_content"])
    if "why" in d:
        rec["why"] = _why_parse(str(d["why"] or ""))
    if d.get("model"):
        rec["model"] = d["model"]
    if d.get("options"):
        rec["options"] = json.loads(d["options"])
    return rec


def write_csv(
    path: str | Path,
    records: Sequence[Mapping[str, Any]],
    *,
    codebook: Codebook | None = None,
    excel: bool = False,
) -> None:
    """Write the table as CSV (UTF-8 with BOM), atomically.

    ``excel=True`` separates columns with semicolons and writes decimal commas, which is what Excel set to
    Norwegian or Danish opens straight into columns; otherwise commas and decimal points (R, pandas, LibreOffice).
    """
    header, rows = table_rows(records, codebook=codebook)
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=";" if excel else ",", lineterminator="\r\n" if excel else "\n")
    w.writerow(header)
    for row in rows:
        w.writerow(
            [
                "" if v is None else (str(v).replace(".", ",") if excel and isinstance(v, float) else v)
                for v in row
            ]
        )
    with atomic_writer(path, encoding="utf-8-sig") as fh:
        fh.write(buf.getvalue())


def write_xlsx(
    path: str | Path, records: Sequence[Mapping[str, Any]], *, codebook: Codebook | None = None
) -> None:
    """Write the table as an Excel workbook, atomically: header frozen and filterable, widths set, text wrapped,
    probabilities as numbers (shown with two decimals), code labels from the codebook, explanations in ``why``.

    Written in openpyxl's streaming mode, so memory stays small up to Excel's million rows.
    """
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    header, rows = table_rows(records, codebook=codebook)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("codes")
    widths = {
        "id": 14,
        "source": 24,
        "start": 8,
        "end": 8,
        "speaker": 12,
        "text": 70,
        "codes": 28,
        "code labels": 32,
        "polarity": 11,
        "polarity label": 22,
        "cued": 24,
        "withheld": 40,
        "not_content": 18,
        "why": 48,
        "model": 24,
        "options": 24,
    }
    for j, name in enumerate(header, 1):
        ws.column_dimensions[get_column_letter(j)].width = widths.get(name, 12)
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(header))}{len(rows) + 1}"
    bold, wrap = Font(bold=True), Alignment(wrap_text=True, vertical="top")
    wrapped = {j for j, name in enumerate(header) if name in ("text", "code labels", "withheld", "why")}
    scores = {j for j, name in enumerate(header) if name.startswith("score:")}
    # one styled template cell per styled column: copying its style ids is far cheaper than setting styles anew
    templates: dict[int, Any] = {}
    for j in wrapped | scores:
        t = templates[j] = WriteOnlyCell(ws)
        if j in wrapped:
            t.alignment = wrap
        else:
            t.number_format = "0.00"

    def cell(value: Any, j: int) -> Any:
        t = templates.get(j)
        if t is None or value is None:
            return value
        c = WriteOnlyCell(ws, value=value)
        c._style = t._style
        return c

    head = []
    for name in header:
        c = WriteOnlyCell(ws, value=name)
        c.font = bold
        head.append(c)
    ws.append(head)
    for row in rows:
        ws.append([cell(v, j) for j, v in enumerate(row)])
    with atomic_writer(path, mode="wb") as fh:
        wb.save(fh)


def read_table(path: str | Path, *, fmt: str) -> list[dict[str, Any]]:
    """Records of a CSV (comma or ``--excel`` semicolon) or XLSX table written by :func:`write_csv`/:func:`write_xlsx`.

    Raises
    ------
    InputError
        When the file cannot be read back as such a table.
    """
    path = Path(path)
    try:
        if fmt == "csv":
            text = path.read_text(encoding="utf-8-sig")
            first = text.split("\n", 1)[0]
            excel = first.count(";") > first.count(",")
            rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";" if excel else ","))
            if excel:
                header = rows[0] if rows else []
                for row in rows[1:]:
                    for j, name in enumerate(header):
                        if name.startswith("score:") and j < len(row):
                            row[j] = row[j].replace(",", ".")
        elif fmt == "xlsx":
            from openpyxl import load_workbook

            wb = load_workbook(path, read_only=True)
            rows = [["" if v is None else v for v in r] for r in wb.worksheets[0].iter_rows(values_only=True)]
        else:
            raise InputError(f"unknown table format {fmt!r}.", path=path, fix="use csv or xlsx.")
        return (
            [_record_of_row(rows[0], r) for r in rows[1:] if any(v not in ("", None) for v in r)]
            if rows
            else []
        )
    except (KeyError, ValueError, IndexError, OSError, json.JSONDecodeError) as exc:
        raise InputError(
            f"the existing output cannot be read back ({exc.__class__.__name__}: {exc}).",
            path=path,
            fix=_RESUME_FIX,
        ) from exc


# -- Word -------------------------------------------------------------------------------------------------------
def _by_source(records: Iterable[Mapping[str, Any]]) -> dict[str, list[Mapping[str, Any]]]:
    groups: dict[str, list[Mapping[str, Any]]] = {}
    for r in records:
        groups.setdefault(str(r.get("source") or ""), []).append(r)
    for recs in groups.values():
        recs.sort(key=lambda r: (int(r.get("start") or 0), int(r.get("end") or 0)))
    return groups


def _safe_stem(source: str) -> str:
    stem = Path(source.replace("\\", "/")).stem or "interview"
    return re.sub(r"[^0-9A-Za-zÆØÅæøåÄÖäöÜü_.-]+", "_", stem).strip("._") or "interview"


def _comment_text(rec: Mapping[str, Any], codebook: Codebook | None) -> str:
    scores = rec.get("scores", {})
    lines = [f"{code_label(c, codebook)} ({c}) {scores.get(c, 0):.2f}" for c in rec.get("codes", ())]
    pol = rec.get("polarity")
    if pol:
        label = code_label(POLARITY_PREFIX + pol, codebook)
        lines.append(f"polarity: {label} {scores.get(POLARITY_PREFIX + pol, 0):.2f}")
    why = _why_text(rec.get("why"))
    if why:
        lines.append(f"why: {why}")
    for code, reason in (rec.get("withheld") or {}).items():
        lines.append(f"withheld: {code_label(code, codebook)} ({code}) {scores.get(code, 0):.2f}, {reason}")
    if rec.get("not_content"):
        lines.append(f"not coded: not interview content ({rec['not_content']})")
    return "\n".join(lines)


def write_docx(
    path: str | Path, records: Sequence[Mapping[str, Any]], *, codebook: Codebook | None = None
) -> list[Path]:
    """Write each interview as a Word document: its tagged turns in order (speaker in bold), every segment with
    machine codes highlighted and carrying a Word comment with the codes, their probabilities, the polarity and
    the words that drove them. Author of the comments: the model version.

    With one interview the document is ``path``; with several, ``<stem>-<interview>.docx`` beside it, one per
    interview. Returns the files written (atomically).
    """
    import docx
    from docx.enum.text import WD_COLOR_INDEX

    path = Path(path)
    groups = _by_source(records)
    written: list[Path] = []
    used: set[str] = set()
    for source, recs in groups.items():
        if len(groups) == 1:
            target = path
        else:
            stem = _safe_stem(source)
            name, k = stem, 2
            while name in used:
                name, k = f"{stem}_{k}", k + 1
            used.add(name)
            target = path.with_name(f"{path.stem}-{name}{path.suffix}")
        doc = docx.Document()
        doc.core_properties.title = source or "interview"
        doc.add_heading(source or "interview", level=1)
        doc.add_paragraph(
            f"{len(recs)} tagged segments; highlighted text has machine codes (see the comments). Interviewer "
            "turns of transcripts are not tagged and not shown; codes withheld as 'do not use' and segments left "
            "uncoded as not interview content say so in a comment."
        )
        for r in recs:
            para = doc.add_paragraph()
            if r.get("speaker"):
                para.add_run(f"{r['speaker']}: ").bold = True
            run = para.add_run(str(r.get("text", "")))
            if (
                r.get("codes")
                or r.get("polarity") not in (None, "neutral")
                or r.get("withheld")
                or r.get("not_content")
            ):
                if r.get("codes"):
                    run.font.highlight_color = WD_COLOR_INDEX.YELLOW
                doc.add_comment(
                    run,
                    text=_comment_text(r, codebook),
                    author=str(r.get("model") or "klyngekoder"),
                    initials="KK",
                )
        with atomic_writer(target, mode="wb") as fh:
            doc.save(fh)
        written.append(target)
    return written


# -- back to code spans -----------------------------------------------------------------------------------------
def machine_spans(record: Mapping[str, Any], *, coder: str | None = None) -> list[CodeSpan]:
    """The machine codes of one tag record as auto :class:`CodeSpan` objects over ``start..end``.

    The coder is the record's ``model`` (its version name; ``coder`` overrides, and is needed for records of an
    earlier klyngekoder that did not record one); the confidence is the code's probability. Polarity becomes a
    ``polarity:<value>`` span.

    Examples
    --------
    >>> rec = {"start": 5, "end": 20, "codes": ["trust"], "polarity": "driver", "model": "auto-me-0123456789",
    ...        "scores": {"trust": 0.81, "polarity:driver": 0.7}}
    >>> [(s.code, s.coder, s.confidence) for s in machine_spans(rec)]
    [('trust', 'auto-me-0123456789', 0.81), ('polarity:driver', 'auto-me-0123456789', 0.7)]
    """
    who = coder or record.get("model")
    if not who:
        raise InputError(
            f"tag record {record.get('id')!r} does not say which model made it.",
            fix="tag again with this klyngekoder, or name the model with --model-name.",
        )
    start, end = int(record["start"]), int(record["end"])
    scores = record.get("scores") or {}
    names = [
        *record.get("codes", ()),
        *([POLARITY_PREFIX + record["polarity"]] if record.get("polarity") else []),
    ]
    return [
        CodeSpan(
            code=c,
            start=start,
            end=end,
            coder=str(who),
            source="auto",
            confidence=None if scores.get(c) is None else float(scores[c]),
        )
        for c in names
    ]
