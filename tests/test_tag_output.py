"""What `nlp tag` writes: format from the extension, XLSX/CSV for Norwegian and Danish Excel, Word with comments,
the run's model and options on every record, and resuming only with the same model and options."""

import csv
import io
import json
import zipfile

import pytest
from test_tag import NEW, _write_texts
from typer.testing import CliRunner

from nlp.classify import read_tagged, tag_paths
from nlp.classify.output import check_resume, format_for, model_version, run_options, table_rows
from nlp.cli import app
from nlp.codebook import Code, Codebook
from nlp.errors import ConfigError

BOOK = Codebook(
    name="t",
    codes=(
        Code("knowledge_sharing", names={"nb": "Kunnskapsdeling", "da": "Videndeling"}),
        Code("competition", names={"da": "Konkurrence"}),
        Code("meeting_places"),
    ),
    polarity_labels={"driver": {"nb": "fremmende faktor"}, "barrier": {"da": "hæmmende faktor"}},
)


@pytest.mark.parametrize(
    "name, fmt, expected",
    [
        ("a.jsonl", None, "jsonl"),
        ("a.CSV", None, "csv"),
        ("a.xlsx", "xlsx", "xlsx"),
        ("a.docx", None, "docx"),
    ],
)
def test_format_follows_the_extension(name, fmt, expected):
    assert format_for(name, fmt) == expected


@pytest.mark.parametrize(
    "name, fmt, message",
    [
        ("a.xlsx", "jsonl", "does not match the file name a.xlsx"),
        ("a.txt", None, "cannot tell the output format"),
        ("a", "csv", "cannot tell the output format"),
    ],
)
def test_format_mismatch_is_an_error(name, fmt, message):
    with pytest.raises(ConfigError, match=message):
        format_for(name, fmt)


def test_table_has_labels_numbers_and_explanations(model):
    from nlp.classify import tag_units

    recs = tag_units(model, [{"id": "a", "text": NEW[0]}, {"id": "b", "text": NEW[1]}], explain_words=3)
    header, rows = table_rows(recs, codebook=BOOK)
    row = dict(zip(header, rows[0]))
    assert row["codes"] == "knowledge_sharing" and row["code labels"] == "Kunnskapsdeling"
    assert (
        dict(zip(header, rows[1]))["code labels"] == "Konkurrence"
    )  # the Danish name where only that exists
    assert row["polarity label"] == "fremmende faktor"
    assert isinstance(row["score:knowledge_sharing"], float)
    assert row["why"].startswith("knowledge_sharing: ") and row["model"] == model_version(model)
    assert header[-3:] == ["why", "model", "options"]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_explanations_survive_csv_and_xlsx(tmp_path, model, fmt):
    a = _write_texts(tmp_path / "a.jsonl", NEW)
    ref = tmp_path / "ref.jsonl"
    tag_paths(model, [a], ref, explain_words=3)
    out = tmp_path / f"out.{fmt}"
    tag_paths(model, [a], out, fmt=fmt, explain_words=3)
    assert read_tagged(out, fmt=fmt) == read_tagged(ref, fmt="jsonl")


def test_xlsx_is_made_for_reading(tmp_path, model):
    from openpyxl import load_workbook

    a = _write_texts(tmp_path / "a.jsonl", NEW)
    out = tmp_path / "out.xlsx"
    tag_paths(model, [a], out, fmt="xlsx", explain_words=2)
    ws = load_workbook(out).active
    header = [c.value for c in ws[1]]
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref == f"A1:{ws.cell(1, len(header)).column_letter}5"
    assert all(c.font.bold for c in ws[1])
    col = {name: i + 1 for i, name in enumerate(header)}
    text = ws.cell(2, col["text"])
    assert text.alignment.wrap_text and ws.column_dimensions[text.column_letter].width == 70
    score = ws.cell(2, col["score:knowledge_sharing"])
    assert isinstance(score.value, (int, float)) and score.number_format == "0.00"  # a number, not text
    assert ws.cell(2, col["why"]).value.startswith("knowledge_sharing: ")


def test_excel_csv_has_semicolons_bom_and_decimal_commas(tmp_path, model):
    a = _write_texts(tmp_path / "a.jsonl", NEW)
    out = tmp_path / "out.csv"
    tag_paths(model, [a], out, fmt="csv", excel=True)
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline=""), delimiter=";"))
    header = rows[0]
    assert header[:3] == ["id", "source", "start"] and len(rows) == 5
    assert all(len(r) == len(header) for r in rows)
    score = rows[1][header.index("score:knowledge_sharing")]
    assert "," in score and "." not in score
    back = read_tagged(out, fmt="csv")  # and it reads back (for resuming) with the same numbers
    assert [r["scores"] for r in back] == [
        r["scores"] for r in read_tagged(tag_paths(model, [a], tmp_path / "ref.jsonl").out, fmt="jsonl")
    ]


def test_docx_has_one_document_per_interview_with_comments(tmp_path, model):
    a = _write_texts(tmp_path / "a.jsonl", NEW[:2], "a")
    b = _write_texts(tmp_path / "b.jsonl", NEW[2:], "b")
    s = tag_paths(model, [a, b], tmp_path / "koder.docx", fmt="docx", explain_words=2)
    files = sorted(p.name for p in tmp_path.glob("koder*.docx"))
    assert files == ["koder-a.docx", "koder-b.docx"] and s.out.count(".docx") == 2
    with zipfile.ZipFile(tmp_path / "koder-a.docx") as z:
        body = z.read("word/document.xml").decode()
        comments = z.read("word/comments.xml").decode()
    assert NEW[0] in body and 'w:highlight w:val="yellow"' in body
    assert body.count("<w:commentRangeStart") == 2  # both segments carry codes or a polar polarity
    assert "knowledge_sharing" in comments and "why: knowledge_sharing" in comments
    assert f'w:author="{model_version(model)}"' in comments


def test_records_name_model_and_options_and_resume_checks_them(tmp_path, model):
    a = _write_texts(tmp_path / "a.jsonl", NEW)
    out = tmp_path / "out.jsonl"
    tag_paths(model, [a], out, explain_words=2)
    recs = read_tagged(out, fmt="jsonl")
    assert {r["model"] for r in recs} == {model_version(model)}
    assert {json.dumps(r["options"]) for r in recs} == {json.dumps(run_options(model, explain_words=2))}
    before = out.read_bytes()
    with pytest.raises(ConfigError, match=r"--explain 2; this run uses model .* --explain 0.*--overwrite"):
        tag_paths(model, [a], out)
    assert out.read_bytes() == before  # nothing changed by the refused run
    s = tag_paths(model, [a], out, resume=False)  # --overwrite
    assert s.tagged == 4 and "why" not in read_tagged(out, fmt="jsonl")[0]
    other = {**recs[0], "model": "auto-coder1-0000000000"}
    with pytest.raises(ConfigError, match="auto-coder1-0000000000"):
        check_resume([other], model=model, explain_words=2, path=out)
    with pytest.raises(ConfigError, match="did not record its model"):
        check_resume([{"id": "x", "source": "s"}], model=model, explain_words=0, path=out)


def test_cli_format_from_extension_mismatch_and_overwrite(tmp_path, model_dir):
    runner = CliRunner()
    inp = _write_texts(tmp_path / "new.jsonl", NEW)
    res = runner.invoke(app, ["tag", str(model_dir), str(inp), "--out", str(tmp_path / "o.xlsx")])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "o.xlsx").read_bytes()[:2] == b"PK"  # a workbook, not JSONL under an .xlsx name
    res = runner.invoke(
        app, ["tag", str(model_dir), str(inp), "--out", str(tmp_path / "o.xlsx"), "--format", "csv"]
    )
    assert res.exit_code != 0 and "does not match the file name o.xlsx" in str(res.exception)
    res = runner.invoke(app, ["tag", str(model_dir), str(inp), "--out", str(tmp_path / "o.jsonl"), "--excel"])
    assert res.exit_code != 0 and "--excel is for CSV" in str(res.exception)
    out = tmp_path / "t.jsonl"
    assert runner.invoke(app, ["tag", str(model_dir), str(inp), "--out", str(out)]).exit_code == 0
    res = runner.invoke(app, ["tag", str(model_dir), str(inp), "--out", str(out), "--abstain", "0.9"])
    assert (
        res.exit_code != 0 and "--abstain 0.9" in str(res.exception) and "--overwrite" in str(res.exception)
    )
    res = runner.invoke(
        app, ["tag", str(model_dir), str(inp), "--out", str(out), "--abstain", "0.9", "--overwrite"]
    )
    assert res.exit_code == 0, res.output
    assert {r["options"]["abstain"] for r in read_tagged(out, fmt="jsonl")} == {0.9}


def test_excel_csv_on_a_dask_cluster(tmp_path, model_dir):
    pytest.importorskip(
        "distributed", reason="NOTICE: the dask extra is not installed (pip install -e '.[dask]')."
    )
    inp = _write_texts(tmp_path / "new.jsonl", NEW)
    res = CliRunner().invoke(
        app, ["tag", str(model_dir), str(inp), "--out", str(tmp_path / "d.csv"), "--excel", "--workers", "1"]
    )
    assert res.exit_code == 0, res.output
    plain = CliRunner().invoke(
        app, ["tag", str(model_dir), str(inp), "--out", str(tmp_path / "p.csv"), "--excel"]
    )
    assert plain.exit_code == 0, plain.output
    assert (tmp_path / "d.csv").read_bytes() == (tmp_path / "p.csv").read_bytes()
    assert (tmp_path / "d.csv").read_text(encoding="utf-8-sig").startswith("id;source;start")
