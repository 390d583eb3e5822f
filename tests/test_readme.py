"""The README's commands: every `nlp ...` line it shows names a real verb and real options, and the cheap ones run.

The command lines are read from README.md (indented or fenced lines, table cells and inline code starting with
``nlp ``). The runnable ones are run verbatim (optional ``[...]`` parts left out) in a fresh folder holding the
small inputs they name, so what the README tells a new user to type works.
"""

from __future__ import annotations

import json
import re
import shlex
import shutil
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import typer.main
from typer.testing import CliRunner

from nlp.cli import app
from nlp.ingest import ingest_paths
from nlp.model import read_jsonl, write_jsonl

REPO = Path(__file__).resolve().parents[1]
README = REPO / "README.md"
INGEST_DATA = Path(__file__).parent / "data" / "ingest"
KLYNGER = REPO / "corpora" / "klynger"

runner = CliRunner()


def readme_commands() -> list[str]:
    """Every distinct ``nlp ...`` command line of the README, comments and trailing ``# ...`` removed."""
    text = README.read_text(encoding="utf-8")
    found: list[str] = []
    fenced = False
    for line in text.splitlines():
        if line.lstrip().startswith("```"):
            fenced = not fenced
            continue
        if (fenced or line.startswith("    ")) and line.strip().startswith("nlp "):
            found.append(re.split(r"\s{2,}#", line.strip())[0].strip())
    found += [m.group(1).strip() for m in re.finditer(r"`(nlp [^`]+)`", text)]
    return list(dict.fromkeys(found))


def runnable(command: str) -> list[str]:
    """The arguments after ``nlp``, optional ``[...]`` parts left out."""
    return shlex.split(re.sub(r"\s*\[[^\]]*\]", "", command))[1:]


def _resolve(args: list[str]) -> tuple[Any, list[str]]:
    """The (click) command an argument list names, and the arguments after the verb."""
    cmd = typer.main.get_group(app)
    rest = list(args)
    while getattr(cmd, "commands", None) and rest and not rest[0].startswith("-"):
        assert rest[0] in cmd.commands, f"`nlp {' '.join(args)}`: no verb {rest[0]!r}"
        cmd, rest = cmd.commands[rest[0]], rest[1:]
    return cmd, rest


COMMANDS = readme_commands()


def test_readme_shows_the_main_commands():
    verbs = {_resolve(runnable(c))[0].name for c in COMMANDS}
    assert {
        "ingest",
        "preprocess",
        "list",
        "info",
        "topics",
        "train",
        "tag",
        "suggest",
        "compare",
        "export",
        "export-codebook",
        "pseudonymise",
        "report",
    } <= verbs


@pytest.mark.parametrize("command", COMMANDS)
def test_readme_command_names_a_real_verb_and_real_options(command):
    cmd, rest = _resolve(runnable(command))
    known = {opt for p in cmd.params for opt in (*p.opts, *p.secondary_opts)}
    named = {a for a in re.findall(r"(?<![\w-])(--?[a-zA-Z][\w-]*)", command)}
    assert named <= known | {"--help"}, (
        f"`{command}`: {sorted(named - known)} are not options of `{cmd.name}`"
    )
    result = runner.invoke(app, [*runnable(command)[: len(runnable(command)) - len(rest)], "--help"])
    assert result.exit_code == 0 and "Usage" in result.output, result.output


@pytest.fixture(scope="module")
def workdir(tmp_path_factory, model_dir):
    """A folder with the inputs the README's commands name, as a user would have them."""
    root = tmp_path_factory.mktemp("readme")
    for folder in ("interviews", "uncoded", "intervjuer"):
        (root / folder).mkdir()
        for name in ("nb_utf8.txt", "da_utf8.txt", "timestamps.txt"):
            shutil.copy(INGEST_DATA / name, root / folder / name)
    shutil.copy(INGEST_DATA / "initials.txt", root / "intervju3.txt")
    transcripts = list(read_jsonl(KLYNGER / "transcripts.jsonl"))
    for coder in ("coder1", "coder2"):  # one coder per file, as two people's exports are
        write_jsonl(
            root / f"{coder}.jsonl",
            [replace(t, codes=tuple(c for c in t.codes if c.coder == coder)) for t in transcripts],
        )
    write_jsonl(root / "coded.jsonl", transcripts)
    write_jsonl(root / "data.jsonl", transcripts[:1])
    shutil.copy(KLYNGER / "codebook.yaml", root / "codebook.yaml")
    (root / "models").mkdir()
    shutil.copytree(model_dir, root / "models" / "klynger")
    (root / "navn.csv").write_text("Kari Nordmann,person\n", encoding="utf-8")
    (root / "behold.txt").write_text("Innovasjon Norge\n", encoding="utf-8")
    (root / "home" / "private").mkdir(parents=True)
    return root


def _run(command: str, workdir: Path, monkeypatch) -> str:
    assert command in COMMANDS, f"`{command}` is no longer in the README: update this test with the README"
    monkeypatch.chdir(workdir)
    args = [a.replace("~", str(workdir / "home"), 1) if a.startswith("~") else a for a in runnable(command)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, f"`{command}` failed:\n{result.output}"
    return result.output


def test_corpus_commands(workdir, monkeypatch):
    assert "klynger" in _run("nlp corpus list", workdir, monkeypatch)
    assert "298" in _run("nlp corpus info klynger", workdir, monkeypatch)


def test_ingest_then_preprocess(workdir, monkeypatch):
    _run("nlp ingest interviews/ --out corpus.jsonl", workdir, monkeypatch)
    corpus = list(read_jsonl(workdir / "corpus.jsonl"))
    assert sorted(Path(t.source).name for t in corpus) == ["da_utf8.txt", "nb_utf8.txt", "timestamps.txt"]
    _run("nlp preprocess corpus.jsonl --out pre.jsonl", workdir, monkeypatch)
    pre = list(read_jsonl(workdir / "pre.jsonl"))
    assert [t.text for t in pre] == [t.text for t in corpus]
    assert all("preprocess" in s.meta for t in pre for s in t.segments)
    assert {t.lang for t in pre} == {"nb", "da"}


def test_ingest_with_a_named_interviewer(workdir, monkeypatch):
    _run("nlp ingest intervju3.txt --interviewer KM --out intervju3.jsonl", workdir, monkeypatch)
    (t,) = read_jsonl(workdir / "intervju3.jsonl")
    assert {s.speaker for s in t.segments if s.kind == "question"} == {"KM"}
    assert {s.kind for s in t.segments if s.speaker == "PL"} == {"answer"}


def test_compare_commands(workdir, monkeypatch):
    out = _run(
        "nlp compare --corpus klynger --reference coder1 --other coder2 --unit segment --min-words 4",
        workdir,
        monkeypatch,
    )
    assert "kappa" in out.lower()
    _run("nlp compare coder1.jsonl coder2.jsonl --unit segment --out agreement/", workdir, monkeypatch)
    results = json.loads((workdir / "agreement" / "results.json").read_text(encoding="utf-8"))
    assert results["reference"] == "coder1" and results["others"] == ["coder2"]
    for name in ("results.csv", "results.md", "per_code.csv", "disagreements.csv"):
        assert (workdir / "agreement" / name).stat().st_size > 0, name


def test_exchange_commands(workdir, monkeypatch):
    _run("nlp export coded.jsonl --codebook codebook.yaml --out review.qdpx", workdir, monkeypatch)
    _run("nlp export-codebook codebook.yaml --out c.qdc", workdir, monkeypatch)
    assert (workdir / "review.qdpx").stat().st_size > 0 and "<CodeBook" in (workdir / "c.qdc").read_text(
        "utf-8"
    )


def test_tag_and_suggest(workdir, monkeypatch):
    _run("nlp tag models/klynger interviews/ --out tagged.jsonl [-j 2] [--explain 5]", workdir, monkeypatch)
    records = [json.loads(line) for line in (workdir / "tagged.jsonl").read_text("utf-8").splitlines()]
    assert records and {"id", "codes", "polarity", "scores"} <= set(records[0])
    assert _run("nlp suggest models/klynger uncoded/ --n 20", workdir, monkeypatch).strip()


def test_compare_the_tagged_output_with_a_coder(workdir, monkeypatch):
    tagged = workdir / "tagged.jsonl"
    tagged.unlink(missing_ok=True)
    result = runner.invoke(
        app,
        [
            "tag",
            str(workdir / "models" / "klynger"),
            str(KLYNGER / "transcripts.jsonl"),
            "--out",
            str(tagged),
        ],
    )
    assert result.exit_code == 0, result.output
    out = _run(
        "nlp compare --corpus klynger --reference coder1 tagged.jsonl --unit character", workdir, monkeypatch
    )
    assert "coder1 vs tagged" in out


def test_pseudonymise_and_reverse(workdir, monkeypatch):
    _run(
        "nlp pseudonymise intervjuer/ --out pseudo/ --key ~/private/prosjekt.key.json --names navn.csv "
        "--keep behold.txt",
        workdir,
        monkeypatch,
    )
    assert (workdir / "home" / "private" / "prosjekt.key.json").is_file()
    _run(
        "nlp pseudonymise pseudo/transcripts.jsonl --out original/ --reverse --key ~/private/prosjekt.key.json",
        workdir,
        monkeypatch,
    )
    given = {t.id: t.text for t in ingest_paths(workdir / "intervjuer").transcripts}
    restored = {t.id: t.text for t in read_jsonl(workdir / "original" / "transcripts.jsonl")}
    assert restored == given


def test_topics_on_own_interviews(workdir, monkeypatch):
    _run("nlp topics data.jsonl --model nmf --k 8 --unit turn --out out/t", workdir, monkeypatch)
    topics = json.loads((workdir / "out" / "t" / "topics.json").read_text("utf-8"))
    assert (workdir / "out" / "t" / "topics.md").is_file() and topics


def test_reviewing_and_exporting_machine_codes(workdir, monkeypatch):
    from nlp.review import DecisionLog
    from nlp.review.machine import read_tag_output

    for name in ("tagged.jsonl", "tagged.review.jsonl"):
        (workdir / name).unlink(missing_ok=True)
    _run("nlp ingest interviews/ --out corpus.jsonl", workdir, monkeypatch)
    _run("nlp tag models/klynger interviews/ --out tagged.jsonl --explain 5", workdir, monkeypatch)
    assert "0 reviewed" in _run("nlp review tagged.jsonl --reviewer kari --summary", workdir, monkeypatch)
    log = DecisionLog(workdir / "tagged.jsonl", reviewer="kari")  # what the page writes, segment by segment
    for r in log.records:
        log.append({"action": "done", "source": r["source"], "id": r["id"]})
    assert f"{len(log.records)} reviewed" in _run(
        "nlp review tagged.jsonl --reviewer kari --summary", workdir, monkeypatch
    )
    assert "kari vs auto-" in _run("nlp compare tagged.review.jsonl --unit segment", workdir, monkeypatch)
    _run("nlp train tagged.review.jsonl --coder kari --out models/kari", workdir, monkeypatch)
    assert (workdir / "models" / "kari" / "meta.json").is_file()
    _run("nlp export tagged.jsonl --transcripts corpus.jsonl --out review.qdpx", workdir, monkeypatch)
    assert (workdir / "review.qdpx").stat().st_size > 0
    _run("nlp tag models/klynger interviews/ --out koder.xlsx", workdir, monkeypatch)
    table = read_tag_output(workdir / "koder.xlsx")  # every segment, as the JSONL; the same ones to review
    assert len(table) == len(read_tag_output(workdir / "tagged.jsonl"))
    assert len([r for r in table if not r.get("not_content")]) == len(log.records)
