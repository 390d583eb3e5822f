"""Projection of code spans onto units, coder comparison with bootstrap CIs, outputs and the `nlp compare` verb."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import cohen_kappa_score
from typer.testing import CliRunner

from nlp.agreement.characters import coverage_mask
from nlp.agreement.coefficients import cohen_kappa
from nlp.agreement.comparison import compare, merge_codings, project_units
from nlp.agreement.render import markdown_report, methods_paragraph, write_comparison
from nlp.cli import app
from nlp.codebook import Code, Codebook
from nlp.errors import ConfigError, InputError
from nlp.model import CodeSpan, Segment, Transcript, write_jsonl

TURNS = [
    "Vi deler kunnskap med de andre bedriftene.",
    "Nei, vi konkurrerer for mye til det.",
    "Klyngeledelsen arrangerer møter hver måned.",
    "Det er vanskelig å få tak i folk her.",
    "Helt avgjørende.",
    "Vi samarbeider tett med universitetet.",
]
A_POL = ["driver", "barrier", "driver", "barrier", "driver", "driver"]
B_POL = ["driver", "barrier", "neutral", "barrier", "barrier", "driver"]
A_CON = [
    {"knowledge_sharing"},
    {"competition"},
    {"meeting_places"},
    {"resources"},
    set(),
    {"research_education"},
]
B_CON = [
    {"knowledge_sharing"},
    {"competition", "trust_culture"},
    {"meeting_places"},
    set(),
    set(),
    {"research_education", "networks_collaboration"},
]
CODEBOOK = Codebook("test", tuple(Code(c) for c in sorted(set().union(*A_CON, *B_CON))))


def _interviews(
    n_interviews: int = 3, *, coders=(("A", A_POL, A_CON), ("B", B_POL, B_CON))
) -> list[Transcript]:
    """n interviews with the same six turns; every coder codes each whole turn (and A's spans cover 3/4 of it)."""
    out = []
    for i in range(n_interviews):
        text, segs, codes = "", [], []
        for j, turn in enumerate(TURNS):
            s = len(text)
            text += turn + "\n"
            segs.append(Segment(s, s + len(turn), speaker="IP", kind="answer", id=f"i{i}-{j}"))
            for name, pol, con in coders:
                end = s + (3 * len(turn)) // 4 if name == "A" else s + len(turn)
                codes += [CodeSpan(f"polarity:{pol[j]}", s, end, name)]
                codes += [CodeSpan(c, s, end, name) for c in sorted(con[j])]
        out.append(Transcript(f"intervju{i}", text, segments=tuple(segs), codes=tuple(codes), lang="nb"))
    return out


def test_segment_comparison_equals_coefficients_on_explicit_labels():
    ts = _interviews(3)
    r = compare(ts, unit="segment", reference="A", others=["B"], codebook=CODEBOOK, n_boot=200)
    assert r.n_units == 18 and r.n_groups == 3
    assert r.get("polarity", "cohen_kappa").value == pytest.approx(cohen_kappa(A_POL * 3, B_POL * 3))
    assert r.get("polarity", "cohen_kappa").value == pytest.approx(cohen_kappa_score(A_POL * 3, B_POL * 3))
    # micro F1 by hand, per interview: tp 4, fp 2 (trust_culture, networks_collaboration), fn 1 (resources)
    assert r.get("concepts", "micro_f1").value == pytest.approx(8 / 11)
    assert r.confusion["B"]["matrix"] == [[6, 3, 3], [0, 6, 0], [0, 0, 0]]
    per_code = {row["code"]: row["cohen_kappa"] for row in r.per_code}
    assert per_code["trust_culture"] == 0.0  # B alone uses it: kappa 0, not undefined
    assert r.get("concepts", "mean_code_kappa").value == pytest.approx(np.mean(list(per_code.values())))
    # disagreements: turns 1, 2, 3, 4, 5 of each interview differ; each has context from the transcript
    assert len(r.disagreements) == 15
    d = r.disagreements[0]
    assert d["only_other"] == "trust_culture" and d["text"] == TURNS[1]
    assert d["context_before"].endswith(TURNS[0] + "\n")


def test_bootstrap_is_over_groups_deterministic_and_brackets_the_estimate():
    ts = _interviews(6)
    # make interviews differ so the interval has width
    ts[0] = ts[0].with_codes([])
    r1 = compare(ts, unit="segment", reference="A", others=["B"], n_boot=300, random_state=7)
    r2 = compare(ts, unit="segment", reference="A", others=["B"], n_boot=300, random_state=7)
    assert [s.ci_low for s in r1.stats] == [s.ci_low for s in r2.stats]
    k = r1.get("polarity", "percent_agreement")
    assert k.ci_low <= k.value <= k.ci_high
    assert r1.effective_groups == pytest.approx(6.0) and r1.distinct_resamples == 462
    assert any("worth about 6.0 equally large" in w for w in r1.warnings)
    # 4 groups allow only 35 distinct resamples: no interval, and the reason is said
    four = compare(_interviews(4), unit="segment", reference="A", others=["B"], n_boot=300)
    assert math.isnan(four.get("polarity", "cohen_kappa").ci_low) and "35 distinct" in four.no_ci_reason
    assert "No confidence intervals are given: 4 groups allow only 35 distinct" in methods_paragraph(four)
    assert "95% CI" not in methods_paragraph(four) and "95% CI" not in markdown_report(four)
    one = compare(_interviews(1), unit="segment", reference="A", others=["B"], n_boot=100)
    assert math.isnan(one.get("polarity", "cohen_kappa").ci_low)
    assert "only one of the groups" in one.no_ci_reason


def test_single_polarity_category_gives_nan_with_reason():
    ts = _interviews(2, coders=(("A", ["driver"] * 6, A_CON), ("B", ["driver"] * 6, A_CON)))
    r = compare(ts, unit="segment", reference="A", others=["B"], n_boot=50)
    k = r.get("polarity", "cohen_kappa")
    assert math.isnan(k.value) and "single category" in k.reason
    assert r.get("polarity", "percent_agreement").value == 1.0
    assert "undefined (Cohen's kappa is undefined" in methods_paragraph(r)


def test_transcript_coded_by_one_coder_only_is_left_out_not_counted_as_disagreement():
    ts = _interviews(3)
    ts[2] = ts[2].__class__(
        ts[2].id, ts[2].text, segments=ts[2].segments, codes=tuple(c for c in ts[2].codes if c.coder == "A")
    )
    r = compare(ts, unit="segment", reference="A", others=["B"], n_boot=0)
    assert list(r.excluded.values()) == [6] and "intervju2" in next(iter(r.excluded))
    assert r.get("polarity", "cohen_kappa").n_units == 12
    assert r.get("polarity", "cohen_kappa").value == pytest.approx(cohen_kappa(A_POL * 2, B_POL * 2))


def test_two_polarities_on_one_unit_are_warned_about():
    ts = [t.with_codes([CodeSpan("polarity:neutral", 0, 5, "B")]) for t in _interviews(2)]
    r = compare(ts, unit="segment", reference="A", others=["B"], n_boot=0)
    assert any("more than one polarity by B" in w for w in r.warnings)


def test_min_words_leaves_out_short_fragments_and_says_so():
    r = compare(_interviews(2), unit="segment", reference="A", others=["B"], min_words=4, n_boot=50)
    assert r.n_units == 10 and r.excluded == {"units with fewer than 4 words": 2}
    assert "Left out: 2 units with fewer than 4 words." in methods_paragraph(r)


def test_sentence_projection_uses_the_half_overlap_rule():
    text = "Vi deler alt. Men ikke med konkurrentene."
    t = Transcript(
        "i",
        text,
        segments=(Segment(0, len(text), id="s"),),
        codes=(
            CodeSpan("competition", 14, 41, "A"),
            CodeSpan("competition", 10, 41, "B"),
            CodeSpan("knowledge_sharing", 0, 13, "B"),
        ),
    )
    split = lambda s, lang: [(0, 13), (14, len(s))]  # a stand-in for nlp.normalise.split_sentences
    units = project_units([t], unit="sentence", sentence_splitter=split)
    assert [u.text for u in units] == ["Vi deler alt.", "Men ikke med konkurrentene."]
    # B's span 10..41 grazes sentence 1 by 3 characters: not applied there
    assert [sorted(u.concepts("B")) for u in units] == [["knowledge_sharing"], ["competition"]]
    r = compare([t], unit="sentence", reference="A", others=["B"], sentence_splitter=split, n_boot=0)
    assert r.n_units == 2 and r.get("concepts", "micro_f1").value == pytest.approx(2 / 3)


def test_sentence_units_default_to_nlp_normalise_split_sentences(monkeypatch):
    from nlp.agreement import comparison

    calls = []

    def split_sentences(text, lang):  # stand-in with the contract of nlp.normalise.split_sentences
        calls.append((text, lang))
        return [(m.start(), m.end()) for m in re.finditer(r"[^.!?]+[.!?]", text)]

    monkeypatch.setattr(comparison, "split_sentences", split_sentences)
    monkeypatch.setattr(comparison, "identify_language", lambda text: "da")
    text = "Vi deler alt. Men ikke med dem!"
    t = Transcript("i", "Intro\n" + text, lang="nb", segments=(Segment(6, 6 + len(text), id="s"),))
    units = project_units([t], unit="sentence")
    assert calls == [(text, "nb")]
    assert [(u.start, u.end, u.text) for u in units] == [
        (6, 19, "Vi deler alt."),
        (19, 37, " Men ikke med dem!"),
    ]
    t2 = Transcript("j", text, segments=(Segment(0, len(text)),))
    project_units([t2], unit="sentence")
    assert calls[-1] == (text, "da")  # no language given: identified


def test_character_comparison_hand_computed():
    text = "x" * 20
    t = Transcript("kilde", text, codes=(CodeSpan("tillit", 0, 10, "A"), CodeSpan("tillit", 5, 15, "B")))
    r = compare([t], unit="character", reference="A", others=["B"], n_boot=0)
    row = next(x for x in r.per_code if x["source"] == "kilde")
    assert row["percent_agreement"] == 0.5 and row["cohen_kappa"] == pytest.approx(0.0)
    assert (row["both_pct"], row["only_reference_pct"], row["only_other_pct"], row["neither_pct"]) == (
        25,
        25,
        25,
        25,
    )
    assert [(d["start"], d["end"], d["coded_by"]) for d in r.disagreements] == [(0, 5, "A"), (10, 15, "B")]


def test_character_pooled_and_size_weighted():
    t1 = Transcript("k1", "a" * 10, codes=(CodeSpan("c", 0, 5, "A"), CodeSpan("c", 0, 5, "B")))
    t2 = Transcript("k2", "b" * 30, codes=(CodeSpan("c", 0, 10, "A"), CodeSpan("c", 5, 15, "B")))
    r = compare([t1, t2], unit="character", reference="A", others=["B"], n_boot=0)
    pooled = next(x for x in r.per_code if x["source"] == "(pooled)")
    k2 = cohen_kappa([i < 10 for i in range(30)], [5 <= i < 15 for i in range(30)])
    assert pooled["kappa_size_weighted_mean"] == pytest.approx((1.0 * 10 + k2 * 30) / 40)
    assert pooled["kappa_mean"] == pytest.approx((1.0 + k2) / 2)
    both = [i < 5 for i in range(10)] + [i < 10 for i in range(30)]
    other = [i < 5 for i in range(10)] + [5 <= i < 15 for i in range(30)]
    assert pooled["cohen_kappa"] == pytest.approx(cohen_kappa(both, other))


@settings(max_examples=30, deadline=None)
@given(
    st.lists(st.tuples(st.sampled_from("AB"), st.integers(0, 39), st.integers(1, 15)), min_size=2, max_size=8)
)
def test_character_kappa_equals_kappa_on_expanded_characters(spans):
    codes = [CodeSpan("c", s, min(s + n, 40), who) for who, s, n in spans]
    t = Transcript("k", "ø" * 40, codes=tuple(codes))
    if {c.coder for c in codes} != {"A", "B"}:
        return
    r = compare([t], unit="character", reference="A", others=["B"], n_boot=0)
    a, b = coverage_mask(t, "c", "A"), coverage_mask(t, "c", "B")
    got = r.get("concepts", "cohen_kappa").value
    expected = cohen_kappa_score(a, b) if len(set(a) | set(b)) > 1 else math.nan
    assert (math.isnan(got) and math.isnan(expected)) or got == pytest.approx(expected)


def test_three_coders_add_fleiss_and_alpha():
    c_pol = ["driver", "barrier", "driver", "neutral", "driver", "driver"]
    ts = _interviews(2, coders=(("A", A_POL, A_CON), ("B", B_POL, B_CON), ("C", c_pol, A_CON)))
    r = compare(ts, unit="segment", reference="A", others=["B", "C"], n_boot=50)
    fleiss = next(s for s in r.stats if s.other == "all" and s.name == "fleiss_kappa")
    from nlp.agreement.coefficients import fleiss_kappa

    assert fleiss.value == pytest.approx(fleiss_kappa(list(zip(A_POL * 2, B_POL * 2, c_pol * 2))))
    assert {s.other for s in r.stats} == {"B", "C", "all"}


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"unit": "paragraph"}, ConfigError, "segment, sentence, character"),
        ({"unit": "segment", "others": ["Z"]}, InputError, "coder 'Z' has no codes"),
        ({"unit": "segment", "others": ["A"]}, ConfigError, "nothing to compare"),
        (
            {"unit": "segment", "codebook": Codebook("liten", (Code("knowledge_sharing"),))},
            InputError,
            "unknown codes",
        ),
    ],
)
def test_bad_input(kwargs, error, match):
    args = {"reference": "A", "others": ["B"], **kwargs}
    with pytest.raises(error, match=match):
        compare(_interviews(1), **args)


def test_merge_codings_rejects_different_texts_and_transcripts():
    a = _interviews(2)
    b = [a[0], a[1].__class__(a[1].id, a[1].text.replace("kunnskap", "kunskap"), segments=a[1].segments)]
    with pytest.raises(InputError, match="'intervju1' has a different text .* character 12"):
        merge_codings(a, {"B": b}, reference_name="A")
    with pytest.raises(InputError, match="missing \\['intervju1'\\]"):
        merge_codings(a, {"B": a[:1]}, reference_name="A")


def test_outputs_methods_and_cli(tmp_path: Path):
    ts = _interviews(5)  # 5 groups: enough distinct resamples for an interval
    ref = [
        t.with_codes(()).__class__(
            t.id, t.text, segments=t.segments, codes=tuple(c for c in t.codes if c.coder == "A")
        )
        for t in ts
    ]
    oth = [
        t.__class__(t.id, t.text, segments=t.segments, codes=tuple(c for c in t.codes if c.coder == "B"))
        for t in ts
    ]
    write_jsonl(tmp_path / "ref.jsonl", ref)
    write_jsonl(tmp_path / "auto.jsonl", oth)
    runner = CliRunner()
    res = runner.invoke(
        app,
        [
            "compare",
            str(tmp_path / "ref.jsonl"),
            str(tmp_path / "auto.jsonl"),
            "--unit",
            "segment",
            "--out",
            str(tmp_path / "out"),
            "--n-boot",
            "100",
        ],
    )
    assert res.exit_code == 0, res.output
    data = json.loads((tmp_path / "out" / "results.json").read_text())
    assert data["unit"] == "segment" and data["n_units"] == 30 and data["n_disagreements"] == 25
    kappa = next(s for s in data["stats"] if s["target"] == "polarity" and s["name"] == "cohen_kappa")
    assert kappa["value"] == pytest.approx(cohen_kappa(A_POL * 5, B_POL * 5))
    assert "95% CI" in data["methods"] and "30 segments" in data["methods"]
    assert "| polarity | A vs B | Cohen's kappa |" in (tmp_path / "out" / "results.md").read_text()
    assert (tmp_path / "out" / "disagreements.csv").read_text().count("trust_culture") >= 3
    # the unit is a required, explicit choice
    res = runner.invoke(app, ["compare", str(tmp_path / "ref.jsonl"), str(tmp_path / "auto.jsonl")])
    assert res.exit_code != 0 and "--unit" in res.output
    # one file holding two coders needs --reference/--other
    write_jsonl(tmp_path / "both.jsonl", ts)
    res = runner.invoke(app, ["compare", str(tmp_path / "both.jsonl"), "--unit", "segment"])
    assert isinstance(res.exception, ConfigError) and "--reference CODER --other CODER" in str(res.exception)
    res = runner.invoke(
        app,
        [
            "compare",
            str(tmp_path / "both.jsonl"),
            "--unit",
            "segment",
            "--reference",
            "A",
            "--other",
            "B",
            "--n-boot",
            "0",
        ],
    )
    assert res.exit_code == 0 and "Cohen's kappa" in res.output


def test_write_comparison_nan_is_null(tmp_path: Path):
    ts = _interviews(1, coders=(("A", ["driver"] * 6, A_CON), ("B", ["driver"] * 6, B_CON)))
    r = compare(ts, unit="segment", reference="A", others=["B"], n_boot=0)
    write_comparison(r, tmp_path)
    data = json.loads((tmp_path / "results.json").read_text())
    k = next(s for s in data["stats"] if s["target"] == "polarity" and s["name"] == "cohen_kappa")
    assert k["value"] is None and "undefined" in k["reason"]
    assert "undefined: Cohen's kappa is undefined" in markdown_report(r)


# The bundled klynger corpus (corpora/klynger, committed): two independent (AI-assisted) codings of real excerpts.
KLYNGER = Path(__file__).parents[1] / "corpora" / "klynger"


def test_klynger_coder1_vs_coder2_matches_sklearn_and_the_readme():
    from sklearn.metrics import f1_score
    from sklearn.preprocessing import MultiLabelBinarizer

    from nlp.corpora import load

    assert KLYNGER.is_dir(), "the bundled corpus corpora/klynger is committed with the repository"
    c = load("klynger")
    r = compare(
        c.transcripts, unit="segment", reference="coder1", others=["coder2"], codebook=c.codebook, n_boot=200
    )
    units = c.units()
    a, b = [u.polarity("coder1") for u in units], [u.polarity("coder2") for u in units]
    assert r.n_units == len(units)
    assert r.get("polarity", "cohen_kappa").value == pytest.approx(cohen_kappa_score(a, b))
    mlb = MultiLabelBinarizer(classes=c.codebook.ids).fit([c.codebook.ids])
    f1 = f1_score(
        mlb.transform([u.concepts("coder1") for u in units]),
        mlb.transform([u.concepts("coder2") for u in units]),
        average="micro",
    )
    assert r.get("concepts", "micro_f1").value == pytest.approx(f1)
    assert 0.45 < r.get("polarity", "cohen_kappa").value < 0.75 and 0.45 < f1 < 0.75  # README: "about 0.6"
    short = sum(len(re.findall(r"\w+", u.text)) < 4 for u in units)
    r4 = compare(c.transcripts, unit="segment", reference="coder1", others=["coder2"], min_words=4, n_boot=0)
    assert r4.n_units == len(units) - short and short > 0
    assert np.isfinite(r.get("polarity", "cohen_kappa").ci_low)


def test_per_code_rows_carry_bootstrap_intervals_over_groups():
    ts = _interviews(5)
    ts[0] = ts[0].with_codes([])  # one interview differs, so the intervals have width
    r = compare(ts, unit="segment", reference="A", others=["B"], n_boot=300, random_state=3)
    rows = [row for row in r.per_code if row["n_reference"] and row["n_other"]]
    assert rows
    for row in rows:
        assert row["f1_ci_low"] <= row["f1"] <= row["f1_ci_high"]
    again = compare(ts, unit="segment", reference="A", others=["B"], n_boot=300, random_state=3)
    assert [x["f1_ci_low"] for x in again.per_code] == [x["f1_ci_low"] for x in r.per_code]
    assert "(" in markdown_report(r).split("## Per code")[1]


def test_left_out_lines_never_count_a_unit_twice():
    ts = _interviews(2)
    # turn 0: neither coder gives polarity; turn 1: only A; turn 2: only B
    drop = {(0, "A"), (0, "B"), (1, "B"), (2, "A")}
    out = []
    for t in ts:
        starts = [s.start for s in t.segments]
        keep = tuple(
            c
            for c in t.codes
            if not (
                c.code.startswith("polarity:")
                and (starts.index(max(x for x in starts if x <= c.start)), c.coder) in drop
            )
        )
        out.append(t.__class__(t.id, t.text, segments=t.segments, codes=keep))
    r = compare(out, unit="segment", reference="A", others=["B"], n_boot=0)
    assert (
        sorted(r.excluded.values()) == [2, 2, 2] and sum(r.excluded.values()) == 6
    )  # 3 turns x 2 interviews
    assert r.get("polarity", "cohen_kappa").n_units == 12 - 6
    keys = " | ".join(r.excluded)
    assert "by neither A nor B" in keys and "by A only" in keys and "by B only" in keys


def test_three_coders_get_ac1_bp_conger_with_intervals_and_fleiss_is_labelled():
    c_pol = ["driver", "barrier", "driver", "neutral", "driver", "driver"]
    ts = _interviews(6, coders=(("A", A_POL, A_CON), ("B", B_POL, B_CON), ("C", c_pol, A_CON)))
    ts[0] = ts[0].with_codes([])
    r = compare(ts, unit="segment", reference="A", others=["B", "C"], n_boot=200)
    from nlp.agreement.coefficients import multi_coder_coefficients

    units = project_units(ts, unit="segment")
    expected = multi_coder_coefficients([[u.polarity(k) for u in units] for k in "ABC"])
    for name in ("gwet_ac1", "brennan_prediger", "conger_kappa", "krippendorff_alpha", "percent_agreement"):
        s = next(x for x in r.stats if x.other == "all" and x.name == name)
        assert s.value == pytest.approx(expected[name].value), name
        assert s.ci_low <= s.value <= s.ci_high, name
    text = methods_paragraph(r)
    assert "Conger's kappa" in text and "computed on the 36 units coded by every coder" in text
    assert "Fleiss' kappa (units coded by every coder)" in markdown_report(r)


def test_methods_paragraph_says_categories_groups_overlap_rule_and_provenance():
    cb = Codebook("test", CODEBOOK.codes, polarity=("driver", "barrier", "neutral", "mixed"))
    ts = [
        t.__class__(
            t.id,
            t.text,
            segments=t.segments,
            codes=t.codes,
            meta={"codings": {"B": "made with AI assistance from the excerpt alone"}},
        )
        for t in _interviews(5)
    ]
    r = compare(ts, unit="segment", reference="A", others=["B"], codebook=cb, n_boot=100)
    text = methods_paragraph(r)
    assert "For polarity (driver, barrier, neutral, mixed;" in text
    assert "whole transcripts (5 groups, one per transcript)" in text and "interview group" not in text
    assert "overlaps it by at least half of the shorter" in text
    assert "The coding B: made with AI assistance from the excerpt alone." in text
    assert "worth about 5.0 equally large ones" in text and "rough and probably too narrow" in text
    # groups from the segments' meta, with what they are, nested in transcripts that are whole documents
    seg = []
    for t in _interviews(2):
        segs = tuple(
            s.__class__(
                s.start,
                s.end,
                speaker=s.speaker,
                kind=s.kind,
                id=s.id,
                meta={
                    "group": f"{t.id}:{j % 3}",
                    "group_kind": "informant" if j % 3 else "section with unidentified speakers",
                },
            )
            for j, s in enumerate(t.segments)
        )
        seg.append(
            t.__class__(t.id, t.text, segments=segs, codes=t.codes, meta={"document": "a whole thesis"})
        )
    r = compare(seg, unit="segment", reference="A", others=["B"], n_boot=100)
    text = methods_paragraph(r)
    assert (
        "6 groups of units as the data define them (the segments' meta 'group': informant: 4; section with "
        "unidentified speakers: 2), nested in 2 transcripts" in text
    )
    assert "2 transcripts are each a whole thesis" in text


def test_undefined_replicates_are_counted_and_warned_about_above_five_percent():
    ts = _interviews(8)
    # only interview 0 uses "resources" (A) and B never does: F1 undefined in every resample without interview 0
    ts = [
        t
        if i == 0
        else t.__class__(
            t.id, t.text, segments=t.segments, codes=tuple(c for c in t.codes if c.code != "resources")
        )
        for i, t in enumerate(ts)
    ]
    r = compare(ts, unit="segment", reference="A", others=["B"], n_boot=500, random_state=1)
    row = next(x for x in r.per_code if x["code"] == "resources")
    # P(interview 0 not drawn) = (7/8)^8 = 34 %
    assert 0.25 * 500 < row["f1_boot_dropped"] < 0.45 * 500
    assert any("resources (B)" in w and "more than 5%" in w for w in r.warnings)
    assert "were left out of its interval and counted" in methods_paragraph(r)


def test_nvivo_kappa_is_an_option_and_not_the_default():
    t1 = Transcript("k1", "a" * 10, codes=(CodeSpan("c", 0, 5, "A"), CodeSpan("c", 0, 5, "B")))
    t2 = Transcript(
        "k2", "b" * 30, codes=(CodeSpan("c", 0, 10, "A"), CodeSpan("c", 5, 15, "B"), CodeSpan("d", 0, 3, "A"))
    )
    ours = compare([t1, t2], unit="character", reference="A", others=["B"], n_boot=0)
    nv = compare([t1, t2], unit="character", reference="A", others=["B"], n_boot=0, nvivo_kappa=True)
    row = lambda r, code, src: next(x for x in r.per_code if x["code"] == code and x["source"] == src)
    assert math.isnan(row(ours, "d", "k1")["cohen_kappa"]) and "undefined" in row(ours, "d", "k1")["reason"]
    assert row(nv, "d", "k1")["cohen_kappa"] == 1.0 and row(nv, "d", "k1")["reason"] is None
    k2 = row(ours, "d", "k2")["cohen_kappa"]
    assert row(ours, "d", "(pooled)")["kappa_size_weighted_mean"] == pytest.approx(k2)
    assert row(nv, "d", "(pooled)")["kappa_size_weighted_mean"] == pytest.approx((10 * 1.0 + 30 * k2) / 40)
    assert "following NVivo" in methods_paragraph(nv) and "following NVivo" not in methods_paragraph(ours)
    with pytest.raises(ConfigError, match="character-level convention"):
        compare([t1, t2], unit="segment", reference="A", others=["B"], nvivo_kappa=True)


def test_compare_help_explains_the_nvivo_difference_and_the_option_works(tmp_path: Path):
    runner = CliRunner()
    res = runner.invoke(app, ["compare", "--help"], terminal_width=200)
    assert res.exit_code == 0
    flat = " ".join(res.output.split())
    assert "--nvivo-kappa" in flat and "NVivo reports 1" in flat and "as NVivo)" not in flat
    t = Transcript(
        "k1", "a" * 10, codes=(CodeSpan("c", 0, 5, "A"), CodeSpan("c", 0, 5, "B"), CodeSpan("d", 0, 3, "A"))
    )
    u = Transcript("k2", "b" * 10, codes=(CodeSpan("c", 0, 5, "A"), CodeSpan("c", 0, 4, "B")))
    write_jsonl(tmp_path / "both.jsonl", [t, u])
    res = runner.invoke(
        app,
        [
            "compare",
            str(tmp_path / "both.jsonl"),
            "--unit",
            "character",
            "--reference",
            "A",
            "--other",
            "B",
            "--nvivo-kappa",
            "--n-boot",
            "0",
            "--out",
            str(tmp_path / "o"),
        ],
    )
    assert res.exit_code == 0, res.output
    rows = (tmp_path / "o" / "per_code.csv").read_text().splitlines()
    assert any(r.startswith("d,k2,") and ",1.0," in r for r in rows)


def test_per_code_paradox_warning_uses_prevalence_and_bias():
    from nlp.agreement.tables import per_code_rows

    # rows: reference absent/present, columns: other absent/present (one group, one code)
    fifteen = np.array([[[[766, 84], [84, 66]]]], dtype=float)  # code on 15 % of units, F1 0.44: no warning
    (row,) = per_code_rows(fifteen, ["x"], "A", "B")
    assert row["f1"] == pytest.approx(0.44) and row["percent_agreement"] > 0.8 and row["cohen_kappa"] < 0.4
    assert row["warning"] is None
    five = np.array([[[[91, 4], [4, 1]]]], dtype=float)  # code on 5 % of units: prevalence explains the gap
    (row,) = per_code_rows(five, ["x"], "A", "B")
    assert "very rare" in row["warning"] and "(F1) is only 0.20" in row["warning"]
