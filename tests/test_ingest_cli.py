"""`nlp ingest`: summary table, JSONL output, bad files listed at the end with a non-zero exit status."""

from pathlib import Path

from typer.testing import CliRunner

from nlp.cli import app
from nlp.model import read_jsonl

DATA = Path(__file__).parent / "data" / "ingest"
runner = CliRunner()


def test_ingest_folder_with_a_bad_file(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    for name in ("nb_utf8.txt", "nn_cp1252.txt", "binary.txt", "voices.vtt"):
        (src / name).write_bytes((DATA / name).read_bytes())
    out = tmp_path / "corpus.jsonl"
    result = runner.invoke(app, ["ingest", str(src), "--out", str(out)])
    assert result.exit_code == 1, result.output
    assert "could not be read" in result.output and "binary.txt: this is a binary file" in result.output
    assert "cp1252" in result.output and "chars in" in result.output
    ts = list(read_jsonl(out))
    assert [t.id for t in ts] == ["nb_utf8", "nn_cp1252", "voices"]
    assert all(t.meta["chars_in"] >= t.meta["chars_kept"] > 0 for t in ts)


def test_ingest_options_reach_the_readers(tmp_path):
    out = tmp_path / "c.jsonl"
    result = runner.invoke(
        app,
        [
            "ingest",
            str(DATA / "initials.txt"),
            "--out",
            str(out),
            "--interviewer",
            "PL",
            "--include-interviewer",
        ],
    )
    assert result.exit_code == 0, result.output
    (t,) = read_jsonl(out)
    assert [s.kind for s in t.segments][:2] == ["answer", "question"]
    assert t.meta["include_interviewer"] is True
    assert t.meta["chars_analysis"] == sum(s.end - s.start for s in t.segments)
    result = runner.invoke(
        app, ["ingest", str(DATA / "turns.csv"), "--out", str(out), "--text-column", "nope"]
    )
    assert result.exit_code == 1 and "no column 'nope'" in result.output
    result = runner.invoke(app, ["ingest", str(DATA / "nb_utf8.txt"), "--out", str(out), "--kind", "word"])
    assert result.exit_code != 0
