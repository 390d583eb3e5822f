"""Bulk tagging: record schema, batch independence (for Dask), inputs, bad files, resume, formats, parallel, CLI."""

import json

import pytest
from autocode_synth import synthetic_rows, synthetic_transcripts
from typer.testing import CliRunner

from nlp.classify import load_coder, read_tagged, read_units, tag_paths, tag_units
from nlp.classify.output import model_version
from nlp.cli import app
from nlp.errors import InputError
from nlp.model import json_line, write_jsonl

ROWS = synthetic_rows()
NEW = [
    "Vi deler kunnskap med de andre, og det er en stor styrke.",
    "Konkurrentene er dessverre et problem.",
    "Vi mødes til seminarer og konferencer.",
    "Været er fint i dag.",
]


def _write_texts(path, texts, prefix="u"):
    path.write_text(
        "".join(
            json.dumps({"id": f"{prefix}{i}", "text": t, "lang": "nb"}, ensure_ascii=False) + "\n"
            for i, t in enumerate(texts)
        ),
        encoding="utf-8",
    )
    return path


def test_record_schema(model):
    rec = tag_units(
        model, [{"id": "a", "text": NEW[0], "source": "x.txt", "start": 10, "end": 68, "speaker": "I1"}]
    )[0]
    assert list(rec) == [
        "id",
        "source",
        "start",
        "end",
        "speaker",
        "text",
        "codes",
        "polarity",
        "scores",
        "model",
        "options",
    ]
    assert rec["model"] == model_version(model) and rec["options"] == {"abstain": 0.0, "explain": 0}
    assert rec["codes"] == ["knowledge_sharing"] and rec["polarity"] == "driver"
    assert (rec["start"], rec["end"], rec["speaker"], rec["source"]) == (10, 68, "I1", "x.txt")
    assert set(rec["scores"]) == set(model.classes_) | {
        "polarity:driver",
        "polarity:barrier",
        "polarity:neutral",
    }
    assert all(0.0 <= p <= 1.0 and round(p, 4) == p for p in rec["scores"].values())


def test_batches_give_byte_identical_records(model, model_dir):
    units = [{"id": str(i), "text": t} for i, t in enumerate(NEW * 5)]
    whole = "".join(json_line(r) for r in tag_units(model, units))
    parts = "".join(json_line(r) for k in range(0, len(units), 3) for r in tag_units(model, units[k : k + 3]))
    assert whole == parts
    # a freshly loaded model (empty caches) gives the same bytes
    assert whole == "".join(json_line(r) for r in tag_units(load_coder(model_dir), units[::-1])[::-1])


def test_reads_text_jsonl_and_transcript_jsonl(tmp_path):
    units = read_units(_write_texts(tmp_path / "a.jsonl", NEW))
    assert [u["id"] for u in units] == ["u0", "u1", "u2", "u3"] and units[0]["end"] == len(NEW[0])
    write_jsonl(tmp_path / "t.jsonl", synthetic_transcripts(n_groups=2, per_group=3))
    units = read_units(tmp_path / "t.jsonl")
    assert len(units) == 6 and units[1]["start"] > 0 and units[0]["speaker"] == "I" and units[0]["coded"]
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "a", "text": "ok"}\n{"id": "b", "tekst": "no"}\n')
    with pytest.raises(InputError, match=r"bad.jsonl, line 2: .*\"text\""):
        read_units(bad)
    bad.write_text('{"id": "a", "text": "ok"}\n\n{"id": "b", "text": \n')
    with pytest.raises(InputError, match=r"bad.jsonl, line 3: not valid JSON .*one JSON object per line"):
        read_units(bad)
    bad.write_text('["a list"]\n')
    with pytest.raises(InputError, match=r"bad.jsonl, line 1: a JSON list, not an object"):
        read_units(bad)
    bad.write_text('\n\n{"id": \n')  # the first non-blank line decides the format: its own number is named
    with pytest.raises(InputError, match=r"bad.jsonl, line 3: not valid JSON"):
        read_units(bad)


def test_bad_file_is_reported_and_others_tagged(tmp_path, model):
    d = tmp_path / "in"
    d.mkdir()
    _write_texts(d / "a.jsonl", NEW[:2], "a")
    (d / "b.jsonl").write_text("{not json\n")
    _write_texts(d / "c.jsonl", NEW[2:], "c")
    s = tag_paths(model, [d], tmp_path / "out.jsonl")
    assert s.files == 3 and s.tagged == 4 and len(s.errors) == 1 and "b.jsonl" in s.errors[0][1]
    ids = [r["id"] for r in read_tagged(tmp_path / "out.jsonl", fmt="jsonl")]
    assert ids == ["a0", "a1", "c0", "c1"]


def test_resume_skips_tagged_and_repairs_a_cut_last_line(tmp_path, model):
    a = _write_texts(tmp_path / "a.jsonl", NEW, "a")
    b = _write_texts(tmp_path / "b.jsonl", NEW[::-1], "b")
    ref = tmp_path / "ref.jsonl"
    tag_paths(model, [a, b], ref)
    out = tmp_path / "out.jsonl"
    tag_paths(model, [a], out)
    out.write_text(out.read_text() + ref.read_text().splitlines(keepends=True)[4][:30])  # a crash mid-line
    s = tag_paths(model, [a, b], out)
    assert s.skipped == 4 and s.tagged == 4
    assert out.read_bytes() == ref.read_bytes()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_csv_and_xlsx_round_trip(tmp_path, model, fmt):
    a = _write_texts(tmp_path / "a.jsonl", NEW)
    out = tmp_path / f"out.{fmt}"
    tag_paths(model, [a], out, fmt=fmt)
    back = read_tagged(out, fmt=fmt)
    ref = tag_units(model, read_units(a))
    assert [(r["id"], r["codes"], r["polarity"], r["scores"]) for r in back] == [
        (r["id"], r["codes"], r["polarity"], r["scores"]) for r in ref
    ]
    assert not list(tmp_path.glob(".*partial*"))
    s = tag_paths(model, [a], out, fmt=fmt)  # resume from the finished table: nothing new
    assert s.tagged == 0 and s.skipped == 4 and len(read_tagged(out, fmt=fmt)) == 4


def test_parallel_equals_serial(tmp_path, model, model_dir):
    files = [_write_texts(tmp_path / f"f{i}.jsonl", NEW[i:] + NEW[:i], f"f{i}") for i in range(3)]
    tag_paths(model, files, tmp_path / "serial.jsonl")
    tag_paths(model, files, tmp_path / "par.jsonl", n_jobs=2, model_path=model_dir)
    assert (tmp_path / "serial.jsonl").read_bytes() == (tmp_path / "par.jsonl").read_bytes()


def test_cli_train_tag_suggest(tmp_path):
    runner = CliRunner()
    coded = tmp_path / "coded.jsonl"
    write_jsonl(coded, synthetic_transcripts())
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
            "3",
            "--repeats",
            "1",
            "--no-curve",
        ],
    )
    assert res.exit_code == 0, res.output
    assert "polarity" in res.output and "kappa" in res.output
    meta = json.loads((tmp_path / "m" / "meta.json").read_text())
    assert meta["training"]["coder"] == "coder1" and "cross_validation" in meta
    pm = meta["training"]["polarity_model"]
    assert pm["chosen_by_inner_cv"] is True and isinstance(pm["sentence_pooling"], bool)
    assert f"polarity model: C {pm['C']:g}" in res.output and "(chosen in inner grouped CV)" in res.output
    inp = _write_texts(tmp_path / "new.jsonl", NEW)
    res = runner.invoke(
        app, ["tag", str(tmp_path / "m"), str(inp), "--out", str(tmp_path / "o.csv"), "--format", "csv"]
    )
    assert res.exit_code == 0, res.output
    assert "tagged 4 segments" in res.output
    res = runner.invoke(app, ["suggest", str(tmp_path / "m"), str(inp), "--n", "2"])
    assert res.exit_code == 0 and len(res.output.strip().splitlines()) == 2


def test_resume_reads_back_texts_with_unicode_line_separators(tmp_path):
    from nlp.classify.tag import read_tagged
    from nlp.model import json_line

    recs = [
        {"id": "a", "source": "s", "text": "linje\u2028to\x85tre", "codes": []},
        {"id": "b", "source": "s", "text": "ok", "codes": []},
    ]
    out = tmp_path / "out.jsonl"
    out.write_text("".join(json_line(r) for r in recs), encoding="utf-8")
    assert read_tagged(out, fmt="jsonl") == recs
    with out.open("a", encoding="utf-8") as fh:
        fh.write('{"id": "c", "sou')  # the cut-off last line of an interrupted run
    assert read_tagged(out, fmt="jsonl") == recs


def test_tagging_again_with_warm_caches_gives_the_same_records_and_restores_the_collector(tmp_path, model):
    """The word caches (lemmas, flags, language scores, n-gram columns, cue starts) only save time: a folder of
    transcripts tagged twice in one process gives the same bytes, and the same records as its units one by one."""
    import gc

    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(3):
        turns = [f"{'I' if k % 3 == 0 else 'R'}: {NEW[(i + k) % len(NEW)]} ({i}.{k})" for k in range(9)]
        (folder / f"intervju{i}.txt").write_text("\n\n".join(turns) + "\n", encoding="utf-8")
    before = (gc.isenabled(), gc.get_threshold(), gc.get_freeze_count())
    first = tag_paths(model, [folder], tmp_path / "a.jsonl", resume=False)
    assert (gc.isenabled(), gc.get_threshold(), gc.get_freeze_count()) == before
    tag_paths(model, [folder], tmp_path / "b.jsonl", resume=False)
    # 9 interviewer turns listed with the reason they are left uncoded, 18 informant turns tagged
    assert first.tagged == 27 and first.not_content == {"interviewer turn": 9} and not first.errors
    assert (tmp_path / "a.jsonl").read_bytes() == (tmp_path / "b.jsonl").read_bytes()
    units = [u for f in sorted(folder.iterdir()) for u in read_units(f)]
    one_by_one = "".join(json_line(tag_units(model, [u])[0]) for u in units)
    assert (tmp_path / "a.jsonl").read_text(encoding="utf-8") == one_by_one
