"""nlp.cli.inputs: one way for every verb to read --corpus NAME or INPUT files."""

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from nlp.cli import app
from nlp.cli.inputs import is_transcript_jsonl, read_inputs, read_paths
from nlp.corpora import load
from nlp.errors import ConfigError
from nlp.model import Segment, Transcript, write_jsonl

DATA = Path(__file__).parent / "data" / "ingest"


def test_exactly_one_of_corpus_and_paths(tmp_path):
    for corpus, paths in ((None, []), ("klynger", [tmp_path])):
        with pytest.raises(ConfigError, match="either INPUT or --corpus") as err:
            read_inputs(corpus, paths, example="nlp topics --corpus klynger --out o")
        assert "nlp topics --corpus klynger --out o" in str(err.value)


def test_a_corpus_comes_with_its_codebook():
    source = read_inputs("klynger", [], example="-")
    corpus = load("klynger")
    assert list(source.transcripts) == list(corpus.transcripts)
    assert source.codebook == corpus.codebook and source.label == "corpus klynger" and source.errors == []


def test_transcript_jsonl_is_streamed_and_rows_are_ingested(tmp_path):
    t = Transcript(id="t1", text="Vi deler kunnskap.", segments=(Segment(0, 18, speaker="R", kind="answer"),))
    write_jsonl(tmp_path / "corpus.jsonl", [t])
    rows = tmp_path / "rows.jsonl"
    rows.write_text(json.dumps({"id": "r1", "text": "Konkurranse er bra."}) + "\n", encoding="utf-8")
    assert is_transcript_jsonl(tmp_path / "corpus.jsonl") and not is_transcript_jsonl(rows)
    source = read_paths([rows, tmp_path / "corpus.jsonl"])
    assert iter(source.transcripts) is source.transcripts  # a stream, not a list
    got = list(source.transcripts)
    assert got[0] == t  # transcript JSONL first, exactly as written
    assert got[1].text.startswith("Konkurranse er bra.") and len(got) == 2


def test_one_bad_file_is_reported_and_the_others_read(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(DATA / "nb_utf8.txt", folder / "a.txt")
    shutil.copy(DATA / "binary.txt", folder / "b.txt")
    source = read_paths([folder])
    assert [Path(t.source).name for t in source.transcripts] == ["a.txt"]
    assert len(source.errors) == 1 and "b.txt" in source.errors[0][0] and "binary" in source.errors[0][1]


# (nlp train takes both: the corpus is the prior, the files are the researcher's own coding; issue 18)
@pytest.mark.parametrize(
    "verb", [["preprocess", "--out", "o.jsonl"], ["topics", "--out", "o"], ["export", "--out", "p.qdpx"]]
)
def test_every_verb_refuses_corpus_and_input_together(verb, tmp_path):
    result = CliRunner().invoke(app, [*verb, str(DATA / "nb_utf8.txt"), "--corpus", "klynger"])
    assert result.exit_code != 0
    assert "either INPUT or --corpus" in str(result.exception)


def test_train_with_corpus_and_files_without_the_coders_coding_is_an_error(tmp_path):
    result = CliRunner().invoke(
        app,
        [
            "train",
            "--coder",
            "coder1",
            "--out",
            str(tmp_path / "m"),
            str(DATA / "nb_utf8.txt"),
            "--corpus",
            "klynger",
        ],
    )
    assert result.exit_code != 0
    assert "no units coded by 'coder1'" in str(result.exception)
