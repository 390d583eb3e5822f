"""Long turns are tagged in windows of whole sentences joined back to the turn, with bounded memory."""

import itertools

import numpy as np
import pytest

from nlp.classify.tag import LONG_TURN_CHARS, WINDOW_CHARS, tag_units, turn_windows

SHARING = "Vi deler kunnskap med de andre bedriftene, og det er en stor styrke. "
COMPETING = "Konkurrentene er dessverre et problem for oss. "


@pytest.mark.parametrize("size", [20, 100, WINDOW_CHARS])
def test_windows_cover_the_text_in_order_within_the_size(size):
    text = (SHARING + COMPETING) * 200 + "slutt uten punktum " * 50 + "x" * (size * 2)
    spans = turn_windows(text, size=size)
    assert spans[0][0] == 0 and spans[-1][1] == len(text)
    assert all(a < e and e - a <= size for a, e in spans)
    assert all(e == a2 for (_, e), (a2, _) in itertools.pairwise(spans))
    # where a sentence ends inside the window, the window ends after it
    assert all(text[e - 2] == "." for a, e in spans[:50] if "." in text[a:e] and size > len(SHARING))


def test_a_long_turn_gets_each_code_from_the_part_that_speaks_of_it(model):
    half = LONG_TURN_CHARS // len(SHARING) + 1
    long_text = SHARING * half + COMPETING * (LONG_TURN_CHARS // len(COMPETING) + 1)
    assert len(long_text) > 2 * LONG_TURN_CHARS
    # one full window of each part, as the turn's windows hold them
    short_sharing, short_competing, whole = tag_units(
        model,
        [
            {"id": "s", "text": SHARING * (WINDOW_CHARS // len(SHARING))},
            {"id": "c", "text": COMPETING * (WINDOW_CHARS // len(COMPETING))},
            {"id": "l", "text": long_text},
        ],
    )
    assert "knowledge_sharing" in short_sharing["codes"] and "competition" not in short_sharing["codes"]
    assert {"knowledge_sharing", "competition"} <= set(whole["codes"])
    # a code's probability is its highest over the windows: at least that of the window that speaks of it
    assert whole["scores"]["knowledge_sharing"] >= short_sharing["scores"]["knowledge_sharing"] - 1e-4
    assert whole["scores"]["competition"] >= short_competing["scores"]["competition"] - 1e-4
    pol = [whole["scores"][k] for k in whole["scores"] if k.startswith("polarity:")]
    assert abs(sum(pol) - 1) < 1e-3 and whole["polarity"] in ("driver", "barrier", "neutral")
    assert (whole["start"], whole["end"], whole["text"]) == (0, len(long_text), long_text)


def test_memory_stays_bounded_features_are_made_per_batch_of_windows(model, monkeypatch):
    seen = []
    predict_proba = type(model).predict_proba

    def spy(self, analyses):  # features are made inside predict_proba, one call per batch of windows
        analyses = list(analyses)
        seen.append(sum(len(a.text) for a in analyses))
        return predict_proba(self, analyses)

    monkeypatch.setattr(type(model), "predict_proba", spy)
    text = (SHARING + COMPETING) * 6000  # ~700k characters in one turn
    (rec,) = tag_units(model, [{"id": "long", "text": text}])
    assert len(seen) > 2 and max(seen) <= 64 * WINDOW_CHARS < len(text)
    assert rec["codes"]


def test_short_turns_are_tagged_as_before(model):
    units = [{"id": str(i), "text": t} for i, t in enumerate([SHARING, COMPETING, SHARING + COMPETING])]
    p_codes, _ = model.predict_proba([u["text"] for u in units])
    recs = tag_units(model, units)
    assert [r["scores"][model.classes_[0]] for r in recs] == np.round(p_codes[:, 0], 4).tolist()


def test_a_long_turn_is_explained_by_its_windows(model):
    text = SHARING * (LONG_TURN_CHARS // len(SHARING) + 10)
    (rec,) = tag_units(model, [{"id": "l", "text": text}], explain_words=3)
    assert set(rec["why"]) >= set(rec["codes"]) and all(len(w) <= 3 for w in rec["why"].values())
    assert any(w in {"deler", "kunnskap", "dele"} for ws in rec["why"].values() for w in ws)
