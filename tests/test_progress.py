"""Progress of the long steps: the library reports (done, total) through a callback; the CLI draws a bar on stderr
only on a terminal, so piped output stays clean."""

import io
import re

from autocode_synth import synthetic_transcripts, synthetic_units
from typer.testing import CliRunner

from nlp.classify import train_from_units
from nlp.cli import app
from nlp.cli.progress import TerminalProgress
from nlp.model import write_jsonl
from nlp.topics import NmfTopics, sweep_topics

BAR = re.compile(r"\r|\d+/\d+ \[|it/s|fit/s|\|█")


def _simple(analysis):
    return [w for w in analysis.surface_words() if len(w) > 3]


def test_training_reports_every_fit_up_to_the_total():
    calls = []
    train_from_units(
        synthetic_units(n_groups=6, per_group=6),
        coder="coder1",
        n_splits=3,
        n_repeats=2,
        curve=True,
        word_analyzer="surface",
        inner_folds=0,
        progress=lambda d, t: calls.append((d, t)),
    )
    dones = [d for d, _ in calls]
    totals = {t for _, t in calls}
    assert len(totals) == 1 and dones[-1] == totals.pop()
    assert (
        dones == sorted(dones) and len(dones) >= 2 * 3 + 1
    )  # every fold of both repeats, then the final fit


def test_topic_sweep_reports_every_model():
    docs = ["torsk båt havet fisker garn"] * 4 + ["data skyen programvare digital lagrer"] * 4
    calls = []
    sweep_topics(
        docs,
        estimator=NmfTopics(analyzer=_simple, min_df=1, max_df=1.0),
        k_values=[2, 3],
        seeds=[0, 1],
        progress=lambda d, t: calls.append((d, t)),
    )
    assert calls == [(1, 4), (2, 4), (3, 4), (4, 4)]


def test_terminal_progress_draws_only_on_a_terminal():
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    tty = Terminal()
    with TerminalProgress("folds", stream=tty) as bar:
        for i in range(1, 6):
            bar(i, 5)
    assert "folds" in tty.getvalue() and "/5 [" in tty.getvalue()  # drawn (updates are throttled by tqdm)
    piped = io.StringIO()
    with TerminalProgress("folds", stream=piped) as bar:
        for i in range(1, 6):
            bar(i, 5)
    assert piped.getvalue() == "" and bar.calls == 5


def test_cli_train_and_tag_output_stays_clean_when_not_a_terminal(tmp_path):
    runner = CliRunner()
    coded = tmp_path / "coded.jsonl"
    write_jsonl(coded, synthetic_transcripts(n_groups=6, per_group=6))
    res = runner.invoke(
        app,
        [
            "train",
            str(coded),
            "--coder",
            "coder1",
            "--out",
            str(tmp_path / "m"),
            "--folds",
            "2",
            "--repeats",
            "1",
        ],
    )
    assert res.exit_code == 0, res.output
    assert not BAR.search(res.output), res.output
    files = []
    for i in range(3):
        files.append(tmp_path / f"t{i}.jsonl")
        files[-1].write_text('{"id": "a", "text": "vi deler kunnskap"}\n', encoding="utf-8")
    res = runner.invoke(
        app, ["tag", str(tmp_path / "m"), *map(str, files), "--out", str(tmp_path / "o.jsonl")]
    )
    assert res.exit_code == 0 and not BAR.search(res.output), res.output


def test_training_without_validation_reports_the_one_fit():
    calls = []
    train_from_units(
        synthetic_units(n_groups=4, per_group=4),
        coder="coder1",
        n_splits=0,
        curve=True,
        word_analyzer="surface",
        inner_folds=0,
        progress=lambda d, t: calls.append((d, t)),
    )
    assert calls == [(1, 1)]
