"""Sparse, calibrated codes (issue 18, section 3): the abstain probability chosen by the inner grouped CV, recorded,
shown and overridable; the CSV/XLSX/Word outputs carry everything the JSONL records say (cue codes, withheld codes,
non-content segments); topic models leave out what is not interview content and count it; `nlp tag` says which
codes it withholds and why."""

import json
import random

import docx
import numpy as np
import pytest
from autocode_synth import synthetic_rows, synthetic_transcripts
from openpyxl import load_workbook
from typer.testing import CliRunner

from nlp.classify import AutoCoder, load_coder, save_coder, tag_units
from nlp.classify.models import ABSTAIN_MAX_SHARE, ABSTAIN_MIN_GAIN, choose_abstain
from nlp.classify.output import write_docx
from nlp.classify.tag import read_tagged, write_tagged
from nlp.classify.train import abstain_meta
from nlp.cli import app
from nlp.codebook import Code, Codebook
from nlp.errors import InputError
from nlp.model import Segment, Transcript, iter_units, write_jsonl
from nlp.segment import split_not_content
from nlp.topics import run_topics

AMBIGUOUS = "det er både bra og et problem"


def noisy_rows(seed: int = 0) -> list[dict]:
    """Synthetic rows where every 4th segment carries both a driver and a barrier word and a random polarity: the
    polarity model is unsure there, and abstaining on those segments raises kappa on the rest."""
    rng = random.Random(seed)
    rows = synthetic_rows(n_groups=12, per_group=10)
    for i, r in enumerate(rows):
        if i % 4 == 0:
            r["text"] = r["text"].rsplit(". ", 1)[0] + f". {AMBIGUOUS}."
            r["polarity"] = rng.choice(["driver", "barrier", "neutral"])
    return rows


def fit_rows(rows, **kw):
    return AutoCoder.from_params(word_analyzer="surface", select_polarity=True, **kw).fit(
        [r["text"] for r in rows],
        [set(r["codes"]) for r in rows],
        [r["polarity"] for r in rows],
        groups=[r["group"] for r in rows],
    )


# -- 1. abstain chosen by the inner grouped CV ---------------------------------------------------------------------
def test_choose_abstain_takes_the_best_kappa_within_the_share_and_needs_a_real_gain():
    # 10 rows: 8 sure and right, 2 unsure (0.45) and wrong
    p = np.array([[0.9, 0.1]] * 4 + [[0.1, 0.9]] * 4 + [[0.55, 0.45], [0.45, 0.55]])
    y = [0] * 4 + [1] * 4 + [1, 0]
    choice = choose_abstain(p, y, candidates=(0.4, 0.5, 0.6, 0.7), max_share=0.2)
    assert choice["value"] == 0.6  # the lowest candidate that withholds both unsure rows (0.7 ties: higher)
    assert choice["withheld"] == pytest.approx(0.2) and choice["kappa_answered"] == pytest.approx(1.0)
    assert choice["kappa_all"] == pytest.approx(0.6)
    # allowed to withhold only 10%: no candidate that helps is allowed
    assert choose_abstain(p, y, candidates=(0.4, 0.5, 0.6), max_share=0.1)["value"] == 0.0
    # a gain smaller than min_gain is not worth withholding anything
    assert choose_abstain(p, y, candidates=(0.6,), max_share=0.2, min_gain=0.5)["value"] == 0.0
    # rows no inner fold predicted (nan) are skipped; no rows at all: never abstain
    with_nan = np.vstack([p, [[np.nan, np.nan]]])
    assert choose_abstain(with_nan, [*y, 1], candidates=(0.6,), max_share=0.2)["n"] == 10
    assert choose_abstain(np.zeros((0, 2)), [])["value"] == 0.0


def test_abstain_is_chosen_from_the_data_by_the_inner_cv_not_a_constant():
    noisy = fit_rows(noisy_rows(), min_confidence=None)
    clean = fit_rows(synthetic_rows(n_groups=12, per_group=10), min_confidence=None)
    c = noisy.abstain_choice_
    assert 0 < noisy.abstain <= noisy.concepts.threshold_floor  # never withholds a code that would be given
    assert c["kappa_answered"] >= c["kappa_all"] + ABSTAIN_MIN_GAIN and 0 < c["withheld"] <= ABSTAIN_MAX_SHARE
    # the choice is the one the polarity model's inner out-of-fold probabilities give
    again = choose_abstain(
        noisy.polarity.inner_proba_,
        noisy.polarity.inner_labels_,
        candidates=[v for v in c["candidates"]],
    )
    assert again == c
    assert clean.abstain == 0.0 and clean.abstain_choice_["kappa_all"] > 0.9  # nothing to gain: never
    # in force when tagging: the polarity is withheld exactly where its top probability is below the choice
    texts = [f"vi deler kunnskap. {AMBIGUOUS}.", "vi deler kunnskap. det fungerer veldig bra."]
    _, p_pol = noisy.predict_proba(texts)
    assert [pol is None for _, pol in noisy.predict(texts)] == list(p_pol.max(axis=1) < noisy.abstain)
    # a value that is given is used as it is, and nothing is chosen
    fixed = fit_rows(noisy_rows(), min_confidence=0.0)
    assert fixed.abstain == 0.0 and fixed.abstain_choice_ is None
    assert abstain_meta(fixed) == {"value": 0.0, "chosen_by": "given"}


def test_abstain_choice_survives_save_and_load_and_tag_overrides_it(tmp_path):
    m = fit_rows(noisy_rows(), min_confidence=None)
    save_coder(m, tmp_path / "m")
    back = load_coder(tmp_path / "m")
    assert back.abstain == m.abstain > 0 and back.abstain_choice_ == m.abstain_choice_
    rec = tag_units(back, [{"id": "a", "text": "vi deler kunnskap. det fungerer veldig bra."}])[0]
    assert rec["options"]["abstain"] == m.abstain
    back.min_confidence = 0.0  # nlp tag --abstain 0: never
    assert back.abstain == 0.0 and all(p is not None for _, p in back.predict([f"kunnskap. {AMBIGUOUS}."]))


def _corpus(tmp_path, rows):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    write_jsonl(corpus / "transcripts.jsonl", synthetic_transcripts(rows))
    Codebook(
        name="synth", codes=tuple(Code(id=c) for c in sorted({c for r in rows for c in r["codes"]}))
    ).save(corpus / "codebook.yaml")
    return corpus


def test_cli_train_chooses_records_and_shows_the_abstain_and_both_verbs_override_it(tmp_path):
    runner = CliRunner()
    rows = noisy_rows()
    for i, r in enumerate(rows):  # "noise" on every 7th segment whatever its text: its score cannot vary
        r["codes"] = sorted({*r["codes"], "noise"}) if i % 7 == 0 else r["codes"]
    corpus = _corpus(tmp_path, rows)
    args = ["train", "--corpus", str(corpus), "--coder", "coder1", "--folds", "0", "--no-transfer"]
    res = runner.invoke(app, [*args, "--out", str(tmp_path / "m")])
    assert res.exit_code == 0, res.output
    meta = json.loads((tmp_path / "m" / "meta.json").read_text())
    ab = meta["training"]["abstain"]
    assert ab["chosen_by"] == "inner grouped CV" and ab["value"] > 0 and ab["max_share"] == ABSTAIN_MAX_SHARE
    assert f"abstain below {ab['value']:g} (chosen by inner grouped CV: polarity kappa on the answered" in (
        res.output
    )
    assert f"{ab['kappa_all']:.2f} -> {ab['kappa_answered']:.2f}, {ab['withheld']:.0%} withheld" in res.output
    assert load_coder(tmp_path / "m").abstain == ab["value"]
    assert meta["training"]["uninformative_codes"] == ["noise"]
    assert (
        "never given by the model (its inner cross-validated score was the same for every segment): noise"
        in (res.output)
    )
    res = runner.invoke(app, [*args, "--out", str(tmp_path / "m0"), "--abstain", "0"])
    assert res.exit_code == 0, res.output
    assert "never abstain (given: --abstain 0)" in res.output
    meta0 = json.loads((tmp_path / "m0" / "meta.json").read_text())
    assert meta0["training"]["abstain"] == {"value": 0.0, "chosen_by": "given"}
    texts = tmp_path / "new.jsonl"
    texts.write_text(json.dumps({"id": "1", "text": "Vi deler kunnskap med de andre bedriftene."}) + "\n")
    for extra, expected in (([], ab["value"]), (["--abstain", "0.9"], 0.9), (["--abstain", "0"], 0.0)):
        out = tmp_path / f"t{len(extra)}{expected}.jsonl"
        res = runner.invoke(app, ["tag", str(tmp_path / "m"), str(texts), "--out", str(out), *extra])
        assert res.exit_code == 0, res.output
        assert read_tagged(out, fmt="jsonl")[0]["options"]["abstain"] == expected


# -- 2. the tables and the Word document carry what the JSONL says ------------------------------------------------
CUES = {
    "knowledge_sharing": ["kunnskapsdel*", "dele* kunnskap*"],
    "competition": ["konkurrent*"],
    "meeting_places": ["seminar*"],
    "polarity:": {"driver": ["nyttig*"], "barrier": ["problem*"], "negators": ["ikke"]},
}


@pytest.fixture(scope="module")
def tagged():
    rows = synthetic_rows()
    m = AutoCoder.from_params(word_analyzer="surface", inner_folds=2, cues=CUES, concept_source="union").fit(
        [r["text"] for r in rows],
        [set(r["codes"]) for r in rows],
        [r["polarity"] for r in rows],
        groups=[r["group"] for r in rows],
    )
    m.meta_ = {"reliability": {"codes": {"competition": {"verdict": "do not use", "reason": "kappa 0.05"}}}}
    units = [
        {"id": "a", "source": "i.txt", "text": "Konkurrentene er mange, og vi deler kunnskap på seminarer."},
        {"id": "b", "source": "i.txt", "start": 60, "text": "Tlf: 22 33 44 55, e-post: ola@firma.no"},
        {"id": "c", "source": "i.txt", "start": 100, "text": "Hva med konkurrentene?", "kind": "question"},
        {
            "id": "d",
            "source": "i.txt",
            "start": 130,
            "text": "Vi møtes på frokostmøter hver måned, det er nyttig.",
        },
    ]
    recs = tag_units(m, units)
    assert recs[0]["withheld"] == {"competition": "do not use: kappa 0.05"} and recs[0]["cued"]
    assert recs[1]["not_content"] == "contact details" and recs[2]["not_content"] == "interviewer turn"
    return recs


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_tables_carry_withheld_not_content_and_cued_and_read_back_to_the_records(tmp_path, tagged, fmt):
    out = tmp_path / f"t.{fmt}"
    write_tagged(out, tagged, fmt=fmt)
    assert read_tagged(out, fmt=fmt) == tagged  # nothing the JSONL says is lost
    if fmt == "xlsx":
        rows = list(load_workbook(out, read_only=True).worksheets[0].iter_rows(values_only=True))
    else:
        import csv

        rows = list(csv.reader(out.read_text(encoding="utf-8-sig").splitlines()))
    header = list(rows[0])
    assert {"cued", "withheld", "not_content"} <= set(header)
    first, contact, question = (dict(zip(header, r)) for r in rows[1:4])
    assert first["withheld"] == "competition: do not use: kappa 0.05" and "competition" not in first["codes"]
    assert contact["not_content"] == "contact details" and not contact["codes"]
    assert question["not_content"] == "interviewer turn"


def test_excel_csv_reads_back_too(tmp_path, tagged):
    out = tmp_path / "t.csv"
    write_tagged(out, tagged, fmt="csv", excel=True)
    assert read_tagged(out, fmt="csv") == tagged


def test_word_comments_say_what_was_withheld_and_what_is_not_content(tmp_path, tagged):
    (path,) = write_docx(tmp_path / "t.docx", tagged)
    comments = [c.text for c in docx.Document(str(path)).comments]
    assert any("withheld: competition (competition)" in c and "do not use: kappa 0.05" in c for c in comments)
    assert any("not coded: not interview content (contact details)" in c for c in comments)
    assert any("not coded: not interview content (interviewer turn)" in c for c in comments)


# -- 3. topic models leave out what is not interview content -----------------------------------------------------
FISH = [
    "Vi fisker torsk fra båten når havet er rolig om morgenen",
    "Båten går ut på havet for å fiske torsk og sei hver dag",
    "Fiskerne har båt og garn, og havet gir mye torsk",
]
SOFT = [
    "Vi lagrer data i skyen med ny programvare fra leverandøren",
    "Programvaren henter data fra skyen hver eneste dag",
    "Data i skyen gjør programvaren rask og veldig digital",
]
NOISE = [  # (text, kind, reason)
    ("INTERVJU 2 – INFORMANT B", "other", "header"),
    ("Kontakt: ola.nordmann@bedrift.no, tlf. 22 33 44 55", "other", "contact details"),
    ("Ja, absolutt.", "answer", "one- or two-word turn"),
    ("Mm.", "answer", "one- or two-word turn"),
    ("Hva gjør dere med dataene i skyen?", "question", "interviewer turn"),
    ("Og båten, hvordan går det med fisket?", "question", "interviewer turn"),
]


def _noisy_transcripts() -> list[Transcript]:
    out = []
    for t, texts in (("t1", FISH + SOFT), ("t2", SOFT + FISH)):
        parts = [(x, k) for x, k, _ in NOISE] + [(x, "answer") for x in texts]
        text, segs = "", []
        for i, (x, kind) in enumerate(parts):
            segs.append(Segment(start=len(text), end=len(text) + len(x), kind=kind, id=f"{t}-{i}"))
            text += x + "\n"
        out.append(Transcript(id=t, text=text, segments=tuple(segs), lang="nb"))
    return out


EXPECTED_LEFT_OUT = {"interviewer turn": 4, "one- or two-word turn": 4, "contact details": 2, "header": 2}


def test_split_not_content_counts_per_reason():
    units = list(iter_units(_noisy_transcripts(), include_interviewer=True))
    kept, left_out = split_not_content(units)
    assert left_out == EXPECTED_LEFT_OUT and len(kept) == 12
    assert split_not_content(units, keep=True) == (units, {})
    kept, left_out = split_not_content(units, keep={"interviewer turn"})
    assert len(kept) == 16 and "interviewer turn" not in left_out


def _words(a) -> list[str]:
    return [w for w in a.surface_words() if len(w) > 3]


def test_topics_leave_out_non_content_by_default_and_include_it_when_asked():
    units = list(iter_units(_noisy_transcripts(), include_interviewer=True))
    run = run_topics(units, model="nmf", k=2, seeds=1, min_df=1, analyzer=_words)
    assert run.not_content == EXPECTED_LEFT_OUT and run.summary.n_documents == 12
    assert run.summary.to_dict()["not_content"] == {"left_out": EXPECTED_LEFT_OUT, "kept": False}
    noise_ids = {f"{t}-{i}" for t in ("t1", "t2") for i in range(len(NOISE))}
    assert not noise_ids & {d["id"] for d in run.summary.documents}
    everything = run_topics(
        units, model="nmf", k=2, seeds=1, min_df=1, analyzer=_words, include_not_content=True
    )
    assert everything.not_content == {} and everything.summary.n_documents == 24
    only_noise = [u for u in units if u.text in {x for x, _, _ in NOISE}]
    with pytest.raises(InputError, match="12 segments .* left out as not interview content"):
        run_topics(only_noise, model="nmf", k=2, seeds=1, analyzer=_words)


def test_cli_topics_reports_what_it_left_out(tmp_path, monkeypatch):
    import nlp.topics
    from nlp.topics import models

    monkeypatch.setattr(models, "default_analyzer", lambda: _words)
    monkeypatch.setattr(nlp.topics, "default_analyzer", lambda: _words)
    src = tmp_path / "in.jsonl"
    write_jsonl(src, _noisy_transcripts())
    runner = CliRunner()
    base = ["topics", str(src), "--model", "nmf", "--k", "2", "--seeds", "1", "--min-df", "1", "--no-plots"]
    res = runner.invoke(app, [*base, "--out", str(tmp_path / "a")])
    assert res.exit_code == 0, res.output
    line = (
        "left out, not interview content (--include-not-content keeps them): 12 segments (4 interviewer turn, "
        "4 one- or two-word turn, 2 contact details, 2 header)"
    )
    assert line in res.output
    data = json.loads((tmp_path / "a" / "topics.json").read_text(encoding="utf-8"))
    assert data["not_content"]["left_out"] == EXPECTED_LEFT_OUT and data["n_documents"] == 12
    md = (tmp_path / "a" / "topics.md").read_text(encoding="utf-8")
    assert "Left out as not interview content" in md and "12 segments (4 interviewer turn" in md
    res = runner.invoke(app, [*base, "--out", str(tmp_path / "b"), "--include-not-content"])
    assert res.exit_code == 0, res.output
    assert json.loads((tmp_path / "b" / "topics.json").read_text())["n_documents"] == 24
    assert "keeps them): no segment" in res.output
    res = runner.invoke(app, [*base, "--out", str(tmp_path / "c"), "--include-interviewer"])
    data = json.loads((tmp_path / "c" / "topics.json").read_text())
    assert data["n_documents"] == 16 and "interviewer turn" not in data["not_content"]["left_out"]


# -- 4. `nlp tag` withholds "do not use" codes and says why ------------------------------------------------------
def test_cli_tag_names_withheld_codes_and_gives_them_with_all_codes(tmp_path):
    rows = synthetic_rows()
    m = AutoCoder.from_params(word_analyzer="surface", inner_folds=2).fit(
        [r["text"] for r in rows],
        [set(r["codes"]) for r in rows],
        [r["polarity"] for r in rows],
        groups=[r["group"] for r in rows],
    )
    reason = "cross-validated kappa 0.05: slight or no agreement (Landis & Koch 1977: < 0.21)"
    save_coder(
        m,
        tmp_path / "m",
        meta={"reliability": {"codes": {"competition": {"verdict": "do not use", "reason": reason}}}},
    )
    texts = tmp_path / "new.jsonl"
    texts.write_text(
        json.dumps(
            {
                "id": "1",
                "text": "Konkurrentene våre sitter i samme klynge, det er hard "
                "konkurranse om de samme kundene.",
            }
        )
        + "\n"
        + json.dumps({"id": "2", "text": "Ja, sikkert."})
        + "\n"
    )
    runner = CliRunner()
    res = runner.invoke(app, ["tag", str(tmp_path / "m"), str(texts), "--out", str(tmp_path / "t.jsonl")])
    assert res.exit_code == 0, res.output
    assert "left uncoded, not interview content" in res.output and "1 segment (1 one- or two-word turn)" in (
        res.output
    )
    assert "not given (reliability verdict 'do not use'" in res.output and "competition" in res.output
    rec = read_tagged(tmp_path / "t.jsonl", fmt="jsonl")[0]
    assert "competition" not in rec["codes"] and rec["withheld"] == {"competition": f"do not use: {reason}"}
    res = runner.invoke(
        app, ["tag", str(tmp_path / "m"), str(texts), "--out", str(tmp_path / "all.jsonl"), "--all-codes"]
    )
    rec = read_tagged(tmp_path / "all.jsonl", fmt="jsonl")[0]
    assert "competition" in rec["codes"] and "withheld" not in rec
    assert read_tagged(tmp_path / "all.jsonl", fmt="jsonl")[1]["not_content"] == "one- or two-word turn"
