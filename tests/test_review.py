"""Machine codes to a person who decides: REFI-QDA export of tag output, the decision log, the review server's
guards, and decisions used by `nlp train` and `nlp compare`."""

import http.client
import json
import os
from pathlib import Path

import pytest
from test_review_browser import INTERVIEWS
from typer.testing import CliRunner

from nlp.classify import tag_paths
from nlp.cli import app
from nlp.errors import ConfigError, InputError
from nlp.ingest import read_path
from nlp.model import CodeSpan, write_jsonl
from nlp.refi import read_qdpx_project
from nlp.review import (
    DecisionLog,
    ReviewServer,
    attach_machine_codes,
    decisions_path,
    interview_order,
    read_events,
    read_tag_output,
    replay,
    review_summary,
    reviewed_transcripts,
    reviewed_units,
    uncertainty_order,
)


@pytest.fixture()
def project(tmp_path, model):
    """A project folder: two interviews, their ingested transcripts (one human coding added), the tag output."""
    (tmp_path / "int").mkdir()
    for name, text in INTERVIEWS.items():
        (tmp_path / "int" / name).write_text(text, encoding="utf-8")
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        transcripts = [t for name in sorted(INTERVIEWS) for t in read_path(Path("int") / name)]
        seg = transcripts[0].analysis_segments()[0]
        transcripts[0] = transcripts[0].with_codes(
            [CodeSpan("knowledge_sharing", seg.start, seg.end, coder="kari")]
        )
        write_jsonl("corpus.jsonl", transcripts)
        tag_paths(model, [Path("corpus.jsonl")], Path("tagged.jsonl"), explain_words=2)
    finally:
        os.chdir(cwd)
    return tmp_path


def _tag_and_transcripts(project):
    from nlp.model import read_jsonl

    return read_tag_output(project / "tagged.jsonl"), list(read_jsonl(project / "corpus.jsonl"))


# -- 1. REFI-QDA --------------------------------------------------------------------------------------------------
def test_export_of_tag_output_lands_every_coding_on_the_tagged_text(project, model):
    from nlp.classify.output import model_version

    out = project / "review.qdpx"
    res = CliRunner().invoke(
        app,
        [
            "export",
            str(project / "tagged.jsonl"),
            "--transcripts",
            str(project / "corpus.jsonl"),
            "--out",
            str(out),
        ],
    )
    assert res.exit_code == 0, res.output
    records, _ = _tag_and_transcripts(project)
    imported = read_qdpx_project(out)  # the project's own reader
    version = model_version(model)
    assert set(imported.users.values()) == {"kari", version}
    texts = {t.id: t for t in imported.transcripts}
    machine = [
        (t.text[c.start : c.end], c.code, c.confidence)
        for t in imported.transcripts
        for c in t.codes
        if c.coder == version
    ]
    expected = [
        (r["text"], c, r["scores"][c])
        for r in records
        for c in [*r["codes"], *(["polarity:" + r["polarity"]] if r["polarity"] else [])]
    ]
    content = [r for r in records if "not_content" not in r]  # interviewer turns are listed, left uncoded
    assert [r["not_content"] for r in records if "not_content" in r] == ["interviewer turn"] * 5
    assert sorted(machine) == sorted(expected) and len(expected) >= len(content)
    assert all(c.source == "auto" for t in imported.transcripts for c in t.codes if c.coder == version)
    human = [
        (t.id, t.text[c.start : c.end]) for t in imported.transcripts for c in t.codes if c.coder == "kari"
    ]
    assert human == [("intervju1", content[0]["text"])]  # beside the human coding, which stays human
    assert next(c for t in texts.values() for c in t.codes if c.coder == "kari").source == "human"
    used = {r["polarity"] for r in records if r["polarity"]}
    assert used and used <= set(imported.codebook.polarity)  # polarity came back as the Polarity code group


def test_export_with_the_review_beside_the_machine(project):
    log = DecisionLog(project / "tagged.jsonl", reviewer="ola")
    r0, r1 = log.records[:2]
    log.append({"action": "done", "source": r0["source"], "id": r0["id"]})
    log.append({"action": "reject", "source": r1["source"], "id": r1["id"], "code": r1["codes"][0]})
    log.append({"action": "polarity", "source": r1["source"], "id": r1["id"], "value": "neutral"})
    out = project / "reviewed.qdpx"
    res = CliRunner().invoke(
        app,
        [
            "export",
            str(project / "tagged.jsonl"),
            "--transcripts",
            str(project / "corpus.jsonl"),
            "--decisions",
            str(log.path),
            "--out",
            str(out),
        ],
    )
    assert res.exit_code == 0, res.output
    ola = sorted(
        (t.text[c.start : c.end], c.code, c.source)
        for t in read_qdpx_project(out).transcripts
        for c in t.codes
        if c.coder == "ola"
    )
    assert ola == sorted(
        [(r0["text"], c, "human") for c in [*r0["codes"], "polarity:" + r0["polarity"]]]
        + [(r1["text"], "polarity:neutral", "human")]
    )
    res = CliRunner().invoke(
        app,
        [
            "export",
            str(project / "tagged.jsonl"),
            "--transcripts",
            str(project / "corpus.jsonl"),
            "--decisions",
            str(project / "corpus.jsonl"),
            "--out",
            str(out),
        ],
    )
    assert res.exit_code != 0 and "not an `nlp review` decision log" in str(res.exception)


def test_export_reads_the_sources_again_and_refuses_other_transcripts(project):
    runner = CliRunner()
    cwd = os.getcwd()
    os.chdir(project)
    try:  # without --transcripts: the sources named in the tag output (corpus.jsonl here)
        res = runner.invoke(app, ["export", "tagged.jsonl", "--out", "a.qdpx", "--model-name", "maskin"])
        assert res.exit_code == 0, res.output
        assert "by 1 users (maskin)" in res.output  # the .txt files hold no human coding; corpus.jsonl does
        res = runner.invoke(
            app, ["export", "tagged.jsonl", "--transcripts", "int/intervju2.txt", "--out", "b.qdpx"]
        )
        assert res.exit_code != 0 and "not the transcripts it was tagged from" in str(res.exception)
        assert not Path("b.qdpx").exists()
        res = runner.invoke(app, ["export", "--help"])
        assert "nlp autocode" not in res.output and "nlp tag" in res.output
    finally:
        os.chdir(cwd)


def test_attach_checks_text_at_offsets(project):
    records, transcripts = _tag_and_transcripts(project)
    moved = [{**records[0], "start": records[0]["start"] + 1, "end": records[0]["end"] + 1}]
    with pytest.raises(InputError, match="not the transcripts it was tagged from"):
        attach_machine_codes(moved, transcripts)


# -- 2. decisions ---------------------------------------------------------------------------------------------------
def test_decisions_replay_undo_and_reviewed_units(project):
    log = DecisionLog(project / "tagged.jsonl", reviewer="kari")
    assert log.path == decisions_path(project / "tagged.jsonl") == project / "tagged.review.jsonl"
    r0, r1, r2 = log.records[:3]
    log.append({"action": "accept", "source": r0["source"], "id": r0["id"], "code": r0["codes"][0]})
    log.append(
        {"action": "accept", "source": r0["source"], "id": r0["id"], "code": "polarity:" + r0["polarity"]}
    )
    log.append({"action": "reject", "source": r1["source"], "id": r1["id"], "code": r1["codes"][0]})
    log.append({"action": "add", "source": r1["source"], "id": r1["id"], "code": "meeting_places"})
    log.append({"action": "polarity", "source": r1["source"], "id": r1["id"], "value": "neutral"})
    log.append({"action": "done", "source": r2["source"], "id": r2["id"]})
    undone = log.undo_last()
    assert undone["undoes"] == log.events[-2]["seq"]
    events = read_events(log.path)  # on disk, as appended
    assert [e["seq"] for e in events] == list(range(1, 9)) and events == log.events
    state = replay(events)
    assert (r2["source"], r2["id"]) not in state  # its only decision was undone
    units = reviewed_units(log.records, events)
    assert [(u.id, sorted(u.codes["kari"])) for u in units] == [
        (r0["id"], sorted([*r0["codes"], "polarity:" + r0["polarity"]])),
        (r1["id"], ["meeting_places", "polarity:neutral"]),
    ]
    assert units[0].group == r0["source"]
    s = review_summary(log.records, events)
    assert s["codes"][r1["codes"][0]]["rejected"] == 1 and s["codes"]["meeting_places"]["added"] == 1
    with pytest.raises(InputError, match="no segment"):
        log.append({"action": "done", "source": "x", "id": "y"})
    with pytest.raises(InputError, match="needs a code"):
        log.append({"action": "accept", "source": r0["source"], "id": r0["id"]})


def test_a_cut_last_line_is_repaired_and_another_model_refused(project):
    log = DecisionLog(project / "tagged.jsonl", reviewer="kari")
    r0 = log.records[0]
    log.append({"action": "done", "source": r0["source"], "id": r0["id"]})
    with log.path.open("a", encoding="utf-8") as fh:
        fh.write('{"seq": 3, "action": "acc')  # the machine died mid-write
    again = DecisionLog(project / "tagged.jsonl", reviewer="kari")
    assert [e["action"] for e in again.events] == ["open", "done", "open"]
    assert log.path.read_text(encoding="utf-8").endswith("\n")
    tagged = project / "tagged.jsonl"
    lines = [json.loads(x) for x in tagged.read_text(encoding="utf-8").splitlines()]
    tagged.write_text("".join(json.dumps({**r, "model": "auto-other-0000000000"}) + "\n" for r in lines))
    with pytest.raises(ConfigError, match="auto-other-0000000000"):
        DecisionLog(tagged, reviewer="kari")
    with pytest.raises(ConfigError, match="reviewer"):
        DecisionLog(tagged, reviewer=" ")


def test_orders(project):
    records, _ = _tag_and_transcripts(project)
    shuffled = records[::-1]  # interviews in order of first appearance, each by position in its text
    assert [shuffled[i]["id"] for i in interview_order(shuffled)] == [
        r["id"] for r in records if r["source"].endswith("2.txt")
    ] + [r["id"] for r in records if r["source"].endswith("1.txt")]
    unc = uncertainty_order(records)
    assert sorted(unc) == list(range(len(records)))
    doubt = [
        {**r, "scores": {**r["scores"], "competition": 0.5}} if i == 3 else r for i, r in enumerate(records)
    ]
    assert uncertainty_order(doubt)[0] == 3  # a code probability at 0.5 is the most uncertain


def test_uncertainty_order_with_the_model_is_suggests_order(project, model):
    from nlp.classify import suggest

    records, _ = _tag_and_transcripts(project)
    picks = suggest(model, [{"id": i, "text": r["text"]} for i, r in enumerate(records)], n=len(records))
    order = uncertainty_order(records, model)
    assert order[: len(picks)] == [int(p["id"]) for p in picks] and sorted(order) == list(range(len(records)))


def test_read_tag_output_refuses_other_files(project):
    with pytest.raises(InputError, match=r"corpus.jsonl, line 1: not a record of `nlp tag` output"):
        read_tag_output(project / "corpus.jsonl")
    with pytest.raises(InputError, match="not a tag output"):
        read_tag_output(project / "int" / "intervju1.txt")


@pytest.fixture()
def server(project):
    cwd = os.getcwd()
    os.chdir(project)
    try:
        srv = ReviewServer(DecisionLog(Path("tagged.jsonl"), reviewer="kari")).start()
    finally:
        os.chdir(cwd)
    yield srv
    srv.shutdown()


def _request(srv, method, path, *, token=True, host=None, origin=None, body=None, ctype="application/json"):
    conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=10)
    headers = {"Host": host or f"127.0.0.1:{srv.port}"}
    if token:
        headers["X-Review-Token"] = srv.token if token is True else token
    if origin:
        headers["Origin"] = origin
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = ctype
    conn.request(method, path, body=data, headers=headers)
    res = conn.getresponse()
    out = res.status, res.read(), dict(res.getheaders())
    conn.close()
    return out


def test_server_guards(server, project):
    own = f"http://127.0.0.1:{server.port}"
    assert server.httpd.server_address[0] == "127.0.0.1"
    status, page, headers = _request(server, "GET", "/")
    assert status == 200 and b"<script nonce=" in page
    assert (
        "default-src 'none'" in headers["Content-Security-Policy"] and headers["Cache-Control"] == "no-store"
    )
    assert (
        b"http://" not in page.replace(b"http://127.0.0.1", b"") and b"https://" not in page
    )  # nothing external
    assert _request(server, "GET", "/", token=False)[0] == 403
    assert _request(server, "GET", f"/?token={server.token}")[0] == 200
    assert _request(server, "GET", "/api/state", token="x" * len(server.token))[0] == 403
    assert (
        _request(server, "GET", "/api/state", host=f"evil.example:{server.port}")[0] == 403
    )  # DNS rebinding
    assert _request(server, "GET", "/api/state", origin="http://evil.example")[0] == 403
    decision = {"action": "done", "i": 0}
    assert _request(server, "POST", "/api/decide", origin="http://evil.example", body=decision)[0] == 403
    assert (
        _request(server, "POST", "/api/decide", body=decision)[0] == 403
    )  # a POST must say where it comes from
    assert _request(server, "POST", "/api/decide", origin=own, body=decision, ctype="text/plain")[0] == 415
    for path in (
        "/../corpus.jsonl",
        "/int/intervju1.txt",
        "/api/state/../../tagged.jsonl",
        "/etc/passwd",
        "/tagged.review.jsonl",
    ):
        status, body, _ = _request(server, "GET", path)
        assert status == 404 and b"Hvordan" not in body and b"seq" not in body
    assert _request(server, "PUT", "/api/decide", origin=own, body=decision)[0] == 405
    assert len(read_events(project / "tagged.review.jsonl")) == 1  # only the open event: nothing got through
    status, body, _ = _request(server, "POST", "/api/decide", origin=own, body=decision)
    assert status == 200 and json.loads(body)["event"]["action"] == "done"
    assert [e["action"] for e in read_events(project / "tagged.review.jsonl")] == ["open", "done"]
    status, body, _ = _request(server, "POST", "/api/decide", origin=own, body={"action": "launch", "i": 0})
    assert status == 400 and b"unknown review action" in body
    status, body, _ = _request(server, "GET", "/api/context?i=0")
    ctx = json.loads(body)
    assert status == 200 and ctx["from"] == "transcript" and ctx["before"][-1]["kind"] == "question"
    status, body, _ = _request(server, "GET", "/api/interview?i=0")
    iv = json.loads(body)
    assert status == 200 and [t["kind"] for t in iv["turns"]] == ["question", "answer"] * 3
    assert [t["i"] for t in iv["turns"]] == [None, 0, None, 1, None, 2]
    assert _request(server, "GET", "/api/interview?i=99")[0] == 404
    assert _request(server, "GET", "/api/interview?i=../../etc/passwd")[0] == 400


def test_reopening_continues_where_the_reviewer_stopped(project):
    log = DecisionLog(project / "tagged.jsonl", reviewer="kari")
    for r in log.records[:2]:
        log.append({"action": "done", "source": r["source"], "id": r["id"]})
    srv = ReviewServer(DecisionLog(project / "tagged.jsonl", reviewer="kari"))
    try:
        assert srv.position() == 2
        r = log.records[2]
        srv.log.append({"action": "reject", "source": r["source"], "id": r["id"], "code": r["codes"][0]})
        assert srv.position() == 2  # half done: stay on it
    finally:
        srv.httpd.server_close()


# -- train and compare on decisions -------------------------------------------------------------------------------
def test_train_and_compare_read_decisions(project):
    log = DecisionLog(project / "tagged.jsonl", reviewer="kari")
    records = log.records
    for i, r in enumerate(records):
        if i == 1:  # reject the machine's code here; accept everything elsewhere
            log.append({"action": "reject", "source": r["source"], "id": r["id"], "code": r["codes"][0]})
        log.append({"action": "done", "source": r["source"], "id": r["id"]})
    rejected = records[1]["codes"][0]
    proposed = sum(rejected in r["codes"] for r in records)
    transcripts = reviewed_transcripts(records, log.events)
    assert sum(len(t.segments) for t in transcripts) == len(records)
    assert all(
        t.text[s.start : s.end] == r["text"]
        for t in transcripts
        for s in t.segments
        for r in records
        if r["id"] == s.id
    )
    runner = CliRunner()
    res = runner.invoke(
        app,
        [
            "compare",
            str(log.path),
            "--unit",
            "segment",
            "--n-boot",
            "20",
            "--out",
            str(project / "agreement"),
        ],
    )
    assert res.exit_code == 0, res.output
    assert "kari vs auto-" in res.output
    per_code = {row["code"]: row for row in _csv(project / "agreement" / "per_code.csv")}
    assert float(per_code[rejected]["precision"]) == pytest.approx(
        (proposed - 1) / proposed
    )  # the accept rate
    res = runner.invoke(app, ["review", str(project / "tagged.jsonl"), "--reviewer", "kari", "--summary"])
    assert res.exit_code == 0 and f"{len(records)} reviewed" in res.output
    assert "not in the review, not interview content: 5 segments (5 interviewer turn)" in res.output
    res = runner.invoke(
        app, ["train", str(log.path), "--coder", "kari", "--out", str(project / "m"), "--folds", "0"]
    )
    assert res.exit_code == 0, res.output
    meta = json.loads((project / "m" / "meta.json").read_text())
    assert meta["training"]["coder"] == "kari" and meta["training"]["units"] == len(records)


def test_text_jsonl_records_compare_one_by_one(tmp_path, model):
    from test_tag import NEW, _write_texts

    a = _write_texts(tmp_path / "a.jsonl", NEW)
    tag_paths(model, [a], tmp_path / "tagged.jsonl")
    log = DecisionLog(tmp_path / "tagged.jsonl", reviewer="kari")
    for r in log.records:
        log.append({"action": "done", "source": r["source"], "id": r["id"]})
    ts = reviewed_transcripts(log.records, log.events)  # every record starts at 0: one transcript each
    assert sorted(t.text for t in ts) == sorted(NEW) and {t.meta["group"] for t in ts} == {str(a)}
    assert all(t.text[c.start : c.end] == t.text for t in ts for c in t.codes)
    res = CliRunner().invoke(app, ["compare", str(log.path), "--unit", "segment", "--n-boot", "10"])
    assert res.exit_code == 0, res.output
    assert "Agreement was measured on 4 segments" in res.output


def _csv(path):
    import csv

    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def test_compare_reads_tag_output_in_any_of_its_formats(project, model):
    cwd = os.getcwd()
    os.chdir(project)
    try:
        tag_paths(model, [Path("corpus.jsonl")], Path("tagged.xlsx"), fmt="xlsx")
        res = CliRunner().invoke(
            app, ["compare", "corpus.jsonl", "tagged.xlsx", "--unit", "segment", "--n-boot", "10"]
        )
    finally:
        os.chdir(cwd)
    assert res.exit_code == 0, res.output
    assert "kari vs tagged" in res.output
