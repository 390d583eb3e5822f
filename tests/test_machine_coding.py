"""`nlp tag` records as coding (nlp.review.machine): they land on their segments' exact characters."""

from dataclasses import replace

import pytest

from nlp.corpora import load
from nlp.errors import InputError
from nlp.model import iter_units
from nlp.review.machine import attach_machine_codes, is_tag_record


def _record(u, codes, polarity):
    return {
        "id": u.id,
        "source": u.source,
        "start": u.start,
        "end": u.end,
        "speaker": u.speaker,
        "text": u.text,
        "codes": codes,
        "polarity": polarity,
        "scores": {},
    }


def test_tagged_records_become_the_only_codes_of_their_segments():
    corpus = load("klynger")
    units = corpus.units()
    records = [_record(units[0], ["trust_culture"], "barrier"), _record(units[5], [], None)]
    assert all(is_tag_record(r) for r in records)
    bare = [replace(t, codes=()) for t in corpus.transcripts]
    coded = attach_machine_codes(records, bare, coder="model-v1")
    assert {c.coder for t in coded for c in t.codes} == {"model-v1"}
    assert all(c.source == "auto" for t in coded for c in t.codes)
    again = {u.id: u for u in iter_units(coded)}
    assert again[units[0].id].concepts("model-v1") == {"trust_culture"}
    assert again[units[0].id].polarity("model-v1") == "barrier"
    assert again[units[5].id].codes == {} and [t.text for t in coded] == [t.text for t in corpus.transcripts]


def test_a_record_of_other_texts_is_an_error_naming_it():
    corpus = load("klynger")
    u = corpus.units()[0]
    bad = {**_record(u, ["x"], None), "start": u.start + 1}
    with pytest.raises(
        InputError, match=r"tagged\.jsonl: record 1 .* not the transcripts it was tagged from"
    ):
        attach_machine_codes([bad], corpus.transcripts, coder="m", path="tagged.jsonl")


def test_transcripts_and_rows_are_not_tagged_records():
    t = load("klynger").transcripts[0]
    assert not is_tag_record(t.to_json())
    assert not is_tag_record({"id": "a", "text": "hei", "lang": "nb"})
