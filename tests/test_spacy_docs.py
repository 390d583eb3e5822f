"""spaCy interoperability (nlp.spacy_docs): Docs that carry exactly what nlp preprocess stores, and the component."""

import pytest
import spacy
from spacy.language import Language

from nlp.corpora import load
from nlp.errors import ConfigError
from nlp.model import Segment, Transcript
from nlp.normalise import FLAGS, Preprocessor, preprocess_transcript
from nlp.spacy_docs import _blank_vocab, doc_from_annotation, segment_docs


@Language.component("test_shout_lemmas")
def _shout_lemmas(doc):  # stands for a trained lemmatizer that disagrees with ours
    for tok in doc:
        tok.lemma_ = tok.text.upper()
    return doc


@pytest.fixture(scope="module")
def klynger_transcript():
    return preprocess_transcript(load("klynger").transcripts[1])


def test_docs_carry_the_stored_preprocessing_token_for_token(klynger_transcript):
    t = klynger_transcript
    segments = t.analysis_segments()
    docs = segment_docs(t)
    assert len(docs) == len(segments)
    for seg, doc in zip(segments, docs):
        ann = seg.meta["preprocess"]
        ours = [tok for tok in doc if tok._.flag is not None]
        assert doc.text == t.segment_text(seg)
        assert (doc._.lang, doc._.segment_id, doc._.transcript_id, doc._.start) == (
            seg.lang,
            seg.id,
            t.id,
            seg.start,
        )
        assert [tok._.start for tok in ours] == ann["starts"]
        assert [tok._.start + len(tok.text) for tok in ours] == ann["ends"]
        assert [tok.lemma_ for tok in ours] == ann["lemmas"]
        assert "".join(tok._.flag for tok in ours) == ann["flags"]
        assert all(tok.is_space for tok in doc if tok._.flag is None)
        assert doc.lang_ == seg.lang


def test_whitespace_and_offsets_survive():
    text = "  I: Ja.\n\nR: Vi  samarbeider\tgodt med [bedrift] , ikke sant ?  "
    t = Transcript(id="t", text=text, segments=(Segment(0, len(text), id="s"),))
    doc = segment_docs(t, lang="nb")[0]
    assert doc.text == text
    for tok in doc:
        assert text[tok._.start : tok._.start + len(tok.text)] == tok.text
    flags = {tok.text: tok._.flag_name for tok in doc}
    assert flags["[bedrift]"] == FLAGS["x"] and flags["sant"] == FLAGS["d"]
    assert [tok.lemma_ for tok in doc if tok._.is_content] == ["r", "samarbeide", "god", "[bedrift]"]


def test_a_transcript_without_annotation_is_preprocessed_the_same_way():
    raw = load("klynger").transcripts[0]
    assert "preprocess" not in raw.segments[0].meta
    fresh = [[(t.lemma_, t._.flag) for t in d] for d in segment_docs(raw)]
    stored = [[(t.lemma_, t._.flag) for t in d] for d in segment_docs(preprocess_transcript(raw))]
    assert fresh == stored


def test_a_transcript_without_segments_is_one_doc():
    t = preprocess_transcript(Transcript(id="t", text="Vi deler viden med andre virksomheder."))
    (doc,) = segment_docs(t)
    assert (doc.text, doc._.segment_id, doc._.lang) == (t.text, "t", "da")


def test_a_users_pipeline_runs_on_our_tokens_and_our_lemmas_stay(klynger_transcript):
    pipeline = spacy.blank("nb")
    pipeline.add_pipe("sentencizer")
    pipeline.add_pipe("test_shout_lemmas")
    plain = segment_docs(klynger_transcript)
    piped = segment_docs(klynger_transcript, pipeline=pipeline)
    assert all(d.vocab is pipeline.vocab for d in piped)
    assert [[t.lemma_ for t in d] for d in piped] == [[t.lemma_ for t in d] for d in plain]
    assert [[t._.flag for t in d] for d in piped] == [[t._.flag for t in d] for d in plain]
    assert sum(len(list(d.sents)) for d in piped) > len(piped)  # the sentencizer's work is kept


def test_component_sets_our_analysis_on_spacys_tokens():
    text = "Bedriftene samarbeider godt, og vi deler kunnskap med [sted] liksom."
    pipeline = spacy.blank("nb")
    pipeline.add_pipe("test_shout_lemmas")
    pipeline.add_pipe("klyngekoder", config={"lang": "nb"})
    doc = pipeline(text)
    ann = Preprocessor(lang="nb").annotate(text)
    by_span = {(s, e): (lem, f) for s, e, lem, f in zip(ann.starts, ann.ends, ann.lemmas, ann.flags)}
    matched = [t for t in doc if (t.idx, t.idx + len(t.text)) in by_span]
    assert len(matched) == len(doc) - 3  # spaCy splits "[sted]" into three tokens
    for tok in matched:
        assert (tok.lemma_, tok._.flag) == by_span[(tok.idx, tok.idx + len(tok.text))]
    assert [(t.text, t._.flag, t.lemma_) for t in doc if t._.flag == "x"] == [
        ("[", "x", "["),
        ("sted", "x", "STED"),
        ("]", "x", "]"),
    ]
    assert doc._.lang == "nb"


def test_component_can_keep_an_earlier_lemmatizers_lemmas():
    pipeline = spacy.blank("da")
    pipeline.add_pipe("test_shout_lemmas")
    pipeline.add_pipe("klyngekoder", config={"overwrite_lemmas": False})
    doc = pipeline("Virksomhederne deler viden.")
    assert [t.lemma_ for t in doc] == ["VIRKSOMHEDERNE", "DELER", "VIDEN", "."]
    assert [t._.flag for t in doc] == ["w", "w", "w", "p"] and doc._.lang == "da"


def test_bad_annotations_are_refused():
    ann = Preprocessor(lang="nb").annotate("Vi deler.").to_json()
    with pytest.raises(ConfigError, match="differ in length"):
        doc_from_annotation("Vi deler.", {**ann, "lemmas": ann["lemmas"][:-1]})
    with pytest.raises(ConfigError, match="outside the span"):
        doc_from_annotation("Vi deler.", ann, start=3)


def test_a_language_spacy_lacks_uses_its_multilanguage_vocab():
    assert _blank_vocab("nn").lang == "nn"
    assert _blank_vocab("zz").lang == "xx"
