"""Hostile and broken input files: each is one file's error (named, with a fix), the good files are still read, and
every verb that reads files has the same reading options and exits 1 when it left a file out."""

import json

import pytest
from typer.testing import CliRunner

import nlp.ingest
from nlp.classify import read_tagged, read_units, tag_paths
from nlp.cli import app
from nlp.cli.reading import DEFAULT_MAX_MB
from nlp.errors import InputError
from nlp.ingest import DEFAULT_MAX_BYTES, ingest_paths
from nlp.model import read_jsonl

runner = CliRunner()
DEPTH = 200_000  # far beyond any parser's recursion limit


def _folder(tmp_path):
    """Good files beside a deeply nested JSONL file (a text line, then a row file)."""
    d = tmp_path / "in"
    d.mkdir()
    (d / "a_good.txt").write_text(
        "I: Hvordan samarbeider dere?\nR: Vi deler kunnskap i klyngen.\n", encoding="utf-8"
    )
    (d / "b_deep.jsonl").write_text("[" * DEPTH + "]" * DEPTH + "\n", encoding="utf-8")
    (d / "c_deep_row.jsonl").write_text(
        json.dumps({"id": "x", "text": "ok"})
        + "\n"
        + '{"id": "y", "text": '
        + "[" * DEPTH
        + "]" * DEPTH
        + "}\n",
        encoding="utf-8",
    )
    (d / "d_good.jsonl").write_text(
        json.dumps({"id": "d1", "text": "Konkurrentene er et problem."}) + "\n", encoding="utf-8"
    )
    return d


def test_deeply_nested_json_is_a_per_file_error(tmp_path):
    d = _folder(tmp_path)
    with pytest.raises(InputError, match=r"b_deep.jsonl, line 1: JSON nested too deeply"):
        read_units(d / "b_deep.jsonl")
    with pytest.raises(InputError, match=r"c_deep_row.jsonl, line 2: JSON nested too deeply"):
        read_units(d / "c_deep_row.jsonl")
    result = ingest_paths([d])
    assert [t.id for t in result.transcripts] == ["a_good", "d_good"]
    assert sorted(p.rsplit("/", 1)[-1] for p, _ in result.errors) == ["b_deep.jsonl", "c_deep_row.jsonl"]
    assert all("nested too deeply" in m and "Fix:" in m for _, m in result.errors)


def test_ingest_and_tag_cli_keep_the_good_files_and_exit_1(tmp_path, model_dir):
    d = _folder(tmp_path)
    out = tmp_path / "corpus.jsonl"
    res = runner.invoke(app, ["ingest", str(d), "--out", str(out)])
    assert res.exit_code == 1, res.output
    assert [t.id for t in read_jsonl(out)] == ["a_good", "d_good"]
    assert "2 file(s) could not be read" in res.output and "Traceback" not in res.output
    tagged = tmp_path / "tagged.jsonl"
    res = runner.invoke(app, ["tag", str(model_dir), str(d), "--out", str(tagged)])
    assert res.exit_code == 1, res.output
    assert (
        "b_deep.jsonl" in res.output
        and "c_deep_row.jsonl" in res.output
        and "nested too deeply" in res.output
    )
    records = {r["id"]: r for r in read_tagged(tagged, fmt="jsonl")}
    assert set(records) == {"a_good:0001", "a_good:0002", "d1"}  # both turns of a_good and the good line
    assert records["a_good:0001"]["not_content"] == "interviewer turn" and not records["a_good:0001"]["codes"]
    res = runner.invoke(app, ["suggest", str(model_dir), str(d), "--n", "2"])
    assert res.exit_code == 1 and "could not be read" in res.output


def test_any_exception_of_a_reader_is_that_files_error(tmp_path, monkeypatch):
    d = tmp_path / "in"
    d.mkdir()
    for name in ("a.txt", "b.txt", "c.txt"):
        (d / name).write_text("I: Hei?\nR: Hei.\n", encoding="utf-8")
    real = nlp.ingest.read_path

    def fragile(path, **options):
        if path.name == "b.txt":
            raise KeyError("a parser bug")
        return real(path, **options)

    monkeypatch.setattr(nlp.ingest, "read_path", fragile)
    result = ingest_paths([d])
    assert [t.id for t in result.transcripts] == ["a", "c"]
    ((path, msg),) = result.errors
    assert path.endswith("b.txt") and "cannot be read (KeyError" in msg and "Fix:" in msg


def test_tag_reads_with_the_reading_options(tmp_path, model):
    big = tmp_path / "big.jsonl"
    big.write_text(
        "".join(json.dumps({"id": f"u{i}", "text": "Vi deler kunnskap. " * 40}) + "\n" for i in range(30)),
        encoding="utf-8",
    )
    s = tag_paths(model, [big], tmp_path / "o.jsonl", read_options={"max_bytes": 1000})
    ((_path, msg),) = s.errors
    assert "over the 0 MB limit" in msg and "--max-mb" in msg and s.tagged == 0
    s = tag_paths(model, [big], tmp_path / "o.jsonl", read_options={"max_bytes": 10_000_000})
    assert not s.errors and s.tagged == 30
    table = tmp_path / "rows.csv"
    table.write_text("taler;ytring_x\nKari;Vi deler kunnskap.\n", encoding="utf-8")
    with pytest.raises(InputError, match="no text column"):
        read_units(table)
    assert [u["text"] for u in read_units(table, text_column="ytring_x")] == ["Vi deler kunnskap."]


@pytest.mark.parametrize(
    "verb", ["ingest", "preprocess", "tag", "suggest", "pseudonymise", "topics", "train", "compare", "export"]
)
def test_every_verb_that_reads_files_has_the_same_reading_options(verb):
    res = runner.invoke(app, [verb, "--help"], env={"COLUMNS": "200"})
    assert res.exit_code == 0
    for option in ("--max-mb", "--encoding", "--kind", "--text-column", "--speaker-column", "--interviewer"):
        assert option in res.output, (verb, option)


@pytest.mark.parametrize("verb", ["compare", "train", "export"])
def test_verbs_reading_project_files_take_the_size_cap(verb, tmp_path):
    res = runner.invoke(app, [verb, "--help"], env={"COLUMNS": "200"})
    assert "--max-mb" in res.output
    assert DEFAULT_MAX_MB * 1024 * 1024 == DEFAULT_MAX_BYTES
    coded = (
        tmp_path / "big.txt"
    )  # transcript JSONL is streamed uncapped; every other file goes through ingest
    coded.write_text("I: Hei?\nR: " + "Vi deler kunnskap. " * 120_000 + "\n", encoding="utf-8")
    args = {
        "compare": ["compare", str(coded), str(coded), "--unit", "segment"],
        "train": ["train", str(coded), "--coder", "c", "--out", str(tmp_path / "m")],
        "export": ["export", str(coded), "--out", str(tmp_path / "p.qdpx")],
    }[verb]
    res = runner.invoke(app, [*args, "--max-mb", "1"])
    assert res.exit_code != 0 and "over the 1 MB limit" in str(res.exception), res.output


def test_cli_max_mb_reaches_tag_and_pseudonymise(tmp_path, model_dir):
    f = tmp_path / "i.txt"
    f.write_text(
        "I: Hvordan går det?\nR: " + "Vi deler kunnskap med Kari Hansen. " * 40000 + "\n", encoding="utf-8"
    )
    res = runner.invoke(
        app, ["tag", str(model_dir), str(f), "--out", str(tmp_path / "t.jsonl"), "--max-mb", "1"]
    )
    assert res.exit_code == 1 and "--max-mb 2" in res.output
    res = runner.invoke(
        app, ["tag", str(model_dir), str(f), "--out", str(tmp_path / "t.jsonl"), "--max-mb", "2"]
    )
    assert res.exit_code == 0, res.output
    res = runner.invoke(app, ["pseudonymise", str(f), "--out", str(tmp_path / "p"), "--max-mb", "1"])
    assert res.exit_code == 1 and "over the 1 MB limit" in res.output
