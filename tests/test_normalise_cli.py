"""`nlp preprocess` end to end on tiny inputs (a JSONL corpus, a folder of transcripts, bad usage)."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from nlp.cli import app
from nlp.model import Segment, Transcript, read_jsonl, write_jsonl

runner = CliRunner()


def test_preprocess_jsonl_corpus(tmp_path):
    text = (
        "Eh, vi har liksom et godt samarbeid med [bedrift].\n\nVi samarbejder altså godt med virksomhederne."
    )
    t = Transcript(
        id="a", text=text, segments=(Segment(0, 50, kind="answer"), Segment(52, len(text), kind="answer"))
    )
    src, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    write_jsonl(src, [t])
    res = runner.invoke(app, ["preprocess", str(src), "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert "nb" in res.output and "da" in res.output and "fillers" in res.output
    (back,) = list(read_jsonl(out))
    assert [s.lang for s in back.segments] == ["nb", "da"]
    p = back.segments[0].meta["preprocess"]
    assert [text[a:b] for a, b in zip(p["starts"], p["ends"])][-2:] == ["[bedrift]", "."]
    assert p["flags"][0] == "f" and p["lemmas"][p["flags"].index("x")] == "[bedrift]"


def test_preprocess_folder_of_transcripts_reports_bad_files(tmp_path):
    folder = tmp_path / "interviews"
    folder.mkdir()
    (folder / "int1.txt").write_text(
        "I: Korleis har det gått?\n\nR: Eg veit ikkje, e, det har gått bra.\n", encoding="utf-8"
    )
    (folder / "broken.docx").write_bytes(b"not a zip")
    out = tmp_path / "out.jsonl"
    res = runner.invoke(app, ["preprocess", str(folder), "--out", str(out)])
    assert res.exit_code == 1
    assert "broken.docx" in res.output
    rec = json.loads(out.read_text(encoding="utf-8").splitlines()[0])
    assert rec["lang"] == "nn"


def test_preprocess_needs_exactly_one_input(tmp_path):
    res = runner.invoke(app, ["preprocess", "--out", str(tmp_path / "x.jsonl")])
    assert res.exit_code != 0
    res = runner.invoke(
        app, ["preprocess", str(tmp_path / "a.jsonl"), "--lang", "de", "--out", str(tmp_path / "x.jsonl")]
    )
    assert res.exit_code != 0
