"""CLI verbs of the auto-coder: ``nlp train``, ``nlp tag``, ``nlp suggest``."""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer
from tqdm import tqdm

from ..codebook import Codebook
from ..errors import ConfigError, InputError, NlpError
from ..features import transcript_units
from ..model import atomic_writer, json_line
from ..refi import load_codebook
from . import app
from .inputs import read_inputs

DEFAULT = "wordchar-svm"  # keep in step with nlp.classify.train.DEFAULT_MODEL (not imported: fast --help)

__all__ = ["suggest", "tag", "train"]


class OutFormat(str, Enum):
    jsonl = "jsonl"
    csv = "csv"
    xlsx = "xlsx"
    docx = "docx"


def _load_training(corpus: str | None, coded: list[Path], codebook: Path | None):
    logs = [p for p in coded if p.suffix.lower() == ".jsonl" and _is_decision_log(p)]
    source = read_inputs(corpus, [p for p in coded if p not in logs],
                         example="nlp train --corpus klynger --coder coder1 --out models/klynger") \
        if corpus or len(logs) < len(coded) else None
    if source is not None and source.errors:
        raise InputError(source.errors[0][1])
    units = transcript_units(source.transcripts) if source is not None else []  # analysed in context
    for path in logs:  # `nlp review` decisions: the reviewed segments, coder = the reviewer
        from ..review import read_events, read_tag_output, reviewed_units, tagged_path_of

        events = read_events(path)
        reviewed = reviewed_units(read_tag_output(tagged_path_of(path, events)), events)
        if not reviewed:
            raise InputError("no segment in this decision log is reviewed yet (every machine code and the polarity "
                             "decided, or Enter).", path=path, fix="review some segments with `nlp review` first.")
        units.extend(reviewed)
    cb = load_codebook(codebook) if codebook is not None else (source.codebook if source is not None else None)
    label = ", ".join([*([source.label] if source is not None else []), *map(str, logs)])
    if not units:
        raise InputError("no training data given.", fix="pass --corpus klynger or coded JSONL files.")
    return units, cb, label


def _is_decision_log(path: Path) -> bool:
    from ..review import is_decision_log  # inside: nlp.review needs scikit-learn (fast `nlp --help`)

    return is_decision_log(path)


@app.command("train")
def train(
    out: Annotated[Path, typer.Option("--out", help="Model folder to write, e.g. models/klynger.")],
    coder: Annotated[str, typer.Option("--coder", help="Whose coding to learn (e.g. coder1).")],
    coded: Annotated[list[Path] | None, typer.Argument(
        help="Coded transcripts: JSONL from `nlp ingest`, .qdpx projects, or `nlp review` decision logs "
             "(TAGGED.review.jsonl: the reviewed segments, coder = the reviewer) (instead of --corpus).")] = None,
    corpus: Annotated[str | None, typer.Option("--corpus", help="A bundled corpus to train on, e.g. klynger.")] = None,
    model: Annotated[str, typer.Option(
        "--model", help="tfidf-lr | wordchar-lr | wordchar-svm (keyword is the baseline, bench only).")] = DEFAULT,
    codebook: Annotated[Path | None, typer.Option(
        "--codebook", help="Codebook .yaml/.qdc/.qdpx (default: the corpus' own).")] = None,
    folds: Annotated[int, typer.Option("--folds", help="Grouped cross-validation folds (0: skip validation).")] = 5,
    repeats: Annotated[int, typer.Option("--repeats", help="Cross-validation repetitions (seeds).")] = 3,
    curve: Annotated[bool, typer.Option("--curve/--no-curve", help="Compute the learning curve.")] = True,
    min_confidence: Annotated[float, typer.Option("--abstain", help="Abstain below this probability (0: never).")
                              ] = 0.0,
    seed: Annotated[int, typer.Option("--seed", help="Random seed.")] = 0,
) -> None:
    """Train an auto-coder on manual coding, validate it (grouped CV) and save it as a model folder."""
    from ..classify import save_coder, train_from_units

    units, cb, label = _load_training(corpus, coded or [], codebook)
    typer.echo(f"training on {label}: {len(units)} units (coder {coder}) ...", err=True)
    fitted, meta = train_from_units(units, coder=coder, codebook=cb, model=model, n_splits=folds,
                                    n_repeats=repeats, curve=curve, random_state=seed,
                                    min_confidence=min_confidence)
    meta["training"]["source"] = label
    save_coder(fitted, out, codebook=cb, meta=meta)
    cv = meta.get("cross_validation")
    if cv:
        from ..classify.train import cv_notes, quality_rows

        notes = cv_notes(cv)
        typer.echo(f"{notes[0]} over {cv['n_groups']} groups (the same per-code figures as the report's):")
        typer.echo(f"  concepts  macro-F1 {cv['macro']['f1']:.3f}  micro-F1 {cv['micro']['f1']:.3f}  "
                   f"mean kappa {cv['macro']['kappa']:.3f}")
        typer.echo(f"  polarity  macro-F1 {cv['polarity']['macro_f1']:.3f}  kappa {cv['polarity']['kappa']:.3f}")
        typer.echo(f"  {'code':<24}{'P':>6}{'R':>6}{'F1':>6}{'kappa':>7}{'n':>5}")
        for r in quality_rows(cv):
            typer.echo(f"  {r['code']:<24}{r['precision']:6.2f}{r['recall']:6.2f}{r['f1']:6.2f}{r['kappa']:7.2f}"
                       f"{r['support']:5d}{'  *' if r['note'] else ''}")
        if any(r["note"] for r in quality_rows(cv)):
            typer.echo("  * fewer than 30 reference units or 5 groups: too few to judge this code")
        for note in notes[1:]:
            typer.secho(f"warning: {note}", err=True, fg=typer.colors.YELLOW)
    for row in meta.get("learning_curve", []):
        typer.echo(f"  learning curve: {row['n_groups']:3d} groups -> concept macro-F1 "
                   f"{row['concept_macro_f1']:.3f}, polarity kappa {row['polarity_kappa']:.3f}")
    pm = meta["training"]["polarity_model"]
    typer.echo(f"polarity model: C {pm['C']:g}, class weight {pm['class_weight'] or 'none'}, sentence pooling "
               f"{'on' if pm['sentence_pooling'] else 'off'}"
               f"{' (chosen in inner grouped CV)' if pm['chosen_by_inner_cv'] else ''}")
    typer.echo(f"saved {out}")


@app.command("tag")
def tag(
    model: Annotated[Path, typer.Argument(help="Model folder from `nlp train`.")],
    inputs: Annotated[list[Path], typer.Argument(
        help='Files/folders to tag (any ingest format, or JSONL lines {"id","text","lang"}).')],
    out: Annotated[Path, typer.Option("--out", help="Output file: .jsonl, .csv, .xlsx or .docx (one Word document "
                                                    "per interview, codes as comments).")],
    fmt: Annotated[OutFormat | None, typer.Option(
        "--format", help="jsonl | csv | xlsx | docx; must match the --out extension (default: from it).")] = None,
    excel: Annotated[bool, typer.Option(
        "--excel", help="CSV for Norwegian/Danish Excel: semicolons, decimal commas, UTF-8 with BOM.")] = False,
    jobs: Annotated[int, typer.Option("--jobs", "-j", help="Parallel processes over files (-1: all cores).")] = 1,
    resume: Annotated[bool, typer.Option(
        "--resume/--overwrite", " /--restart",
        help="Skip segments already tagged in --out (same model and options), or start it afresh.")] = True,
    explain_words: Annotated[int, typer.Option("--explain", help="Add the N words that drove each code (why).")
                             ] = 0,
    abstain: Annotated[float | None, typer.Option("--abstain",
                                                  help="Override the model's abstain probability.")] = None,
    workers: Annotated[int | None, typer.Option(
        "--workers", help="Tag on a Dask cluster of N local processes (needs the optional dask extra).")] = None,
    scheduler: Annotated[str | None, typer.Option(
        "--scheduler", help="Tag on a running Dask cluster, tcp://HOST:PORT (same output, byte for byte).")] = None,
) -> None:
    """Tag new interviews with a trained auto-coder (codes, polarity, probabilities per segment)."""
    from ..classify import load_coder, tag_paths
    from ..classify.output import format_for
    from ..classify.tag import expand_inputs

    out_format = format_for(out, fmt.value if fmt is not None else None)
    if excel and out_format != "csv":
        raise ConfigError("--excel is for CSV output.", fix="write --out NAME.csv, or leave out --excel.")
    coder = load_coder(model)
    if abstain is not None:
        coder.min_confidence = abstain
    files = expand_inputs(inputs)
    bar = tqdm(total=len(files), unit="file", file=sys.stderr, disable=len(files) < 2 or not sys.stderr.isatty())
    if workers is not None or scheduler is not None:
        from ..distributed import tag_distributed

        summary = tag_distributed(coder, files, out, scheduler=scheduler, workers=workers, fmt=out_format,
                                  model_path=model if abstain is None else None, resume=resume,
                                  explain_words=explain_words, on_file=lambda path, n: bar.update(1))
        book = (coder.meta_ or {}).get("codebook") if hasattr(coder, "meta_") else None
        if out_format in ("csv", "xlsx") and (excel or book) and out.exists():
            # the cluster writes the plain table; add the Excel dialect and the codebook's labels as tag_paths does
            from ..classify.tag import read_tagged, write_tagged

            write_tagged(out, read_tagged(out, fmt=out_format), fmt=out_format, excel=excel,
                         codebook=Codebook.from_dict(book) if book else None)
    else:
        summary = tag_paths(coder, files, out, fmt=out_format, n_jobs=jobs, excel=excel,
                            model_path=model if abstain is None else None, resume=resume,
                            explain_words=explain_words, on_file=lambda path, n: bar.update(1))
    bar.close()
    for path, message in summary.errors:
        typer.secho(f"skipped: {message}" if path in message else f"skipped {path}: {message}", err=True,
                    fg=typer.colors.YELLOW)
    typer.echo(f"tagged {summary.tagged} segments from {summary.files - len(summary.errors)} files "
               f"({summary.skipped} already in {out}, {len(summary.errors)} files skipped) -> {summary.out or out}")
    if summary.errors and summary.files == len(summary.errors):
        raise typer.Exit(2)


@app.command("suggest")
def suggest(
    model: Annotated[Path, typer.Argument(help="Model folder from `nlp train`.")],
    inputs: Annotated[list[Path], typer.Argument(help="Files/folders with segments not yet coded.")],
    n: Annotated[int, typer.Option("--n", help="How many segments to list.")] = 20,
    out: Annotated[Path | None, typer.Option("--out", help="Also write the list as JSONL.")] = None,
) -> None:
    """List the uncoded segments whose manual coding would help the model most (active learning)."""
    from ..classify import load_coder
    from ..classify import suggest as rank
    from ..classify.tag import expand_inputs, read_units

    coder = load_coder(model)
    units = []
    for path in expand_inputs(inputs):
        try:
            units.extend(u for u in read_units(path) if not u.get("coded"))
        except NlpError as exc:
            typer.secho(f"skipped {path}: {exc}", err=True, fg=typer.colors.YELLOW)
    picks = rank(coder, units, n=n)
    for s in picks:
        text = s["text"] if len(s["text"]) <= 100 else s["text"][:97] + "..."
        typer.echo(f"{s['rank']:3d}. {s['score']:.3f}  {s['id']}  {text}")
    if out is not None:
        with atomic_writer(out) as fh:
            for s in picks:
                fh.write(json_line(s))
