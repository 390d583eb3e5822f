"""DataFrame views (nlp.frames): the same figures as the objects and files they come from."""

import csv
import math
import sys

import pytest

from nlp.agreement.comparison import compare
from nlp.classify.tag import write_tagged
from nlp.corpora import load
from nlp.errors import ConfigError
from nlp.frames import comparison_frame, tagged_frame, units_frame

RECORDS = [
    {
        "id": "a",
        "source": "i.txt",
        "start": 0,
        "end": 17,
        "speaker": "R",
        "text": "vi deler kunnskap",
        "codes": ["ks"],
        "polarity": "driver",
        "scores": {"ks": 0.91, "polarity:driver": 0.7},
    },
    {
        "id": "b",
        "source": "i.txt",
        "start": 18,
        "end": 31,
        "speaker": None,
        "text": "konkurranse nå",
        "codes": [],
        "polarity": None,
        "scores": {"comp": 0.2, "polarity:barrier": 0.4},
    },
]


@pytest.fixture(scope="module")
def klynger():
    return load("klynger")


def test_corpus_frame_holds_every_unit_and_its_coding(klynger):
    units = klynger.units()
    frame = klynger.to_frame()
    assert list(frame.index) == [u.id for u in units]
    for u in units[::37]:
        row = frame.loc[u.id]
        assert (row["text"], row["start"], row["end"], row["group"]) == (u.text, u.start, u.end, u.group)
        for coder in klynger.coders:
            assert set(row[f"concepts:{coder}"]) == u.concepts(coder)
            assert row[f"polarity:{coder}"] == u.polarity(coder)
    assert frame["polarity:coder1"].value_counts().sum() == sum(
        u.polarity("coder1") is not None for u in units
    )


def test_units_frame_names_only_the_coders_asked_for(klynger):
    frame = units_frame(klynger.units()[:3], coders=["coder2"])
    assert [c for c in frame.columns if ":" in c] == ["concepts:coder2", "polarity:coder2"]


def test_tagged_frame_has_the_columns_of_the_csv_output(tmp_path):
    out = tmp_path / "tagged.csv"
    write_tagged(out, RECORDS, fmt="csv")
    with out.open(encoding="utf-8-sig", newline="") as fh:
        header = next(csv.reader(fh))
    frame = tagged_frame(RECORDS)
    assert list(frame.columns) == header
    assert frame.loc[0, "codes"] == ("ks",) and frame.loc[1, "codes"] == ()
    assert frame.loc[0, "score:ks"] == 0.91 and math.isnan(frame.loc[0, "score:comp"])
    assert frame.loc[1, "score:polarity:barrier"] == 0.4


def test_tagged_frame_keeps_explanations():
    frame = tagged_frame([{**RECORDS[0], "why": {"ks": ["dele", "kunnskap"]}}, RECORDS[1]])
    assert frame["why"].tolist() == [{"ks": ["dele", "kunnskap"]}, None]


def test_comparison_frames_carry_the_comparisons_figures(klynger):
    result = compare(klynger.transcripts, unit="segment", reference="coder1", others=["coder2"], n_boot=20)
    stats = result.to_frame()
    assert len(stats) == len(result.stats)
    row = stats[(stats.target == "polarity") & (stats.name == "cohen_kappa")].iloc[0]
    stat = result.get("polarity", "cohen_kappa")
    assert (row["value"], row["ci_low"], row["ci_high"], row["n_units"]) == (
        stat.value,
        stat.ci_low,
        stat.ci_high,
        stat.n_units,
    )
    assert len(result.to_frame("per_code")) == len(result.per_code)
    assert set(result.to_frame("per_code")["code"]) == {r["code"] for r in result.per_code}
    assert len(comparison_frame(result, table="disagreements")) == len(result.disagreements)
    with pytest.raises(ConfigError, match="unknown comparison table 'kappa'"):
        result.to_frame("kappa")


def test_without_pandas_the_error_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "pandas", None)  # import pandas now raises ImportError
    with pytest.raises(ConfigError, match=r"klyngekoder\[pandas\]"):
        tagged_frame(RECORDS)
