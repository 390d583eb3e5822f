"""The one analysis per segment (nlp.features) and the vectorizer shared by topics and classify."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import Normalizer
from typer.testing import CliRunner

from nlp.cli import app
from nlp.corpora import load
from nlp.errors import ConfigError, InputError
from nlp.features import (
    Analysis,
    LemmaVectorizer,
    analyse_texts,
    analyse_transcript,
    analyses_of,
    as_analyses,
)
from nlp.model import Segment, Transcript, read_jsonl, write_jsonl
from nlp.normalise.preprocess import Preprocessor, analyze, preprocess_transcript


def lemmas(text: str, **kw) -> list[str]:
    lang = kw.pop("lang", None)
    return analyse_texts([text], lang=lang)[0].content_lemmas(**kw)


def test_content_lemmas_only():
    assert lemmas("Ehm, vi har liksom et godt samarbeid med [bedrift] og XX, ikke sant?", lang="nb") == [
        "god",
        "samarbeid",
        "[bedrift]",
        "XX",
    ]


def test_content_words_survive_stop_word_removal():
    assert lemmas("Folk i byen jobber hver dag.", lang="nb") == ["folk", "by", "jobbe", "dag"]


def test_danish_fillers_and_multiword_markers_removed():
    assert lemmas("Øh, altså, virksomhederne samarbejder ligesom godt, ikke også?", lang="da") == [
        "virksomhed",
        "samarbejde",
        "godt",
    ]


def test_cut_offs_removed_but_suspended_compounds_kept():
    assert lemmas("Vi va- var i olje- og gassindustrien.", lang="nb") == ["olje", "gassindustri"]


def test_keep_stopwords_and_numbers():
    assert lemmas("Eh, det er bra.", lang="nb", keep_stopwords=True) == ["den", "være", "bra"]
    assert lemmas("Vi har 12 ansatte.", lang="nb", keep_numbers=True) == ["12", "ansatt"]


def test_language_identified_per_text_when_not_given():
    assert lemmas("Eg veit ikkje om verksemda har eit godt samarbeid.") == [
        "vite",
        "verksemd",
        "god",
        "samarbeid",
    ]


def test_urls_and_emails_do_not_leak_into_any_stream():
    a = analyse_texts(
        ["Se https://www.nce.no/om-oss eller skriv til post@nce.no om samarbeidet."], lang="nb"
    )[0]
    for stream in (
        a.content_lemmas(keep_stopwords=True, keep_numbers=True),
        a.surface_words(),
        LemmaVectorizer(analyzer="chars", ngram_range=(3, 3)).fit([a]).get_feature_names_out().tolist(),
        LemmaVectorizer(analyzer="lemmas+surface").fit([a]).get_feature_names_out().tolist(),
    ):
        joined = " ".join(stream)
        assert "https" not in joined and "nce" not in joined and "om-vi" not in joined and "oss" not in joined
    assert "samarbeid" in a.content_lemmas()


def test_sentences_are_views_with_the_lemmas_in_context():
    (a,) = analyse_texts(["Det går bra. Men vi har liksom ikke nok folk!"], lang="nb")
    sents = a.sentence_analyses()
    assert [s.text for s in sents] == ["Det går bra.", "Men vi har liksom ikke nok folk!"]
    assert sum(len(s.tokens) for s in sents) == len(a.tokens)
    assert [lem for s in sents for lem in s.content_lemmas()] == a.content_lemmas()
    assert sents[1].flags == a.flags[a.sentences[1][0] :]
    assert all(s.tokens == tuple(s.text[x:y] for x, y in zip(s.starts, s.ends)) for s in sents)


def test_analysis_of_a_transcript_is_what_nlp_preprocess_writes(tmp_path):
    """The contract: what the models see of a segment is what `nlp preprocess` stores for it."""
    text = (
        "I: Korleis har samarbeidet vore?\n\nR: Eh, det har vore veldig bra, altså. Vi deler kunnskap.\n\n"
        "R: Vi samarbejder godt med virksomhederne, se https://www.nce.no/om-oss."
    )
    segs = (
        Segment(3, 31, kind="question", id="t:0"),
        Segment(36, 86, kind="answer", id="t:1"),
        Segment(91, len(text), kind="answer", id="t:2"),
    )
    src, out = tmp_path / "in.jsonl", tmp_path / "pre.jsonl"
    write_jsonl(src, [Transcript(id="t", text=text, segments=segs)])
    res = CliRunner().invoke(app, ["preprocess", str(src), "--out", str(out)])
    assert res.exit_code == 0, res.output
    (stored,) = list(read_jsonl(out))
    fresh = analyse_transcript(Transcript(id="t", text=text, segments=segs))
    again = analyse_transcript(stored)  # read from the stored annotation, not analysed again
    for seg in stored.segments:
        p = seg.meta["preprocess"]
        a = fresh[seg.id]
        assert a == again[seg.id]
        assert a.lang == p["lang"] == seg.lang
        assert list(a.lemmas) == p["lemmas"] and a.flags == p["flags"]
        assert list(a.tokens) == [text[x:y] for x, y in zip(p["starts"], p["ends"])]
        assert [list(s) for s in a.sentences] == p["sentences"]
        assert a.content_lemmas() == [lem for lem, f in zip(p["lemmas"], p["flags"]) if f in "wx"]
    assert fresh["t:2"].lang == "da"


def test_corpus_units_carry_the_analysis_of_their_transcript_in_context():
    corpus = load("klynger")
    units = corpus.units()
    by_id = {}
    for t in corpus.transcripts:
        pre = preprocess_transcript(t)
        for s in pre.segments:
            by_id[s.id or f"{t.id}:{s.start}-{s.end}"] = s.meta["preprocess"]
    assert all(u.analysis is not None for u in units)
    for u in units:
        p = by_id[u.id]
        assert u.analysis.text == u.text and u.analysis.lang == p["lang"]
        assert list(u.analysis.lemmas) == p["lemmas"] and u.analysis.flags == p["flags"]
    assert analyses_of(units) == [u.analysis for u in units]
    assert corpus.units()[0].analysis is units[0].analysis  # analysed once per loaded corpus


def test_units_without_analysis_are_analysed_in_their_language():
    from nlp.model import Unit

    u = Unit(id="u", transcript_id="t", text="Eg veit ikkje.", start=0, end=14, group="g", lang="nb")
    assert analyses_of([u])[0].lang == "nb"


def test_as_analyses_accepts_strings_and_rejects_the_rest():
    (a,) = as_analyses(["Vi deler kunnskap."], lang="nb")
    assert isinstance(a, Analysis) and a.content_lemmas() == ["del", "kunnskap"]
    assert as_analyses([a]) == [a]
    with pytest.raises(InputError, match="single string"):
        as_analyses("Vi deler kunnskap.")
    with pytest.raises(InputError, match="item 0"):
        as_analyses([3])


def test_vectorizer_counts_ngrams_and_filters_by_document_frequency():
    docs = analyse_texts(["gode nettverk i klyngen", "nettverk og klynger", "Godt nettverk."], lang="nb")
    v = LemmaVectorizer(ngram_range=(1, 2), min_df=2)
    x = v.fit_transform(docs)
    # n-grams run over the content stream: "nettverk og klynger" gives the pair "nettverk klynge"
    assert v.get_feature_names_out().tolist() == [
        "god",
        "god nettverk",
        "klynge",
        "nettverk",
        "nettverk klynge",
    ]
    assert x.toarray().tolist() == [[1, 1, 1, 1, 1], [0, 0, 1, 1, 1], [1, 1, 0, 1, 0]]
    assert "nettverk" not in LemmaVectorizer(max_df=2).fit(docs).vocabulary_
    assert "nettverk" not in LemmaVectorizer(max_df=0.9).fit(docs).vocabulary_
    with pytest.raises(ConfigError):
        LemmaVectorizer(ngram_range=(2, 1)).fit(docs)
    with pytest.raises(ConfigError):
        LemmaVectorizer(analyzer="words").fit(docs)
    with pytest.raises(InputError, match="no words are left"):
        LemmaVectorizer(min_df=4).fit(docs)


def test_vectorizer_tfidf_matches_scikit_learn_on_the_same_terms():
    from sklearn.feature_extraction.text import TfidfVectorizer

    docs = analyse_texts(
        [
            "Bedriftene samarbeider godt i klyngen.",
            "Klyngen deler kunnskap.",
            "Kunnskap og samarbeid gir gode bedrifter.",
        ],
        lang="nb",
    )
    ours = LemmaVectorizer(use_idf=True, sublinear_tf=True, norm="l2", ngram_range=(1, 2))
    ref = TfidfVectorizer(analyzer=ours.build_analyzer(), sublinear_tf=True)
    a, b = ours.fit_transform(docs), ref.fit_transform(docs)
    assert ours.get_feature_names_out().tolist() == ref.get_feature_names_out().tolist()
    np.testing.assert_allclose(a.toarray(), b.toarray())
    np.testing.assert_allclose(ours.transform(docs).toarray(), b.toarray())


def test_char_ngrams_are_those_of_scikit_learn_char_wb_over_the_words():
    from sklearn.feature_extraction.text import CountVectorizer

    (a,) = analyse_texts(["Kunnskapsdeling, og kunnskapen!"], lang="nb")
    ours = LemmaVectorizer(analyzer="chars", ngram_range=(3, 5)).fit([a]).get_feature_names_out().tolist()
    ref = CountVectorizer(analyzer="char_wb", ngram_range=(3, 5)).fit([" ".join(a.surface_words())])
    assert ours == ref.get_feature_names_out().tolist()
    assert " kunn" in ours and "," not in "".join(ours)


def test_vectorizer_is_a_scikit_learn_estimator_and_saves_without_pickle():
    docs = analyse_texts(
        ["Vi deler kunnskap.", "Kunnskap deles i klyngen.", "Konkurranse hele tiden."], lang="nb"
    )
    v = LemmaVectorizer(analyzer="lemmas+surface", use_idf=True, norm="l2", lang="nb")
    c = clone(v)
    assert c.get_params() == v.get_params() and not hasattr(c, "vocabulary_")
    with pytest.raises(ValueError):
        v.set_params(ngram=(1, 2))
    pipe = make_pipeline(v, Normalizer()).fit(docs)
    assert pipe.transform(["Vi deler kunnskap."]).shape == (1, len(v.vocabulary_))
    assert "=deler" in v.vocabulary_ and "kunnskap" in v.vocabulary_
    params, arrays = v.get_state()
    import json

    back = LemmaVectorizer.from_state(json.loads(json.dumps(params)), arrays)
    np.testing.assert_array_equal(back.transform(docs).toarray(), v.transform(docs).toarray())
    with pytest.raises(ValueError, match="idf"):
        LemmaVectorizer.from_state(params, {"idf": arrays["idf"][:-1]})


def test_preprocessor_analyze_agrees_with_the_analysis():
    text = "Bedriftene i klyngen utvikler kunnskap."
    assert (
        analyze(text, lang="nb")
        == Preprocessor(lang="nb").analyze(text)
        == lemmas(text, lang="nb")
        == ["bedrift", "klynge", "utvikle", "kunnskap"]
    )


def test_preprocess_transcript_sets_languages_offsets_and_sentences():
    text = "I: Korleis har samarbeidet vore?\n\nR: Eh, det har vore veldig bra, altså. Ja.\n\nR: ja"
    segs = [Segment(3, 31, kind="question"), Segment(36, 76, kind="answer"), Segment(81, 83, kind="answer")]
    t = preprocess_transcript(Transcript(id="t1", text=text, segments=segs))
    assert t.lang == "nn" and [s.lang for s in t.segments] == ["nn", "nn", "nn"]
    p = t.segments[1].meta["preprocess"]
    words = [text[a:b] for a, b in zip(p["starts"], p["ends"])]
    assert words[:3] == ["Eh", ",", "det"]
    assert p["flags"][0] == "f" and p["flags"][words.index("altså")] == "d"
    assert len(p["lemmas"]) == len(p["starts"]) == len(p["ends"]) == len(p["flags"])
    assert p["sentences"] == [[0, len(words) - 2], [len(words) - 2, len(words)]]
    assert Transcript.from_json(t.to_json()) == t


def test_harmonised_preprocessing_reaches_the_analysis():
    t = Transcript(
        id="x", text="Eg veit ikkje om verksemda har eit godt samarbeid.", segments=(Segment(0, 50),)
    )
    (a,) = analyse_transcript(preprocess_transcript(t, harmonise=True)).values()
    assert a.content_lemmas() == ["vite", "virksomhet", "god", "samarbeid"]


def test_transcript_without_segments_and_forced_language():
    t = preprocess_transcript(Transcript(id="x", text="Vi samarbejder godt."), lang="da")
    assert t.lang == "da" and t.meta["preprocess"]["lemmas"] == ["vi", "samarbejde", "godt", "."]
    assert analyse_transcript(t)["x"].content_lemmas() == ["samarbejde", "godt"]


def test_models_see_the_stored_lemma_streams(tmp_path, model):
    """Tagging reads the stored analysis of a preprocessed file; topic models count its content lemmas."""
    from nlp.classify import read_units, tag_units
    from nlp.topics import NmfTopics

    text = (
        "I: Hvordan deler dere kunnskap?\n\nR: Vi deler kunnskap med de andre, det er en stor styrke.\n\n"
        "R: Konkurransen er hard, dessverre et problem. Se https://www.nce.no/om-oss.\n"
    )
    raw = tmp_path / "int.txt"
    raw.write_text(text, encoding="utf-8")
    pre = tmp_path / "pre.jsonl"
    res = CliRunner().invoke(app, ["preprocess", str(raw), "--out", str(pre)])
    assert res.exit_code == 0, res.output
    stored = {
        s.id or f"{t.id}:{s.start}-{s.end}": s.meta["preprocess"] for t in read_jsonl(pre) for s in t.segments
    }
    units = read_units(pre)
    for u in units:
        p = stored[u["id"]]
        assert u["analysis"].content_lemmas() == [lem for lem, f in zip(p["lemmas"], p["flags"]) if f in "wx"]
    a, b = tag_units(model, units), tag_units(model, read_units(raw))
    assert [r["scores"] for r in a] == [r["scores"] for r in b]  # the raw file is analysed the same way, once
    topics = NmfTopics(n_topics=1, min_df=1, max_df=1.0).fit([u["analysis"] for u in units])
    assert set(topics.feature_names_) == {lem for u in units for lem in u["analysis"].content_lemmas()}
    assert not {"https", "nce", "om-oss", "oss"} & set(topics.feature_names_)


TRICKY = [
    "Ehm, vi har liksom samarbeidet godt med [bedrift], ikke sant?",
    "ikke sant",  # a multiword marker filling a whole text
    "Det var va- vanskelig i olje- og gassindustrien.\nNy linje: se https://www.nce.no/om-oss.",
    "",
    "Vi samarbejder godt med virksomhederne, altså.",
    "Eg veit ikkje om verksemda har eit godt samarbeid. Men det går.",
    "  XX sa: «Ja.» Mm.  ",
    "Ja, f.eks. bl.a. 3. mai kl. 12.30 – og så videre -",
]


@pytest.mark.parametrize("lang", [None, "nb"])
def test_texts_analysed_together_are_each_analysed_alone(monkeypatch, lang):
    """Batching (one tokenisation over many texts, in batches) changes nothing: each text's analysis is the one
    read from its own annotation, the way `nlp preprocess` stores it."""
    from nlp import features

    monkeypatch.setattr(features, "_TEXT_BATCH", 3)  # batch boundaries inside the list
    texts = TRICKY * 2
    together = analyse_texts(texts, lang=lang)
    pre = Preprocessor(lang=lang)
    for text, a in zip(texts, together):
        assert a == Analysis.from_annotation(text, pre.annotate(text).to_json())
        assert a == analyse_texts([text], lang=lang)[0]
    units = [{"text": t, "lang": lg} for t, lg in zip(texts, [None, "nb", "da"] * 6)]
    assert analyses_of(units) == [analyse_texts([u["text"]], lang=u["lang"])[0] for u in units]


def test_transcript_analysis_equals_the_stored_annotation_of_every_segment():
    t = load("klynger").transcripts[0]
    stored = preprocess_transcript(t)
    fresh = analyse_transcript(t)  # analysed without storing
    assert fresh == {
        k: Analysis.from_annotation(stored.text[s.start : s.end], s.meta["preprocess"], offset=s.start)
        for k, s in zip(fresh, stored.segments)
    }


def test_char_columns_looked_up_per_word_are_those_of_the_terms():
    docs = analyse_texts(TRICKY + ["Kunnskapsdeling og kunnskapen deles, kunnskapsdeling!"], lang="nb")
    v = LemmaVectorizer(analyzer="chars", ngram_range=(3, 5), use_idf=True, norm="l2").fit(docs[:5])

    def by_terms(vec):  # the plain way: every n-gram of every word looked up
        return vec._weight(vec._count([vec.terms(a) for a in docs])).toarray()

    for _ in range(2):  # the second time from the kept columns
        assert np.array_equal(v.transform(docs).toarray(), by_terms(v))
    v.fit(docs[3:])  # another vocabulary: the kept columns are not reused
    assert np.array_equal(v.transform(docs).toarray(), by_terms(v))


def test_surface_words_are_kept_but_not_shared():
    (a,) = analyse_texts(["Ikke noe problem, se https://www.nce.no/om-oss."], lang="nb")
    words = a.surface_words()
    words.append("x")
    assert a.surface_words() == ["ikke", "noe", "problem", "se"]
    assert a == analyse_texts(["Ikke noe problem, se https://www.nce.no/om-oss."], lang="nb")[0]
