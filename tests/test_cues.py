"""The codebook's cue words as a concept coder (nlp.classify.cues) and the leave-one-study-out evaluation."""

import numpy as np
import pytest

from nlp.classify import AutoCoder
from nlp.classify.cues import CueCoder, CueMatcher, compile_cue, polarity_cue_counts, token_stream
from nlp.classify.transfer import adaptation_runs, informant_split, leave_one_study_out
from nlp.codebook import Code, Codebook
from nlp.errors import ConfigError
from nlp.features import analyse_texts

CODEBOOK = Codebook(
    name="test",
    codes=(
        Code(
            id="knowledge_sharing",
            cues=("kunnskapsdel*", "lær* av hverandre", "dele* erfaring*", "videndel*"),
        ),
        Code(id="competition", cues=("konkurrent*", "konkurranse")),
        Code(id="research", cues=("FoU*", "R&D", "forskning")),
        Code(id="empty"),
    ),
    polarity_cues={
        "driver": ("nyttig*", "fungerer godt", "viktig for"),
        "barrier": ("problem*", "utfordr*", "ikke nok", "mangel på"),
        "negators": ("ikke", "ikke noe", "ingen", "uten", "i liten grad"),
    },
)


def stream(text):
    return token_stream(analyse_texts([text], lang="nb")[0])


@pytest.mark.parametrize(
    "text, expected",
    [
        (
            "Vi lærer av hverandre hele tiden.",
            ["lær* av hverandre"],
        ),  # prefix on a non-final word of a phrase
        ("Vi lærte mye av hverandre.", []),  # a phrase needs consecutive words
        ("Vi lærer, av hverandre.", []),  # punctuation ends a phrase
        ("Vi lærer eh av hverandre.", ["lær* av hverandre"]),  # a filler does not
        ("Kunnskapsdelingen er god.", ["kunnskapsdel*"]),  # prefix, case-insensitive
        ("Konkurransen er hard.", ["konkurranse"]),  # exact cue word = the lemma of an inflected form
        ("Konkurranser.", ["konkurranse"]),
        ("Vi deler erfaringer.", ["dele* erfaring*"]),
        ("De har R&D og FoU-prosjekter.", ["R&D", "FoU*"]),  # cues tokenised as texts are
        ("Det gir forskningsmidler.", []),  # no *: not a prefix
    ],
)
def test_cue_matching_on_surface_forms_and_lemmas(text, expected):
    coder = CueCoder(codebook=CODEBOOK, lang="nb").fit()
    found = [cue for cues in coder.code_matches([text])[0].values() for cue in cues]
    assert sorted(found) == sorted(expected)


def test_compile_cue_splits_words_and_marks_prefixes():
    assert compile_cue("dele* erfaring*") == (("dele", True), ("erfaring", True))
    assert compile_cue("IT-*") == (("it-", True),)
    assert compile_cue("  ") == ()


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Det er nyttig for oss.", (1, 0, 0)),
        ("Det er et problem.", (0, 1, 0)),
        ("Det er ikke nyttig.", (0, 1, 1)),  # negated driver -> barrier
        ("Det er ikke noe problem.", (1, 0, 1)),  # negated barrier -> driver; "ikke noe" is one negator
        ("Vi har ikke nok folk.", (0, 1, 0)),  # a negator inside a polar cue keeps the cue's side
        ("Ikke sant, det er nyttig.", (1, 0, 0)),  # "ikke sant" is a discourse marker, not a negation
        ("Ikke det, men nyttig.", (1, 0, 1)),  # punctuation ends the negation's scope
        ("Ingen av dem syntes at det var veldig nyttig.", (1, 0, 1)),  # beyond the scope (3 tokens)
        ("Det fungerer godt.", (1, 0, 0)),
        ("Det var i liten grad nyttig.", (0, 1, 1)),
    ],
)
def test_polarity_cue_counts_with_negation_scope(text, expected):
    matcher = CueMatcher(dict(CODEBOOK.polarity_cues))
    assert polarity_cue_counts(stream(text), matcher) == expected


def test_cue_coder_predicts_codes_and_polarity_and_caps_codes():
    coder = CueCoder(codebook=CODEBOOK, lang="nb", max_codes=1).fit()
    texts = [
        "Vi deler erfaringer med konkurrentene, og konkurrentene er mange. Det er nyttig.",
        "Forskning er et problem.",
        "Ingenting her.",
    ]
    preds = coder.predict(texts)
    assert preds[0] == (("competition",), "driver")  # two competition hits beat one of knowledge sharing
    assert preds[1] == (("research",), "barrier")
    assert preds[2] == ((), "neutral")  # no cue: no code, the default polarity
    all_codes = CueCoder(codebook=CODEBOOK, lang="nb", max_codes=None).fit().predict(texts[:1])[0][0]
    assert all_codes == ("knowledge_sharing", "competition")  # codebook order
    pc, pp = coder.predict_proba(texts)
    assert pc.shape == (3, 4) and pp.shape == (3, 3) and pc[0, 1] == pytest.approx(2 / 3)
    assert coder.classes_ == ["knowledge_sharing", "competition", "research", "empty"]


def test_cue_coder_learns_the_default_polarity_and_min_hits():
    coder = CueCoder(codebook=CODEBOOK, lang="nb").fit(
        ["a", "b", "c"], [set()] * 3, ["driver", "driver", None]
    )
    assert coder.predict(["Ingenting her."])[0][1] == "driver"
    two = CueCoder(codebook=CODEBOOK, lang="nb", min_hits=2).fit()
    assert two.predict(["Konkurrentene.", "Konkurrentene og konkurransen."])[0][0] == ()
    assert two.predict(["Konkurrentene og konkurransen."])[0][0] == ("competition",)


def test_cue_coder_takes_analyses_units_and_strings_alike():
    from nlp.corpora import load

    coder = CueCoder(codebook=CODEBOOK, lang="nb").fit()
    analysis = analyse_texts(["Vi deler eh erfaringene."], lang="nb")[0]
    assert coder.predict([analysis]) == coder.predict(["Vi deler eh erfaringene."])
    assert coder.predict([analysis])[0][0] == ("knowledge_sharing",)
    units = load("klynger").units()[
        :20
    ]  # units carry their analysis made in context, as nlp preprocess writes it
    bundled = CueCoder(codebook=load("klynger").codebook).fit()
    assert bundled.predict(units) == bundled.predict([u.analysis for u in units])


def test_danish_cues_match_danish_text():
    coder = CueCoder(codebook=CODEBOOK, lang="da").fit()
    assert coder.predict(["Videndelingen mellem virksomhederne er stor."])[0][0] == ("knowledge_sharing",)


def test_cue_statistics_count_fired_and_right():
    coder = CueCoder(codebook=CODEBOOK, lang="nb").fit()
    texts = ["Konkurrentene er mange.", "Konkurrentene samarbeider.", "Konkurranse og konkurrenter."]
    gold = [{"competition"}, {"knowledge_sharing"}, {"competition"}]
    rows = {(r["code"], r["cue"]): r for r in coder.cue_statistics(texts, gold)}
    assert rows[("competition", "konkurrent*")] == {
        "code": "competition",
        "cue": "konkurrent*",
        "fired": 3,
        "right": 2,
        "precision": pytest.approx(2 / 3),
    }
    assert rows[("competition", "konkurranse")]["fired"] == 1
    assert rows[("knowledge_sharing", "videndel*")]["precision"] is None  # never fired
    assert len(rows) == sum(len(c.cues) for c in CODEBOOK.codes)  # every cue is listed, fired or not


def test_cue_coder_without_cues_is_a_clear_error():
    bare = Codebook(name="bare", codes=(Code(id="a"), Code(id="b")))
    with pytest.raises(ConfigError, match="no cue words"):
        CueCoder(codebook=bare).fit()
    with pytest.raises(ConfigError, match="needs a codebook"):
        CueCoder().fit()
    with pytest.raises(ConfigError, match="unknown keys"):
        CueCoder(codebook=CODEBOOK, polarity_cues={"drivers": ["x"]}).fit()


def test_bundled_codebook_cues_code_the_bundled_corpus_above_chance():
    from nlp.classify import coding_scores
    from nlp.corpora import load

    corpus = load("klynger")
    units = corpus.units()
    coder = CueCoder(codebook=corpus.codebook).fit(classes=list(corpus.codebook.ids))
    preds = coder.predict([u.text for u in units])
    s = coding_scores(
        [u.concepts("coder1") for u in units],
        [p[0] for p in preds],
        [u.polarity("coder1") for u in units],
        [p[1] for p in preds],
        classes=list(corpus.codebook.ids),
    )
    rng = np.random.default_rng(0)
    shuffled = [preds[i][0] for i in rng.permutation(len(preds))]
    chance = coding_scores(
        [u.concepts("coder1") for u in units],
        shuffled,
        [None] * len(units),
        [None] * len(units),
        classes=list(corpus.codebook.ids),
    )
    assert s["micro"]["f1"] > 0.35 > chance["micro"]["f1"] + 0.15


# -- leave one study out, adaptation ---------------------------------------------------------------------------
TEXTS = ["vi deler kunnskap", "konkurrenter overalt", "deler kunnskap med andre", "konkurranse hardt"] * 6
CODES = [{"ks"}, {"comp"}, {"ks"}, {"comp"}] * 6
POL = ["driver", "barrier", "driver", "barrier"] * 6
STUDIES = ["a"] * 8 + ["b"] * 8 + ["c"] * 8
GROUPS = [f"{s}{i // 2}" for i, s in enumerate(STUDIES)]


def small():
    return AutoCoder.from_params(word_analyzer="surface", char_ngrams=None, min_df=1, inner_folds=0)


def test_leave_one_study_out_never_trains_on_the_study_it_tags():
    seen = []

    class Spy(AutoCoder):
        def fit(self, texts, *a, **kw):
            seen.append(set(texts))
            return super().fit(texts, *a, **kw)

    texts = [f"{t} {s}" for t, s in zip(TEXTS, STUDIES)]  # the study's name is in its texts
    s = leave_one_study_out(
        lambda: Spy.from_params(word_analyzer="surface", char_ngrams=None, min_df=1, inner_folds=0),
        texts,
        CODES,
        POL,
        STUDIES,
        GROUPS,
        classes=["ks", "comp"],
        return_probabilities=True,
    )
    assert [sorted({t.split()[-1] for t in fit}) for fit in seen] == [["b", "c"], ["a", "c"], ["a", "b"]]
    assert s["micro"]["f1"] == 1.0 and s["polarity"]["kappa"] == 1.0
    assert s["p_codes"].shape == (24, 2) and len(s["predictions"]) == 24 and s["codes_per_unit"] == 1.0
    with pytest.raises(ValueError, match="at least 2 studies"):
        leave_one_study_out(small, TEXTS, CODES, POL, ["a"] * 24, GROUPS, classes=["ks", "comp"])


def test_informant_split_keeps_informants_apart_and_is_seeded():
    groups = ["a"] * 5 + ["b"] * 3 + ["c"] * 2 + ["d"] * 4
    for seed in range(5):
        pool, test = informant_split(groups, seed=seed)
        assert sorted(pool + test) == list(range(len(groups)))
        assert not {groups[i] for i in pool} & {groups[i] for i in test}
        assert test and len(pool) >= len(groups) / 2
        assert informant_split(groups, seed=seed) == (pool, test)
    assert informant_split(["a", "a"], seed=0) == ([0, 1], [])  # one informant: nothing left to test on


def test_adaptation_runs_add_own_excerpts_from_the_pool_only():
    runs = list(
        adaptation_runs(
            small,
            TEXTS,
            CODES,
            POL,
            STUDIES,
            GROUPS,
            classes=["ks", "comp"],
            ks=(0, 2, 4),
            seeds=(0, 1),
            own_weights=(1, 3),
        )
    )
    for r in runs:
        assert not set(r["own"]) & set(r["test"])
        assert {GROUPS[i] for i in r["own"]}.isdisjoint({GROUPS[i] for i in r["test"]})
        assert {STUDIES[i] for i in r["own"] + r["test"]} == {r["study"]}
        assert len(r["own"]) == r["k"] and r["p_codes"].shape == (len(r["test"]), 2)
    keys = {(r["study"], r["k"], r["order"], r["weight"]) for r in runs}
    assert ("a", 0, "none", 0) in keys and ("b", 4, "suggest", 3) in keys and ("c", 2, "random", 1) in keys
    # the same seed gives the same test part for every k
    tests = {(r["study"], r["seed"]): r["test"] for r in runs if r["k"] == 0}
    assert all(r["test"] == tests[(r["study"], r["seed"])] for r in runs)


BATCH = [
    "Vi lærer av hverandre, og vi lærer eh av hverandre hver dag.",
    "Det var ikke noe problem, men ikke nyttig; mangel på folk er en utfordring.",
    "Konkurrentene og konkurransen, R&D og FoU-prosjekter.",
    "",
    "ikke",
    "Det er ikke nok kunnskapsdeling. Lær av",
    "Vi deler erfaringer i liten grad, uten problemer.",
]


def _oracle(s, matcher):
    """Every cue tried at every position of one stream, word by word (no index, no cache)."""
    out = []
    for pos in range(len(s)):
        for label, cue, words in matcher.cues:
            if pos + len(words) <= len(s) and all(
                (s.surfaces[pos + j].startswith(w) or s.lemmas[pos + j].startswith(w))
                if prefix
                else w in (s.surfaces[pos + j], s.lemmas[pos + j])
                for j, (w, prefix) in enumerate(words)
            ):
                out.append((label, cue, pos, pos + len(words)))
    return out


def test_cue_hits_of_a_batch_are_those_of_each_segment_alone():
    coder = CueCoder(codebook=CODEBOOK, lang="nb").fit()
    analyses = analyse_texts(BATCH, lang="nb")
    streams = [token_stream(a) for a in analyses]
    for s in streams:  # the indexed matcher finds what trying every cue everywhere finds, in the same order
        assert coder.matcher_.matches(s) == _oracle(s, coder.matcher_)
        assert coder.polarity_matcher_.matches(s) == _oracle(s, coder.polarity_matcher_)
    hc, hp = coder.hits(analyses)
    assert np.array_equal(hp, [polarity_cue_counts(s, coder.polarity_matcher_) for s in streams])
    for k, s in enumerate(streams):
        one_c, one_p = coder.hits([analyses[k]])
        assert np.array_equal(one_c[0], hc[k]) and np.array_equal(one_p[0], hp[k])
        starts = {(label, a) for label, _, a, _ in _oracle(s, coder.matcher_)}
        assert hc[k].tolist() == [sum(lab == c for lab, _ in starts) for c in coder.classes_]
    again_c, again_p = coder.hits(streams[::-1])  # token streams, reversed: same rows, warm caches
    assert np.array_equal(again_c[::-1], hc) and np.array_equal(again_p[::-1], hp)
    assert hp[1].tolist() == [1, 3, 2] and hc[0, coder.classes_.index("knowledge_sharing")] == 2
