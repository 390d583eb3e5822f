"""The main job end to end on the bundled corpus (small settings), and its report in a real browser."""

import json

import pytest
from browser import render

from nlp.agreement.machine import machine_coding
from nlp.corpora import load
from nlp.model import iter_units
from nlp.refi import read_qdpx
from nlp.study import StudySettings, run_study

FAST = StudySettings(
    reference="coder1", k_range="4:6:2", topic_seeds=2, folds=3, repeats=1, n_boot=100, n_suggest=5
)


@pytest.fixture(scope="module")
def study(tmp_path_factory):
    out = tmp_path_factory.mktemp("study")
    report = run_study(load("klynger"), out, settings=FAST)
    return out, report


def test_every_stage_writes_its_outputs(study):
    out, report = study
    for name in (
        "report.html",
        "report.md",
        "corpus.json",
        "preprocessed.jsonl",
        "suggestions.jsonl",
        "klynger.qdpx",
        "topics/topics.json",
        "agreement/results.json",
        "model/meta.json",
        "figures/f1_per_code.png",
        "figures/learning_curve.png",
        "figures/polarity_confusion.png",
    ):
        assert (out / name).is_file(), name
    assert [s.anchor for s in report.sections] == [
        "corpus",
        "preprocessing",
        "topics",
        "autocoder",
        "verdict",
        "agreement",
        "suggest",
        "export",
        "glossary",
    ]
    results = json.loads((out / "agreement/results.json").read_text(encoding="utf-8"))
    assert results["reference"] == "coder1" and results["others"][1] == "coder2"
    assert len(list((out / "suggestions.jsonl").read_text(encoding="utf-8").splitlines())) == 5
    # the methods text names the polarity model the inner CV chose, as saved with the model
    pm = json.loads((out / "model/meta.json").read_text(encoding="utf-8"))["training"]["polarity_model"]
    (coder,) = [s for s in report.sections if s.anchor == "autocoder"]
    assert any(
        f"Polarity model: multinomial logistic regression, C {pm['C']:g}" in p and "inner grouped" in p
        for p in coder.paragraphs
    )


def test_machine_codes_in_the_export_are_out_of_fold_and_complete(study):
    out, _ = study
    transcripts = read_qdpx(out / "klynger.qdpx")
    machine = [c for t in transcripts for c in t.codes if c.coder.startswith("auto-cv")]
    assert machine and all(c.source == "auto" for c in machine)
    units = list(iter_units(transcripts))
    coder = machine[0].coder
    # every coded unit has exactly one machine polarity, so agreement is measured on all of them
    assert all(u.polarity(coder) is not None for u in units)


def test_machine_coding_puts_spans_on_the_units_exact_characters():
    corpus = load("klynger")
    units = corpus.units()[:3]
    preds = [
        {"codes": ["trust_culture"], "polarity": "barrier"},
        {"codes": [], "polarity": None},
        {"codes": ["competition", "resources"], "polarity": "driver"},
    ]
    coded = machine_coding(corpus.transcripts, units, preds, coder="m")
    again = {u.id: u for u in iter_units(coded)}
    assert (
        again[units[0].id].concepts("m") == {"trust_culture"}
        and again[units[0].id].polarity("m") == "barrier"
    )
    assert again[units[1].id].codes.get("m") is None
    assert again[units[2].id].concepts("m") == {"competition", "resources"}


def test_report_renders_in_headless_chromium_with_sections_and_images(study):
    out, _ = study
    shot = out / "report-screenshot.png"
    result = render(out / "report.html", screenshot=shot)
    assert result.console == [], result.console
    for anchor in (
        "corpus",
        "preprocessing",
        "topics",
        "autocoder",
        "verdict",
        "agreement",
        "suggest",
        "export",
        "glossary",
    ):
        assert f'id="{anchor}"' in result.dom, anchor
    for caption in ("F1 per code", "Learning curve", "Polarity", "Top words per topic", "Choosing K"):
        assert caption in result.dom, caption
    assert result.images >= 6 and result.images_ok == result.images
    assert shot.stat().st_size > 20_000


def _section(report, anchor):
    (section,) = [s for s in report.sections if s.anchor == anchor]
    return section


def test_report_per_code_figures_are_the_ones_nlp_train_prints(study):
    from nlp.classify.train import quality_rows

    out, report = study
    cv = json.loads((out / "model/meta.json").read_text(encoding="utf-8"))["cross_validation"]
    table = _section(report, "autocoder").tables[0]
    shown = {row[0]: row for row in table.rows}
    for r in quality_rows(cv):
        row = shown[r["code"]]
        assert (row[1], row[2], row[3], row[4], row[6]) == (
            r["support"],
            r["precision"],
            r["recall"],
            r["f1"],
            r["kappa"],
        ), r["code"]
    # the folds actually used (3 asked for, 27 groups: 3) are named, not a fixed "5-fold"
    assert cv["n_splits"] == 3 and any(
        "grouped 3-fold cross-validation" in p.lower() for p in _section(report, "autocoder").paragraphs
    )


def test_verdicts_glossary_provenance_and_readable_features(study):
    out, report = study
    verdict = _section(report, "verdict")
    text = " ".join(verdict.paragraphs)
    assert "Krippendorff's (2004)" in text and "Landis and Koch's (1977)" in text
    rows = verdict.tables[0].rows
    assert rows[0][0] == "polarity" and len(rows) == 1 + 15
    results = json.loads((out / "agreement/results.json").read_text(encoding="utf-8"))
    second = next(
        s
        for s in results["stats"]
        if s["other"] == "coder2" and s["target"] == "polarity" and s["name"] == "krippendorff_alpha"
    )
    assert rows[0][5] == pytest.approx(second["value"])  # the second coder's alpha beside the machine's
    if any(r[6].startswith("well below") for r in rows):
        assert any("as suggestions for review, not as coding" in p for p in verdict.paragraphs)
    glossary = {row[0] for row in _section(report, "glossary").tables[0].rows}
    for term in ("Cohen's kappa (κ)", "Krippendorff's alpha (α)", "Gwet's AC1", "F1", "c_npmi, c_v"):
        assert term in glossary
    md = (out / "report.md").read_text(encoding="utf-8")
    assert "AI assistance" in md and "the second coder's agreement" in md
    assert "human-human" not in md.lower() and "second human coder" not in md
    assert "interview group" not in md
    from nlp.normalise.tokens import stop_words

    function_words = stop_words("nb") | stop_words("da")
    features = _section(report, "autocoder").tables[1].rows
    words = [w.strip() for _, ws in features for w in ws.split(",") if w.strip()]
    assert words and not any("=" in w or w.startswith("*") for w in words)
    assert not [
        w for w in words if w in function_words and w not in ("ikke", "ingen", "aldri", "uden", "uten")
    ]


def test_few_groups_give_the_folds_used_and_a_warning():
    from nlp.classify.train import cv_notes, train_from_units

    units = [
        u
        for u in load("klynger").units()
        if u.group in {"003:informant-c1", "003:informant-c2", "003:informant-a1"}
    ]
    _, meta = train_from_units(units, coder="coder1", n_splits=5, n_repeats=1, curve=False)
    cv = meta["cross_validation"]
    assert cv["n_splits"] == 3 and cv["n_splits_requested"] == 5
    notes = cv_notes(cv)
    assert notes[0].startswith(
        "grouped 3-fold cross-validation (5 folds were asked for, but there are only 3 groups)"
    )
    assert any("fewer than 5" in n for n in notes) and any("fewer than 30" in n for n in notes)


def test_nlp_train_prints_the_folds_used_the_per_code_figures_and_the_thin_codes(tmp_path):
    from typer.testing import CliRunner

    from nlp.classify.train import quality_rows
    from nlp.cli import app
    from nlp.model import write_jsonl

    corpus = load("klynger")
    keep = {"003:informant-c1", "003:informant-c2", "003:informant-a1"}
    t = next(t for t in corpus.transcripts if t.id == "klynger-003")
    segs = tuple(s for s in t.segments if s.meta.get("group") in keep)
    write_jsonl(
        tmp_path / "three.jsonl", [t.__class__(t.id, t.text, segments=segs, codes=t.codes, meta=t.meta)]
    )
    res = CliRunner().invoke(
        app,
        [
            "train",
            str(tmp_path / "three.jsonl"),
            "--coder",
            "coder1",
            "--out",
            str(tmp_path / "m"),
            "--folds",
            "5",
            "--repeats",
            "1",
            "--no-curve",
        ],
    )
    assert res.exit_code == 0, res.output
    out = " ".join(res.output.split())
    assert "grouped 3-fold cross-validation (5 folds were asked for, but there are only 3 groups)" in out
    cv = json.loads((tmp_path / "m" / "meta.json").read_text(encoding="utf-8"))["cross_validation"]
    for r in quality_rows(cv):
        assert f"{r['code']} {r['precision']:.2f} {r['recall']:.2f} {r['f1']:.2f}" in out
    assert "fewer than 30 reference units or 5 groups" in out


def test_report_says_what_topics_left_out_and_how_the_abstain_was_chosen(study):
    from nlp.segment import split_not_content

    out, report = study
    units = load("klynger").units(include_interviewer=True)
    _, left_out = split_not_content(units)
    topics = json.loads((out / "topics" / "topics.json").read_text(encoding="utf-8"))
    assert topics["not_content"]["left_out"] == left_out and sum(left_out.values()) > 0
    assert topics["n_documents"] == len(units) - sum(left_out.values())
    topic_text = " ".join(_section(report, "topics").paragraphs)
    assert (
        "Left out as not interview content" in topic_text
        and f"{sum(left_out.values())} segment" in topic_text
    )
    coder_text = " ".join(_section(report, "autocoder").paragraphs)
    assert (
        "Abstaining: this model gives a polarity to every segment" in coder_text
    )  # agreement needs them all
    assert "chooses the abstain probability in its inner grouped cross-validation" in coder_text
    assert "their cross-validated kappa is below 0.21" in coder_text or "Every code may be used" in coder_text
