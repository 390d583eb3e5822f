"""The driver/barrier cue lexicon block of the polarity model: negation scope, phrases, languages, round trips."""

import numpy as np
import pytest

from nlp.classify import AutoCoder, explain, load_coder, save_coder, top_features
from nlp.classify.vectorize import POLARITY_CUE_NAMES, polarity_cues
from nlp.lang import polarity as lex


def _cues(text):
    row = polarity_cues([text])[0]
    return round(float(np.expm1(row[0]))), round(float(np.expm1(row[1])))  # (driver count, barrier count)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Det er en stor utfordring for oss", (0, 1)),  # nb barrier stem
        ("Det er ei utfordring å finne folk", (0, 1)),  # nn
        ("Det er en stor udfordring, desværre", (0, 2)),  # da
        ("Samarbeidet har vært veldig nyttig", (2, 0)),
        ("Det er ikke noe problem", (1, 0)),  # negated barrier counts as driver
        ("Det var aldri særlig nyttig", (0, 1)),  # negated driver counts as barrier
        ("Vi har for lite tid", (0, 1)),  # phrase
        ("Det er ikke nok folk", (0, 1)),  # phrase holding its own negation: not flipped
        ("Det fungerer godt", (1, 0)),
    ],
)
def test_cue_counts_negation_and_phrases(text, expected):
    assert _cues(text) == expected


def test_negation_scope_ends_after_three_words():
    assert lex.NEGATION_SCOPE == 3
    assert _cues("ikke en, to, tre problem") == (0, 1)  # 4 words after the negation: not flipped
    assert _cues("ikke en to problem") == (1, 0)


def test_short_stems_match_whole_words_only():
    assert _cues("bra") == (1, 0) and _cues("brakke") == (0, 0)
    assert not (lex.BARRIER & lex.DRIVER)


TEXTS = [
    "samarbeidet er en stor fordel",
    "vi lærer mye, det er nyttig",
    "det er et problem og en utfordring",
    "dessverre mangler vi folk",
    "vi møtes hver uke",
    "klyngen har et styre",
] * 4
CODES = [{"ks"}, {"ks"}, {"res"}, {"res"}, {"org"}, {"org"}] * 4
POL = ["driver", "driver", "barrier", "barrier", "neutral", "neutral"] * 4


def test_model_with_cues_round_trips_and_explains(tmp_path):
    m = AutoCoder.from_params(word_analyzer="surface", min_df=1).fit(
        TEXTS, CODES, POL, groups=list(range(len(TEXTS)))
    )
    assert m.polarity.extra_features_ == list(POLARITY_CUE_NAMES)
    assert m.polarity.coef_.shape[1] == len(m.polarity.vectorizer_.vocabulary_) + len(POLARITY_CUE_NAMES)
    # concepts do not see the cue block at all
    assert m.concepts.coef_.shape[1] == len(m.concepts.vectorizer_.vocabulary_)
    new = ["en utfordring for klyngen", "et nyttig samarbeid"]
    m2 = load_coder(save_coder(m, tmp_path / "m"))
    for a, b in zip(m.predict_proba(new), m2.predict_proba(new)):
        np.testing.assert_allclose(a, b)
    assert [p for _, p in m2.predict(new)] == ["barrier", "driver"]
    assert "polarity:barrier" in explain(m2, new[0])
    assert isinstance(top_features(m2), dict)


def test_cues_can_be_switched_off():
    m = AutoCoder.from_params(word_analyzer="surface", min_df=1, polarity_cues=False).fit(TEXTS, CODES, POL)
    assert m.polarity.extra_features_ == []
    assert m.polarity.transform(TEXTS).shape[1] == len(m.polarity.vectorizer_.vocabulary_)


def test_cues_read_the_analysis_words():
    from nlp.features import analyse_texts

    (a,) = analyse_texts(["Det er ikke noe problem, se https://problem.no/utfordring"], lang="nb")
    assert polarity_cues([a]).tolist() == polarity_cues(["Det er ikke noe problem"]).tolist()
