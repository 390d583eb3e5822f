"""Analyzers shared by topics and the auto-coder."""

from __future__ import annotations

import pickle
import time

import pytest
from sklearn.feature_extraction.text import CountVectorizer

from nlp.errors import ConfigError
from nlp.features import Analyzer, learn_phrases, make_analyzer
from nlp.model import Segment, Transcript
from nlp.normalise.preprocess import Preprocessor, analyze, preprocess_transcript


def test_content_lemmas_only():
    a = make_analyzer(lang="nb")
    assert a("Ehm, vi har liksom et godt samarbeid med [bedrift] og XX, ikke sant?") == [
        "god", "samarbeid", "[bedrift]", "XX"]


def test_content_words_survive_stop_word_removal():
    assert make_analyzer(lang="nb")("Folk i byen jobber hver dag.") == ["folk", "by", "jobbe", "dag"]


def test_danish_fillers_and_multiword_markers_removed():
    assert make_analyzer(lang="da")("Øh, altså, virksomhederne samarbejder ligesom godt, ikke også?") == [
        "virksomhed", "samarbejde", "godt"]


def test_cut_offs_removed_but_suspended_compounds_kept():
    assert make_analyzer(lang="nb")("Vi va- var i olje- og gassindustrien.") == ["olje", "gassindustri"]


def test_keep_stopwords_and_ngrams():
    assert make_analyzer(lang="nb", keep_stopwords=True)("Eh, det er bra.") == ["den", "være", "bra"]
    assert make_analyzer(lang="nb", ngram_range=(2, 2))("gode nettverk i klyngen") == [
        "god nettverk", "nettverk klynge"]
    with pytest.raises(ConfigError):
        make_analyzer(ngram_range=(2, 1))


def test_language_detected_when_not_given():
    assert make_analyzer()("Eg veit ikkje om verksemda har eit godt samarbeid.") == [
        "vite", "verksemd", "god", "samarbeid"]
    assert make_analyzer(harmonise=True)("Eg veit ikkje om verksemda har eit godt samarbeid.") == [
        "vite", "virksomhet", "god", "samarbeid"]


def test_works_as_sklearn_analyzer_and_pickles():
    docs = ["Bedriftene samarbeider godt.", "Samarbeidet mellom bedriftene er godt."]
    a = make_analyzer(lang="nb")
    v = CountVectorizer(analyzer=a).fit(docs)
    assert "bedrift" in v.vocabulary_
    b = pickle.loads(pickle.dumps(a))
    assert isinstance(b, Analyzer) and b(docs[0]) == a(docs[0])


def test_phrases_join_multiword_names():
    texts = ["Vi fikk støtte fra Innovasjon Norge i fjor."] * 4 + ["Norge har mange klynger."]
    model = learn_phrases(texts, lang="nb", min_count=2)
    assert make_analyzer(lang="nb", phrases=model)("Innovasjon Norge hjalp oss.") == ["innovasjon_norge",
                                                                                       "hjelpe"]


def test_analyzer_is_fast():
    a = make_analyzer(lang="nb")
    seg = "Ja, altså, vi har jo hatt et veldig godt samarbeid med [bedrift] og kommunen de siste årene, ehm."
    texts = [seg.replace("årene", f"årene {i % 50}") for i in range(5000)]
    a(seg)  # warm the caches
    t = time.perf_counter()
    for x in texts:
        a(x)
    per_second = len(texts) / (time.perf_counter() - t)
    assert per_second > 5000, per_second


def test_preprocess_transcript_sets_languages_and_offsets():
    text = "I: Korleis har samarbeidet vore?\n\nR: Eh, det har vore veldig bra, altså.\n\nR: ja"
    segs = [Segment(3, 31, kind="question"), Segment(36, 72, kind="answer"), Segment(77, 79, kind="answer")]
    t = preprocess_transcript(Transcript(id="t1", text=text, segments=segs))
    assert t.lang == "nn" and [s.lang for s in t.segments] == ["nn", "nn", "nn"]
    p = t.segments[1].meta["preprocess"]
    words = [text[a:b] for a, b in zip(p["starts"], p["ends"])]
    assert words[:3] == ["Eh", ",", "det"]
    assert p["flags"][0] == "f" and p["flags"][words.index("altså")] == "d"
    assert len(p["lemmas"]) == len(p["starts"]) == len(p["ends"]) == len(p["flags"])
    assert Transcript.from_json(t.to_json()) == t


def test_transcript_without_segments_and_forced_language():
    t = preprocess_transcript(Transcript(id="x", text="Vi samarbejder godt."), lang="da")
    assert t.lang == "da" and t.meta["preprocess"]["lemmas"] == ["vi", "samarbejde", "godt", "."]


def test_module_level_analyze_and_preprocessor_agree():
    text = "Bedriftene i klyngen utvikler kunnskap."
    assert analyze(text, lang="nb") == Preprocessor(lang="nb").analyze(text) == ["bedrift", "klynge", "utvikle",
                                                                               "kunnskap"]
