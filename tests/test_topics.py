"""Topic models: estimator contract, separation of clear themes, guided seeds, quality measures, outputs, CLI."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.metrics import normalized_mutual_info_score

from nlp.codebook import Code, Codebook
from nlp.errors import ConfigError, DataWarning, InputError
from nlp.features import as_analyses
from nlp.model import CodeSpan, Segment, Transcript, iter_units, write_jsonl
from nlp.topics import (
    LdaTopics,
    NmfTopics,
    codebook_seed_topics,
    coherence,
    distinctive_words,
    make_documents,
    match_topics,
    parse_k_range,
    recommend_k,
    summarize_topics,
    sweep_topics,
    topic_diversity,
    topic_stability,
    weighted_nmi,
    write_topic_outputs,
)

# Two clear themes, bokmål and Danish: fishing (sea, boats, cod) and software (data, cloud, programs).
FISH = [
    "Vi fisker torsk fra båten når havet er rolig",
    "Båten går ut på havet for å fiske torsk og sei",
    "Fiskerne har båt og garn, og havet gir torsk",
    "Torsk og sei i havet, fisket fra båten hele vinteren",
    "Fiskeren tar båten ut på havet og fisker torsk",
    "Vi fisker fra båden når havet er roligt, mest torsk",
]
SOFT = [
    "Vi lagrer data i skyen med ny programvare",
    "Programvaren henter data fra skyen hver dag",
    "Data i skyen gjør programvaren rask og digital",
    "Den digitale programvaren lagrer data sikkert i skyen",
    "Utviklerne skriver programvare som bruker data fra skyen",
    "Vi gemmer data i skyen med ny programvare",
]
DOCS = FISH + SOFT
STOP = {
    "vi",
    "fra",
    "når",
    "er",
    "går",
    "ut",
    "på",
    "for",
    "å",
    "og",
    "har",
    "gir",
    "i",
    "hele",
    "tar",
    "med",
    "ny",
    "hver",
    "gjør",
    "den",
    "som",
    "mest",
    "fisket",
    "fiskerne",
    "fiskeren",
    "fisker",
    "fiske",
    "dag",
    "rask",
    "sikkert",
    "utviklerne",
    "skriver",
    "bruker",
    "henter",
    "gemmer",
    "lagrer",
    "digitale",
    "digital",
    "roligt",
    "rolig",
    "vinteren",
    "garn",
    "sei",
    "båden",
}


def analyzer(doc) -> list[str]:
    """A stand-in term stream (an analysis' surface words minus a small stop list): clear themes, independent of the
    lemma tables; a string is analysed first."""
    (a,) = as_analyses([doc])
    return [w for w in a.surface_words() if w not in STOP]


FISH_WORDS = {"torsk", "båten", "havet"}
SOFT_WORDS = {"data", "skyen", "programvaren", "programvare"}


def _theme(words: list[str]) -> str:
    f, s = len(set(words) & FISH_WORDS), len(set(words) & SOFT_WORDS)
    return "fish" if f > s else "soft" if s > f else "mixed"


@pytest.mark.parametrize("cls", [LdaTopics, NmfTopics])
def test_two_clear_themes_are_separated(cls):
    model = cls(n_topics=2, analyzer=analyzer, random_state=0).fit(DOCS)
    themes = sorted(_theme([w for w, _ in t[:3]]) for t in model.top_words(3))
    assert themes == ["fish", "soft"]
    theta = model.transform(DOCS)
    assert theta.shape == (12, 2)
    np.testing.assert_allclose(theta.sum(axis=1), 1.0)
    fish_topic = 0 if _theme([w for w, _ in model.top_words(3)[0]]) == "fish" else 1
    assert (theta[:6].argmax(axis=1) == fish_topic).all()
    assert (theta[6:].argmax(axis=1) != fish_topic).all()


@pytest.mark.parametrize("cls", [LdaTopics, NmfTopics])
def test_same_seed_same_model_and_transform_is_order_independent(cls):
    a = cls(n_topics=2, analyzer=analyzer, random_state=3).fit(DOCS)
    b = cls(n_topics=2, analyzer=analyzer, random_state=3).fit(DOCS)
    np.testing.assert_array_equal(a.components_, b.components_)
    full = a.transform(DOCS)
    np.testing.assert_array_equal(full, a.transform(DOCS))  # no hidden state between calls
    np.testing.assert_allclose(a.transform([DOCS[7]])[0], full[7], atol=1e-12)


def test_default_analyzer_is_the_project_analyzer():
    model = NmfTopics(n_topics=2, min_df=1).fit(DOCS)  # analyzer=None: content lemmas of the analysis
    vocab = set(model.feature_names_)
    assert {"torsk", "data"} <= vocab and not vocab & {"og", "vi", "på", "i"}  # lemmas kept, stop words gone


def test_estimator_contract_clone_and_not_fitted():
    est = LdaTopics(n_topics=3, analyzer=analyzer, passes=5, random_state=1)
    assert clone(est).get_params() == est.get_params()
    with pytest.raises(NotFittedError):
        est.transform(DOCS)
    assert est.fit(DOCS) is est
    assert list(est.feature_names_) == sorted(est.feature_names_)
    assert est.vocabulary_[est.feature_names_[0]] == 0
    with pytest.raises(TypeError):
        LdaTopics(3)  # keyword-only


def test_bad_input_errors_say_what_to_change():
    with pytest.raises(InputError, match="lower --k to at most 12"):
        LdaTopics(n_topics=13, analyzer=analyzer, min_df=1).fit(DOCS)
    with pytest.raises(InputError, match="no words are left"):
        NmfTopics(n_topics=2, analyzer=lambda s: [], min_df=1).fit(DOCS)
    with pytest.raises(InputError, match="at least 2 documents"):
        LdaTopics(n_topics=1, analyzer=analyzer, min_df=1).fit(["torsk og båt"])
    with pytest.raises(InputError, match="single string"):
        LdaTopics(n_topics=2, analyzer=analyzer).fit("torsk båt hav")
    with pytest.raises(ConfigError, match="only available for LDA"):
        NmfTopics(n_topics=2, analyzer=analyzer, seed_topics={"x": ["torsk"]}).fit(DOCS)
    with pytest.raises(ConfigError, match="seed topics were given"):
        LdaTopics(n_topics=1, analyzer=analyzer, seed_topics=[["torsk"], ["data"]]).fit(DOCS)
    with pytest.raises(ConfigError, match="positive integer"):
        LdaTopics(n_topics=0, analyzer=analyzer).fit(DOCS)


@pytest.mark.parametrize("order", [("fish", "soft"), ("soft", "fish")])
def test_guided_seeds_decide_which_topic_is_which(order):
    seeds = {"fish": ["torsk", "båten"], "soft": ["data", "skyen"]}
    model = LdaTopics(
        n_topics=2,
        analyzer=analyzer,
        seed_topics={k: seeds[k] for k in order},
        seed_strength=2.0,
        passes=10,
        random_state=0,
    ).fit(DOCS)
    assert [_theme([w for w, _ in t]) for t in model.top_words(3)] == list(order)
    assert model.topic_names_ == list(order)


def test_seed_topic_without_vocabulary_words_warns():
    with pytest.warns(DataWarning, match="nothing"):
        LdaTopics(n_topics=2, analyzer=analyzer, seed_topics={"nothing": ["ukjentord"]}, passes=2).fit(DOCS)


def test_coherence_npmi_matches_hand_computed_values():
    # 4 documents shorter than the window: each document is one window.
    together = [["a", "b"], ["a", "b"], ["c"], ["d"]]  # p(a)=p(b)=p(a,b)=1/2 -> NPMI = 1
    assert coherence([["a", "b"]], together)[0] == pytest.approx(1.0, abs=1e-6)
    independent = [["a", "b"], ["a"], ["b"], ["c"]]  # p(a,b)=1/4 = p(a)p(b) -> NPMI = 0
    assert coherence([["a", "b"]], independent)[0] == pytest.approx(0.0, abs=1e-6)
    with pytest.raises(InputError, match="not found"):
        coherence([["a", "zzz"]], together)


def test_diversity_stability_and_matching():
    assert topic_diversity([["a", "b"], ["a", "c"]], topn=2) == 0.75
    run1 = [["torsk", "båt", "hav"], ["data", "sky", "kode"]]
    run2 = [["data", "sky", "app"], ["torsk", "båt", "hav"]]
    assert match_topics(run1, run2) == [(0, 1, 1.0), (1, 0, 0.5)]
    assert topic_stability([run1, run2]) == pytest.approx(0.75)
    assert topic_stability([run1, run1[::-1]]) == 1.0
    with pytest.raises(ConfigError):
        topic_stability([run1])


def test_k_range_and_recommendation():
    assert parse_k_range("2:10:4") == [2, 6, 10]
    assert parse_k_range("8, 4") == [4, 8]
    for bad in ("a:b", "0:3", "", "5:2:0"):
        with pytest.raises(ConfigError):
            parse_k_range(bad)
    rows = [
        {"k": 2, "c_npmi": 0.0, "stability": 0.2},
        {"k": 3, "c_npmi": 0.2, "stability": 0.9},
        {"k": 4, "c_npmi": 0.1, "stability": 0.1},
    ]
    assert recommend_k(rows, metrics=("c_npmi", "stability")) == 3
    flat = [{"k": 5, "c_npmi": 0.1}, {"k": 3, "c_npmi": 0.1}]
    assert recommend_k(flat, metrics=("c_npmi",)) == 3  # ties go to the smaller K


def test_sweep_reports_every_k_and_recommends_one_of_them():
    res = sweep_topics(DOCS, estimator=NmfTopics(analyzer=analyzer), k_values=[3, 2], seeds=[0, 1])
    assert [r["k"] for r in res.rows] == [2, 3]
    for r in res.rows:
        assert -1 <= r["c_npmi"] <= 1 and 0 <= r["stability"] <= 1 and 0 < r["diversity"] <= 1
        assert "fit_seconds" not in res.table()[0]
    assert res.recommended_k in (2, 3)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 3), st.integers(0, 4)), min_size=2, max_size=40))
def test_weighted_nmi_equals_sklearn_with_unit_weights(pairs):
    a, b = [p[0] for p in pairs], [p[1] for p in pairs]
    assert weighted_nmi(a, b) == pytest.approx(normalized_mutual_info_score(a, b), abs=1e-9)


def test_distinctive_words_and_codebook_seeds():
    texts = [analyzer(d) for d in DOCS]
    labels = [{"fiske"}] * 6 + [{"digital"}] * 6
    words = distinctive_words(texts, labels, n=3)
    assert set(words["fiske"]) <= FISH_WORDS and set(words["digital"]) <= SOFT_WORDS | {"data"}
    cb = Codebook(
        name="cb",
        codes=(
            Code(id="fiske", names={"nb": "Fiske og hav"}, cues=("båden",)),
            Code(id="digital", names={"nb": "Digitalisering"}),
        ),
    )
    seeds = codebook_seed_topics(cb, analyzer=analyzer, documents=DOCS, labels=labels)
    assert list(seeds) == ["fiske", "digital"]  # codebook order
    assert "havet" not in seeds["fiske"] or "havet" in words["fiske"]
    assert {"hav"} <= set(seeds["fiske"]) and set(words["fiske"]) <= set(seeds["fiske"])


# --- documents, summaries and outputs -------------------------------------------------------------------------
def _transcripts() -> list[Transcript]:
    out = []
    for name, texts, speaker, lang in (("t1", FISH, "Ola", "nb"), ("t2", SOFT, "Kari", "da")):
        text, segs, codes = "", [], []
        for i, t in enumerate(texts):
            start = len(text)
            text += t + "\n"
            segs.append(
                Segment(
                    start=start,
                    end=start + len(t),
                    speaker=speaker if i % 3 else "Intervjuer",
                    kind="question" if i == 5 else "answer",
                    lang=lang,
                    id=f"{name}-{i}",
                    meta={"group": f"case-{name}"},
                )
            )
            codes.append(
                CodeSpan(
                    code="fiske" if name == "t1" else "digital",
                    start=start,
                    end=start + len(t),
                    coder="coder1",
                )
            )
        out.append(
            Transcript(
                id=name, text=text, segments=tuple(segs), codes=tuple(codes), source=f"{name}.txt", lang=lang
            )
        )
    return out


def test_make_documents_units():
    units = list(iter_units(_transcripts()))
    assert len(units) == 10  # the interviewer's turns are left out
    assert len(make_documents(units, unit="segment")) == 10
    turns = make_documents(units, unit="turn")
    assert [d.unit_ids for d in turns][:4] == [("t1-0",), ("t1-1", "t1-2"), ("t1-3",), ("t1-4",)]
    windows = make_documents(units, unit="window", window_size=4)
    assert [len(d.unit_ids) for d in windows] == [4, 1, 4, 1]
    inter = make_documents(units, unit="interview")
    assert [d.id for d in inter] == ["t1", "t2"] and inter[0].codes == {"coder1": frozenset({"fiske"})}
    assert inter[0].speaker is None and inter[0].group == "case-t1"
    with pytest.raises(ConfigError, match="segment, turn"):
        make_documents(units, unit="paragraph")


def _summary_and_files(tmp_path, name):
    units = list(iter_units(_transcripts(), include_interviewer=True))
    docs = make_documents(units, unit="segment")
    model = LdaTopics(n_topics=2, analyzer=analyzer, passes=10, random_state=0).fit(docs)
    summary = summarize_topics(model, docs, coder="coder1", n_excerpts=3, code_names={"fiske": "Fiske"})
    sweep = sweep_topics(
        docs, estimator=LdaTopics(analyzer=analyzer, passes=3), k_values=[2, 3], seeds=[0, 1]
    )
    paths = write_topic_outputs(summary, tmp_path / name, sweep=sweep)
    return summary, paths


def test_summary_outputs_are_complete_and_byte_identical(tmp_path):
    summary, paths = _summary_and_files(tmp_path, "a")
    _, paths_b = _summary_and_files(tmp_path, "b")
    names = sorted(p.name for p in paths)
    for expected in (
        "topics.json",
        "topics.md",
        "topics.csv",
        "top_words.csv",
        "excerpts.csv",
        "doc_topics.csv",
        "prevalence_case.csv",
        "prevalence_informant.csv",
        "prevalence_language.csv",
        "prevalence_transcript.csv",
        "topic_codes.csv",
        "k_sweep.csv",
        "top_words.png",
        "prevalence_case.png",
        "topic_codes.png",
        "k_sweep.png",
    ):
        assert expected in names
    for p, q in zip(sorted(paths), sorted(paths_b)):
        assert p.read_bytes() == q.read_bytes(), p.name
    assert not [p for p in (tmp_path / "a").iterdir() if p.name.endswith(".tmp")]
    data = json.loads((tmp_path / "a" / "topics.json").read_text(encoding="utf-8"))
    assert data["codes"]["nmi"] == pytest.approx(1.0)  # the two themes are exactly the two codes
    assert set(data["prevalence"]["language"]) == {"nb", "da"}
    assert set(data["prevalence"]["informant"]) == {"Ola", "Kari", "Intervjuer"}
    for t in summary.topics:
        assert 3 == len(t["excerpts"]) and t["label"]
        assert len({_theme(analyzer(e["text"])) for e in t["excerpts"]}) == 1  # excerpts from one theme
    md = (tmp_path / "a" / "topics.md").read_text(encoding="utf-8")
    assert "Representative excerpts" in md and "(recommended)" in md and "| Fiske |" in md


# --- CLI ----------------------------------------------------------------------------------------------------------
@pytest.fixture
def cli(monkeypatch):
    from typer.testing import CliRunner

    import nlp.topics
    from nlp.cli import app
    from nlp.topics import models

    monkeypatch.setattr(
        models, "default_analyzer", lambda: analyzer
    )  # keep the CLI tests fast and independent
    monkeypatch.setattr(nlp.topics, "default_analyzer", lambda: analyzer)
    runner = CliRunner()
    return lambda *args: runner.invoke(app, ["topics", *map(str, args)])


def test_cli_topics_on_jsonl(cli, tmp_path):
    src = tmp_path / "in.jsonl"
    write_jsonl(src, _transcripts())
    res = cli(src, "--k", 2, "--model", "nmf", "--out", tmp_path / "out", "--seeds", 2)
    assert res.exit_code == 0, res.output
    assert "stability" in res.output and (tmp_path / "out" / "topics.md").exists()
    res = cli(src, "--k", 40, "--out", tmp_path / "o2")
    assert isinstance(res.exception, InputError) and "lower --k" in str(res.exception)
    res = cli(src, "--out", tmp_path / "o3")
    assert isinstance(res.exception, ConfigError) and "--k-range" in str(res.exception)
    res = cli(src, "--corpus", "klynger", "--k", 2, "--out", tmp_path / "o4")
    assert isinstance(res.exception, ConfigError)


def test_cli_guided_sweep_on_bundled_corpus(cli, tmp_path):
    res = cli(
        "--corpus",
        "klynger",
        "--guided",
        "--k-range",
        "15:16",
        "--passes",
        2,
        "--seeds",
        2,
        "--out",
        tmp_path / "k",
        "--no-plots",
    )
    assert res.exit_code == 0, res.output
    data = json.loads((tmp_path / "k" / "topics.json").read_text(encoding="utf-8"))
    assert data["k_sweep"]["recommended_k"] in (15, 16)
    seeded = [t for t in data["topics"] if t["seed"]]
    assert len(seeded) == 15 and seeded[0]["label"].startswith("[Kunnskapsdeling]")
    assert data["codes"]["coder"] == "coder1" and 0 <= data["codes"]["nmi"] <= 1
