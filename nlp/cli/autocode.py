"""CLI verbs of the auto-coder: ``nlp train``, ``nlp tag``, ``nlp suggest``."""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from ..errors import InputError
from ..features import transcript_units
from ..model import read_jsonl
from . import app
from ._inputs import corpus_or_inputs

DEFAULT = "wordchar-svm"  # keep in step with nlp.classify.train.DEFAULT_MODEL (not imported: fast --help)

__all__ = ["suggest", "tag", "train"]


class OutFormat(str, Enum):
    jsonl = "jsonl"
    csv = "csv"
    xlsx = "xlsx"


def _load_training(corpus: str | None, coded: list[Path], codebook: Path | None):
    units, cb, label = [], None, ""
    c, coded = corpus_or_inputs(corpus, coded, verb="train", example="coded.jsonl", both=True)
    if c is not None:
        units, cb, label = list(c.units()), c.codebook, f"corpus {corpus}"
    for path in coded:
        if not path.is_file():
            raise InputError("no such file.", path=path, fix="pass coded transcript JSONL (from `nlp ingest`).")
        units.extend(transcript_units(read_jsonl(path)))  # analysed in context, as the corpus units are
        label = (label + ", " if label else "") + str(path)
    if codebook is not None:
        from ..codebook import load_codebook

        cb = load_codebook(codebook)
    if not units:
        raise InputError("no training data given.", fix="pass --corpus klynger or coded JSONL files.")
    return units, cb, label


@app.command("train")
def train(
    out: Annotated[Path, typer.Option("--out", help="Model folder to write, e.g. models/klynger.")],
    coder: Annotated[str, typer.Option("--coder", help="Whose coding to learn (e.g. coder1).")],
    coded: Annotated[list[Path] | None, typer.Argument(
        help="Coded transcript JSONL files (from `nlp ingest`/`nlp exchange`).")] = None,
    corpus: Annotated[str | None, typer.Option("--corpus", help="A bundled corpus to train on, e.g. klynger.")] = None,
    model: Annotated[str, typer.Option(
        "--model", help="tfidf-lr | wordchar-lr | wordchar-svm (keyword is the baseline, bench only).")] = DEFAULT,
    codebook: Annotated[Path | None, typer.Option(
        "--codebook", help="Codebook .yaml/.qdc (default: the corpus' own).")] = None,
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
        typer.echo(f"grouped {cv['n_splits']}-fold CV x{cv['repeats']} over {cv['n_groups']} groups:")
        typer.echo(f"  concepts  macro-F1 {cv['macro']['f1']:.3f}  micro-F1 {cv['micro']['f1']:.3f}  "
                   f"mean kappa {cv['macro']['kappa']:.3f}")
        typer.echo(f"  polarity  macro-F1 {cv['polarity']['macro_f1']:.3f}  kappa {cv['polarity']['kappa']:.3f}")
        typer.echo(f"  {'code':<24}{'P':>6}{'R':>6}{'F1':>6}{'kappa':>7}{'n':>5}")
        for code, s in cv["codes"].items():
            typer.echo(f"  {code:<24}{s['precision']:6.2f}{s['recall']:6.2f}{s['f1']:6.2f}{s['kappa']:7.2f}"
                       f"{int(s['support']):5d}")
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
    out: Annotated[Path, typer.Option("--out", help="Output file.")],
    fmt: Annotated[OutFormat, typer.Option("--format", help="jsonl | csv | xlsx.")] = OutFormat.jsonl,
    jobs: Annotated[int, typer.Option("--jobs", "-j", help="Parallel processes over files (-1: all cores).")] = 1,
    resume: Annotated[bool, typer.Option("--resume/--restart",
                                         help="Skip segments already tagged in --out.")] = True,
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
    from tqdm import tqdm

    from ..classify import load_coder, tag_paths
    from ..classify.tag import expand_inputs

    coder = load_coder(model)
    if abstain is not None:
        coder.min_confidence = abstain
    files = expand_inputs(inputs)
    bar = tqdm(total=len(files), unit="file", file=sys.stderr, disable=len(files) < 2 or not sys.stderr.isatty())
    if workers is not None or scheduler is not None:
        from ..distributed import tag_distributed

        summary = tag_distributed(coder, files, out, scheduler=scheduler, workers=workers, fmt=fmt.value,
                                  model_path=model if abstain is None else None, resume=resume,
                                  explain_words=explain_words, on_file=lambda path, n: bar.update(1))
    else:
        summary = tag_paths(coder, files, out, fmt=fmt.value, n_jobs=jobs,
                            model_path=model if abstain is None else None, resume=resume,
                            explain_words=explain_words, on_file=lambda path, n: bar.update(1))
    bar.close()
    for path, message in summary.errors:
        typer.secho(f"skipped: {message}" if path in message else f"skipped {path}: {message}", err=True,
                    fg=typer.colors.YELLOW)
    typer.echo(f"tagged {summary.tagged} segments from {summary.files - len(summary.errors)} files "
               f"({summary.skipped} already in {out}, {len(summary.errors)} files skipped) -> {out}")
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
    from ..errors import NlpError
    from ..model import atomic_writer, json_line

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
