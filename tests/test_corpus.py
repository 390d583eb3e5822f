"""The bundled corpus `klynger` and the loader for a researcher's own coded corpus."""

import difflib
import json
import re
import sys
from collections import defaultdict
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from nlp.cli import app
from nlp.codebook import Codebook
from nlp.corpora import ENV_VAR, available, describe, load, load_path
from nlp.errors import DataWarning, InputError
from nlp.model import CodeSpan, Segment, Transcript, write_jsonl

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "corpus"


@pytest.fixture(scope="module")
def klynger():
    return load("klynger")


@pytest.fixture(scope="module")
def units(klynger):
    return klynger.units()


def _letters(s: str) -> str:
    return "".join(ch.lower() for ch in s if ch.isalnum())


def test_loader_counts(klynger, units):
    assert "klynger" in available()
    assert len(klynger.transcripts) == 4
    assert len(units) == 298
    assert {t.meta["thesis"] for t in klynger.transcripts} == {"000", "002", "003", "004"}
    assert isinstance(klynger.codebook, Codebook) and len(klynger.codebook) == 15
    assert klynger.coders == ("coder1", "coder2")
    for u in units:  # both coders on every unit, each with exactly one polarity and known codes
        for coder in ("coder1", "coder2"):
            assert u.polarity(coder) in ("driver", "barrier", "neutral"), (u.id, coder)
            assert u.concepts(coder) <= set(klynger.codebook.ids)
    assert "Lilleås" in klynger.readme and "Caveats" in klynger.readme


def test_units_per_thesis_and_kind(klynger, units):
    per = defaultdict(int)
    for u in units:
        per[u.transcript_id] += 1
    assert dict(per) == {"klynger-000": 42, "klynger-002": 183, "klynger-003": 64, "klynger-004": 9}
    assert sum(u.kind == "other" for u in units) == 72  # the 72 paraphrases of thesis 002
    assert sum(u.lang == "da" for u in units) == 20


def test_every_segment_text_matches_its_excerpt(klynger):
    sims = []
    for t in klynger.transcripts:
        for seg in t.segments:
            excerpt = seg.meta["text"]
            found = t.segment_text(seg)
            assert _letters(found) == _letters(excerpt), seg.id
            norm = [re.sub(r"\s+", " ", re.sub(r"[\"“”„«»‘’']", "", s)).strip() for s in (found, excerpt)]
            sims.append(difflib.SequenceMatcher(None, *norm, autojunk=False).ratio())
            # provenance: the cleaned offset maps back into the seed's recorded line range (1-based raw lines)
            assert seg.meta["line_start"] <= seg.meta["line_end"] and seg.meta["source"].startswith("seeds/")
    assert min(sims) >= 0.99


def test_segment_meta_and_codes(klynger):
    t = next(t for t in klynger.transcripts if t.meta["thesis"] == "002")
    seg = next(s for s in t.segments if s.id == "s002-000")
    assert seg.kind == "answer" and seg.speaker.startswith("Høgskolen i Hedmark")
    assert seg.meta["section"].startswith("5.1 BIOINN") and seg.meta["kind"] == "quote"
    assert {c.code for c in t.codes_in(seg, coder="coder1")} == {
        "cluster_management",
        "research_education",
        "polarity:barrier",
    }
    assert {c.code for c in t.codes_in(seg, coder="coder2")} == {
        "knowledge_sharing",
        "networks_collaboration",
        "polarity:barrier",
    }
    assert t.meta["year"] == 2006 and t.meta["institution"] and t.meta["title"]
    assert all(c.source == "human" for c in t.codes)


def test_groups_keep_002_restatements_with_their_source(units):
    by_id = {u.id: u for u in units}
    # known restatements: chapter-5 summary -> appendix note (near-verbatim)
    for summary, source in [
        ("s002-034", "s002-127"),
        ("s002-010", "s002-088"),
        ("s002-039", "s002-132"),
        ("s002-043", "s002-136"),
        ("s002-051", "s002-150"),
        ("s002-053", "s002-149"),
    ]:
        assert by_id[summary].group == by_id[source].group, (summary, source)
    # and every near-verbatim pair found independently here
    chapter5 = [u for u in units if u.id.startswith("s002") and int(u.id[-3:]) <= 76]
    appendix = [u for u in units if u.id.startswith("s002") and int(u.id[-3:]) >= 77]
    pairs = 0
    for a in chapter5:
        for b in appendix:
            # word-level similarity: an independent check of the builder's character-level rule
            sm = difflib.SequenceMatcher(
                None, re.findall(r"\w+", a.text.lower()), re.findall(r"\w+", b.text.lower()), autojunk=False
            )
            if sm.real_quick_ratio() >= 0.7 and sm.quick_ratio() >= 0.7 and sm.ratio() >= 0.7:
                assert a.group == b.group, (a.id, b.id)
                pairs += 1
    assert pairs >= 15


def test_groups_never_span_theses_and_distinct_people_stay_apart(units):
    thesis_of = {}
    for u in units:
        assert thesis_of.setdefault(u.group, u.transcript_id) == u.transcript_id
    by_id = {u.id: u for u in units}
    # "KM" is two people in 002: Kim Møller (appendix 1) and the klyngemotor (appendix 2)
    assert by_id["s002-093"].group != by_id["s002-141"].group
    assert by_id["s003-000"].group.startswith("003:")
    assert len({u.group for u in units}) >= 20


def test_describe_tables_add_up(klynger):
    tables = describe(klynger)
    assert tables["transcripts"][-1][:2] == ["total", 298]
    pol = tables["polarity"]
    for col in (1, 2):
        assert sum(r[col] for r in pol[1:]) == 298
    co = tables["cooccurrence:coder1"]
    for i, row in enumerate(co[1:], 1):
        assert row[i] == next(r[1] for r in tables["codes"] if r[0] == row[0])  # diagonal = code count


def test_cli_corpus_info_and_list():
    runner = CliRunner()
    out = runner.invoke(app, ["corpus", "info", "klynger"])
    assert out.exit_code == 0, out.output
    assert "298" in out.output and "knowledge_sharing" in out.output and "co-occurrence" in out.output
    out = runner.invoke(app, ["corpus", "list"])
    assert out.exit_code == 0 and "klynger" in out.output


def _own_corpus(folder: Path, *, code: str = "tillit") -> Path:
    text = "I: Hvordan er samarbeidet? R: Vi stoler på hverandre i klyngen."
    t = Transcript(
        id="int1",
        text=text,
        segments=(Segment(0, 27, kind="question"), Segment(28, len(text), kind="answer", speaker="R")),
        codes=(CodeSpan(code, 28, len(text), "meg"), CodeSpan("polarity:driver", 28, len(text), "meg")),
    )
    write_jsonl(folder / "transcripts.jsonl", [t])
    return folder / "transcripts.jsonl"


def test_load_path_users_own_coding_with_codebook(tmp_path):
    _own_corpus(tmp_path)
    (tmp_path / "codebook.yaml").write_text(
        yaml.safe_dump(
            {
                "name": "mitt",
                "codes": {"tillit": {"name_nb": "Tillit", "definition": "Tillit mellom aktører"}},
            }
        ),
        encoding="utf-8",
    )
    corpus = load(tmp_path)
    units = corpus.units()
    assert corpus.codebook.name == "mitt" and len(units) == 1  # the interviewer's turn is not a unit
    assert units[0].concepts("meg") == {"tillit"} and units[0].polarity("meg") == "driver"


def test_load_path_unknown_code_names_the_file(tmp_path):
    _own_corpus(tmp_path, code="ukjent")
    (tmp_path / "codebook.yaml").write_text(
        yaml.safe_dump({"name": "mitt", "codes": {"tillit": {}}}), encoding="utf-8"
    )
    with pytest.raises(InputError, match="ukjent") as exc:
        load_path(tmp_path)
    assert "transcripts.jsonl" in str(exc.value)


def test_load_path_without_codebook_warns_and_derives_one(tmp_path):
    path = _own_corpus(tmp_path)
    with pytest.warns(DataWarning, match="no codebook"):
        corpus = load_path(path)
    assert corpus.codebook.ids == ("tillit",) and corpus.name == "transcripts"


def test_unknown_name_and_env_override(tmp_path, monkeypatch):
    with pytest.raises(InputError, match="no corpus named 'finnes-ikke'"):
        load("finnes-ikke")
    _own_corpus(tmp_path / "mine")
    (tmp_path / "mine" / "codebook.yaml").write_text(
        yaml.safe_dump({"name": "m", "codes": {"tillit": {}}}), encoding="utf-8"
    )
    monkeypatch.setenv(ENV_VAR, str(tmp_path))
    assert available() == ["mine"]
    assert len(load("mine").units()) == 1


def _builder():
    import importlib.util

    if "build_corpus" not in sys.modules:
        spec = importlib.util.spec_from_file_location("build_corpus", REPO / "scripts" / "build_corpus.py")
        mod = importlib.util.module_from_spec(spec)
        sys.modules["build_corpus"] = mod
        spec.loader.exec_module(mod)
    return sys.modules["build_corpus"]


def _mini_shared(root: Path, excerpts: list[dict]) -> Path:
    for sub in ("seeds", "annotations", "coder2"):
        (root / sub).mkdir(parents=True)
    lines = [
        " Forord",
        "Klyngen i Hedmark har mange bedrifter som samarbeider tett om musikk-",
        "eksport og om kunnskap, sier informanten, og det er viktig for alle parter her.",
        "7",
    ]
    (root / "seeds" / "900_x.txt").write_text("".join(f"{ln} \n\n" for ln in lines), encoding="utf-8")
    (root / "codebook.yaml").write_bytes((REPO / "corpora" / "klynger" / "codebook.yaml").read_bytes())
    rows = [
        {
            "source": "900_x.txt",
            "section": "1 Funn",
            "informant": "Informant A",
            "lang": "nb",
            "kind": "quote",
            "codes": ["knowledge_sharing"],
            "polarity": "driver",
            **e,
        }
        for e in excerpts
    ]
    (root / "annotations" / "900.jsonl").write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    (root / "coder2" / "900.jsonl").write_text(
        "\n".join(
            json.dumps({"id": r["id"], "codes": ["market_innovation"], "polarity": "neutral"}) for r in rows
        ),
        encoding="utf-8",
    )
    return root


def test_builder_locates_across_line_ends_and_fails_loudly_on_a_missing_excerpt(tmp_path, capsys):
    build = _builder()
    ok = {
        "id": "x-1",
        "line_start": 3,
        "line_end": 5,
        "text": "samarbeider tett om musikk-eksport og om kunnskap, sier informanten",
    }
    shared = _mini_shared(tmp_path / "ok", [ok])
    assert build.main(["--shared", str(shared), "--out", str(tmp_path / "out")]) == 0
    corpus = load(tmp_path / "out")
    (unit,) = corpus.units()
    assert unit.text == ok["text"] and unit.group == "900:informant-a"
    assert unit.concepts("coder1") == {"knowledge_sharing"} and unit.polarity("coder2") == "neutral"
    missing = {
        "id": "x-2",
        "line_start": 3,
        "line_end": 3,
        "text": "dette står ikke i teksten i det hele tatt",
    }
    shared = _mini_shared(tmp_path / "bad", [ok, missing])
    assert build.main(["--shared", str(shared), "--out", str(tmp_path / "out2")]) == 1
    assert "x-2" in capsys.readouterr().err
    assert not (tmp_path / "out2").exists()


@pytest.mark.skipif(
    not (SHARED / "annotations").is_dir(),
    reason="needs ../shared/corpus beside the clone (present in CI) to rebuild the corpus",
)
def test_builder_reproduces_the_committed_corpus(tmp_path):
    """Reads ../shared/corpus: the committed corpora/klynger must be what the builder makes from the sources."""
    mod = _builder()
    assert mod.main(["--shared", str(SHARED), "--out", str(tmp_path)]) == 0
    for name in ("transcripts.jsonl", "codebook.yaml", "README.md"):
        assert (tmp_path / name).read_bytes() == (REPO / "corpora" / "klynger" / name).read_bytes(), name
    # offsets map back into the seeds' recorded raw lines
    first = json.loads((tmp_path / "transcripts.jsonl").read_text(encoding="utf-8").splitlines()[0])
    t = Transcript.from_json(first)
    raw = (SHARED / t.source).read_text(encoding="utf-8")
    for seg in t.segments:
        line = raw[: t.offset_map.to_raw(seg.start)].count("\n") + 1
        assert seg.meta["line_start"] - 1 <= line <= seg.meta["line_end"] + 1, seg.id
