"""CLI verb ``nlp compare``: agreement between codings (coder vs coder, machine vs coder) of the same texts."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Annotated

import typer

from ..agreement.comparison import UNITS, compare, merge_codings
from ..agreement.render import markdown_report, write_comparison
from ..corpora import load
from ..errors import ConfigError, InputError
from ..refi import load_codebook
from . import app
from .inputs import read_paths
from .reading import ReadOptions, reads_files

__all__ = ["compare_cmd"]


def _read(path: Path, base: list | None = None, reading: ReadOptions | None = None):
    """The coded transcripts of one file; records of `nlp tag` become the coding of the ``base`` texts."""
    if not path.is_file():
        raise InputError(
            "no such file.", path=path, fix="pass coded transcript JSONL files of the same texts."
        )
    if path.suffix.lower() == ".jsonl":
        from ..review import is_decision_log  # inside: nlp.review needs scikit-learn (fast `nlp --help`)

        if is_decision_log(
            path
        ):  # `nlp review` decisions: the machine's and the reviewer's codes, reviewed segments
            from ..review import read_events, read_tag_output, reviewed_transcripts, tagged_path_of

            events = read_events(path)
            return reviewed_transcripts(read_tag_output(tagged_path_of(path, events)), events)
    records = _tagged_records(path)
    if records is not None:
        if base is None:
            raise InputError(
                "holds `nlp tag` records, which need the texts they were tagged from.",
                path=path,
                fix="put the reference coding first, or use --corpus NAME --reference CODER.",
            )
        from ..review import attach_machine_codes  # inside: nlp.review needs scikit-learn

        # the machine's codes only: the reference's own codes stay on ``base``
        return attach_machine_codes(records, [replace(t, codes=()) for t in base], coder=path.stem, path=path)
    source = read_paths([path], options=reading.kwargs() if reading is not None else None)
    if source.errors:
        raise InputError(source.errors[0][1])
    return list(source.transcripts)


def _tagged_records(path: Path) -> list[dict] | None:
    """The records of an `nlp tag` output (.jsonl, .csv, .xlsx), or None when the file is something else."""
    from ..review import is_tag_output, read_tag_output  # inside: nlp.review needs scikit-learn

    return read_tag_output(path) if is_tag_output(path) else None


def _coders(transcripts) -> list[str]:
    return sorted({c.coder for t in transcripts for c in t.codes})


def _load(
    files: list[Path], corpus: str | None, reference: str | None, other: list[str], reading: ReadOptions
):
    """Return (transcripts with every coder's codes, reference name, other names, codebook, label)."""
    codebook = None
    if corpus:
        c = load(corpus)
        base, codebook, label = list(c.transcripts), c.codebook, f"corpus {corpus}"
        extra = files
    elif not files:
        raise ConfigError(
            "nothing to compare.",
            fix="pass REFERENCE OTHER... coded JSONL files, or --corpus NAME "
            "--reference CODER --other CODER.",
        )
    else:
        base, label, extra = _read(files[0], reading=reading), str(files[0]), files[1:]
    if not extra:  # coders inside one source
        auto = sorted({c.coder for t in base for c in t.codes if c.source == "auto"})
        human = sorted({c.coder for t in base for c in t.codes if c.source == "human"})
        if (
            not reference and not other and len(human) == 1 and auto
        ):  # a review: the reviewer judges the machine
            return base, human[0], auto, codebook, label
        if not reference or not other:
            raise ConfigError(
                f"{label} is one coding source: say which coders to compare.",
                fix=f"add --reference CODER --other CODER (coders found: {', '.join(_coders(base))}).",
            )
        return base, reference, other, codebook, label
    if corpus and not reference:
        raise ConfigError(
            "with --corpus, say which corpus coder is the reference.", fix="add --reference coder1."
        )
    names: dict = {}
    paths: dict[str, str] = {}
    for path in extra if corpus else files:
        ts = base if path is files[0] and not corpus else _read(path, base, reading)
        found = _coders(ts)
        if len(found) > 1:
            raise InputError(
                f"holds codes of several coders ({', '.join(found)}).",
                path=path,
                fix=f"compare them with `nlp compare {path} --reference {found[0]} --other {found[1]} "
                f"--unit ...`, or export one coder per file.",
            )
        name = found[0] if found else path.stem
        if name in names or name in (reference, *other):
            name = f"{name}@{path.stem}"
        names[name], paths[name] = ts, str(path)
    if corpus:
        merged = merge_codings(base, names, reference_name=None, paths=paths)
        return merged, reference, [*other, *names], codebook, label
    ref_name, *other_names = list(names)
    ref_ts = names.pop(ref_name)
    return (
        merge_codings(ref_ts, names, reference_name=ref_name, paths=paths),
        ref_name,
        other_names,
        codebook,
        label,
    )


@app.command("compare")
@reads_files()
def compare_cmd(
    files: Annotated[
        list[Path] | None,
        typer.Argument(
            help="REFERENCE OTHER...: coded transcript JSONL (or .qdpx) files of the same texts, the first one the "
            "reference."
        ),
    ] = None,
    unit: Annotated[
        str,
        typer.Option(
            "--unit",
            help="Unit of analysis (required, a scientific choice): segment | sentence | character (every "
            "character, per code x source, like NVivo's coding comparison; where neither coder used a code "
            "in a source we report kappa as undefined, NVivo reports 1: see --nvivo-kappa).",
        ),
    ] = ...,  # type: ignore[assignment]
    corpus: Annotated[
        str | None, typer.Option("--corpus", help="Compare coders inside a bundled corpus, e.g. klynger.")
    ] = None,
    reference: Annotated[
        str | None, typer.Option("--reference", help="Reference coder inside one source, e.g. coder1.")
    ] = None,
    other: Annotated[
        list[str] | None, typer.Option("--other", help="Coder compared with the reference (repeatable).")
    ] = None,
    codebook: Annotated[
        Path | None,
        typer.Option(
            "--codebook",
            help="Codebook .yaml/.qdc/.qdpx: unknown codes are an error (default: the corpus' codebook).",
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", "-o", help="Folder for results.json/.csv/.md, per_code.csv and disagreements.csv."
        ),
    ] = None,
    min_words: Annotated[
        int,
        typer.Option(
            "--min-words", help="Leave out units with fewer words (short fragments); the count is reported."
        ),
    ] = 0,
    confidence: Annotated[
        float, typer.Option("--confidence", help="Confidence level of the bootstrap intervals.")
    ] = 0.95,
    n_boot: Annotated[
        int,
        typer.Option(
            "--n-boot", help="Bootstrap replicates (resampling groups of units, e.g. interviews, not units)."
        ),
    ] = 1000,
    seed: Annotated[int, typer.Option("--seed", help="Random state of the bootstrap.")] = 0,
    include_interviewer: Annotated[
        bool, typer.Option("--include-interviewer", help="Also compare interviewer turns.")
    ] = False,
    context: Annotated[
        int, typer.Option("--context", help="Characters of context around each disagreement.")
    ] = 160,
    nvivo_kappa: Annotated[
        bool,
        typer.Option(
            "--nvivo-kappa",
            help="With --unit character: NVivo's convention, kappa 1 for a code x source where the "
            "coders agree on every character (as where neither used the code), counted in the "
            "averages. Default: undefined there, with the reason, and left out of the averages.",
        ),
    ] = False,
    *,
    reading: ReadOptions,
) -> None:
    """Agreement between coders on the same texts: kappa, alpha, AC1, F1 ... with bootstrap CIs over groups of units
    (interviews, informants: whatever the data's groups are)."""
    if unit not in UNITS:
        raise ConfigError(
            f"--unit {unit!r} is not one of {', '.join(UNITS)}.", fix="choose the unit explicitly."
        )
    transcripts, ref, others, cb, _ = _load(list(files or []), corpus, reference, list(other or []), reading)
    if codebook is not None:
        cb = load_codebook(codebook)
    result = compare(
        transcripts,
        unit=unit,
        reference=ref,
        others=others,
        codebook=cb,
        include_interviewer=include_interviewer,
        min_words=min_words or None,
        confidence=confidence,
        n_boot=n_boot,
        random_state=seed,
        context=context,
        nvivo_kappa=nvivo_kappa,
    )
    typer.echo(markdown_report(result))
    if out is not None:
        for p in write_comparison(result, out):
            typer.echo(f"wrote {p}", err=True)
    for w in result.warnings:
        typer.secho(f"warning: {w}", err=True, fg=typer.colors.YELLOW)
