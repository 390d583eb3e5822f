"""The main job end to end on the bundled corpus (small settings), and its report in a real browser."""

import json

import pytest
from browser import render

from nlp.agreement.machine import machine_coding
from nlp.corpora import load
from nlp.model import iter_units
from nlp.refi import read_qdpx
from nlp.study import StudySettings, run_study

FAST = StudySettings(reference="coder1", k_range="4:6:2", topic_seeds=2, folds=3, repeats=1, n_boot=100, n_suggest=5)


@pytest.fixture(scope="module")
def study(tmp_path_factory):
    out = tmp_path_factory.mktemp("study")
    report = run_study(load("klynger"), out, settings=FAST)
    return out, report


def test_every_stage_writes_its_outputs(study):
    out, report = study
    for name in ("report.html", "report.md", "corpus.json", "preprocessed.jsonl", "suggestions.jsonl", "klynger.qdpx",
                 "topics/topics.json", "agreement/results.json", "model/meta.json", "figures/f1_per_code.png",
                 "figures/learning_curve.png", "figures/polarity_confusion.png"):
        assert (out / name).is_file(), name
    assert [s.anchor for s in report.sections] == ["corpus", "preprocessing", "topics", "autocoder", "agreement",
                                                     "suggest", "export"]
    results = json.loads((out / "agreement/results.json").read_text(encoding="utf-8"))
    assert results["reference"] == "coder1" and results["others"][1] == "coder2"
    assert len(list((out / "suggestions.jsonl").read_text(encoding="utf-8").splitlines())) == 5
    # the methods text names the polarity model the inner CV chose, as saved with the model
    pm = json.loads((out / "model/meta.json").read_text(encoding="utf-8"))["training"]["polarity_model"]
    (coder,) = [s for s in report.sections if s.anchor == "autocoder"]
    assert any(f"Polarity model: multinomial logistic regression, C {pm['C']:g}" in p and "inner grouped" in p
               for p in coder.paragraphs)


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
    preds = [{"codes": ["trust_culture"], "polarity": "barrier"}, {"codes": [], "polarity": None},
             {"codes": ["competition", "resources"], "polarity": "driver"}]
    coded = machine_coding(corpus.transcripts, units, preds, coder="m")
    again = {u.id: u for u in iter_units(coded)}
    assert again[units[0].id].concepts("m") == {"trust_culture"} and again[units[0].id].polarity("m") == "barrier"
    assert again[units[1].id].codes.get("m") is None
    assert again[units[2].id].concepts("m") == {"competition", "resources"}


def test_report_renders_in_headless_chromium_with_sections_and_images(study):
    out, _ = study
    shot = out / "report-screenshot.png"
    result = render(out / "report.html", screenshot=shot)
    assert result.console == [], result.console
    for anchor in ("corpus", "preprocessing", "topics", "autocoder", "agreement", "suggest", "export"):
        assert f'id="{anchor}"' in result.dom, anchor
    for caption in ("F1 per code", "Learning curve", "Polarity", "Top words per topic", "Choosing K"):
        assert caption in result.dom, caption
    assert result.images >= 6 and result.images_ok == result.images
    assert shot.stat().st_size > 20_000
