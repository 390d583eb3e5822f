"""spaCy interoperability: a spaCy ``Doc`` per segment carrying our analysis, and a pipeline component.

Our preprocessing (what ``nlp preprocess`` writes and every model reads) stays the one analysis; this module hands
it to spaCy so its tools (displaCy, ``Matcher``, a trained tagger, parser or NER) work on the same tokens:

* :func:`segment_docs`: one ``Doc`` per segment of a transcript, on the vocabulary of ``spacy.blank(lang)`` (nothing
  is downloaded). Tokens are ours; ``token.lemma_`` is our lemma, ``token._.flag`` our flag character
  (:data:`nlp.normalise.FLAGS`), ``doc._.lang`` the language judged in the transcript's context. Give ``pipeline=``
  a trained Norwegian or Danish spaCy pipeline (e.g. ``nb_core_news_sm``, installed by you) and its components run on
  our tokens; its tags, parse and entities are kept, the lemmas stay ours.
* the ``"klyngekoder"`` pipeline component: ``nlp.add_pipe("klyngekoder")`` on any spaCy pipeline sets our lemma and
  flag on spaCy's own tokens where the two tokenisations agree (and the flag of the token that covers the start of
  the others).

Whitespace that spaCy cannot keep as a token's trailing space becomes a whitespace token (``token.is_space``, flag
None), as spaCy's own tokenizer does, so ``doc.text`` is the segment's text and ``token.idx + doc._.start`` is the
token's offset into the transcript text (``token._.start``). spaCy is an optional extra
(``pip install "klyngekoder[spacy]"``).

Examples
--------
>>> from nlp.model import Segment, Transcript
>>> t = Transcript(id="t1", text="Ehm, vi samarbeider godt med [bedrift].", segments=(Segment(0, 39, id="s1"),))
>>> doc = segment_docs(t, lang="nb")[0]
>>> [(tok.text, tok.lemma_, tok._.flag) for tok in doc][:4]
[('Ehm', 'ehm', 'f'), (',', ',', 'p'), ('vi', 'vi', 's'), ('samarbeider', 'samarbeide', 'w')]
>>> doc._.lang, doc._.segment_id, doc.text == t.text
('nb', 's1', True)
"""

from __future__ import annotations

import bisect
from collections.abc import Mapping
from functools import cache
from typing import Any

from .errors import ConfigError
from .model import Transcript
from .normalise import FLAGS, Preprocessor, preprocess_transcript
from .normalise.tokens import DROPPED

try:
    import spacy
    from spacy.language import Language
    from spacy.tokens import Doc, Token
    from spacy.vocab import Vocab
except ImportError as exc:  # an optional extra: say how to get it
    raise ConfigError(
        f"spaCy is not installed ({exc}); nlp.spacy_docs needs it.",
        fix='install the extra: pip install "klyngekoder[spacy]"',
    ) from exc

__all__ = ["COMPONENT", "KlyngekoderComponent", "doc_from_annotation", "segment_docs"]

#: The name under which the pipeline component is registered (``nlp.add_pipe(COMPONENT)``).
COMPONENT = "klyngekoder"

if not Token.has_extension("flag"):
    Token.set_extension("flag", default=None)
if not Token.has_extension("flag_name"):
    Token.set_extension("flag_name", getter=lambda tok: FLAGS.get(tok._.flag) if tok._.flag else None)
if not Token.has_extension("is_content"):
    # what the models read: content words and placeholders (the analyzer drops every other flag)
    Token.set_extension("is_content", getter=lambda tok: tok._.flag is not None and tok._.flag not in DROPPED)
if not Token.has_extension("start"):
    Token.set_extension("start", getter=lambda tok: tok.idx + tok.doc._.start)
for _name, _default in (("lang", None), ("segment_id", None), ("transcript_id", None), ("start", 0)):
    if not Doc.has_extension(_name):
        Doc.set_extension(_name, default=_default)


@cache
def _blank_vocab(lang: str) -> Vocab:
    """The vocabulary of ``spacy.blank(lang)`` (``xx``, spaCy's multi-language class, for a language it lacks)."""
    try:
        return spacy.blank(lang).vocab
    except ImportError:  # spaCy has no language class of that code
        return spacy.blank("xx").vocab


def doc_from_annotation(
    text: str,
    annotation: Mapping[str, Any],
    *,
    start: int = 0,
    end: int | None = None,
    vocab: Vocab | None = None,
) -> Doc:
    """A spaCy ``Doc`` of ``text[start:end]`` from one stored annotation (``segment.meta["preprocess"]``).

    Parameters
    ----------
    text
        The text the annotation's offsets point into (the transcript text).
    annotation
        ``{"lang", "starts", "ends", "lemmas", "flags"}`` as :meth:`nlp.normalise.Annotation.to_json` writes it.
    start, end
        The span of ``text`` the Doc covers (a segment); its tokens must lie inside it.
    vocab
        The spaCy vocabulary; default that of ``spacy.blank(annotation["lang"])``.

    Returns
    -------
    spacy.tokens.Doc
        ``doc.text == text[start:end]``; ``doc._.lang`` and ``doc._.start`` set, each token's lemma and ``_.flag``.

    Examples
    --------
    >>> from nlp.normalise import Preprocessor
    >>> ann = Preprocessor(lang="da").annotate("Altså, vi deler viden.").to_json()
    >>> doc = doc_from_annotation("Altså, vi deler viden.", ann)
    >>> [t.lemma_ for t in doc if t._.is_content], doc.lang_
    (['dele', 'viden'], 'da')
    """
    end = len(text) if end is None else end
    starts, ends = annotation["starts"], annotation["ends"]
    if (
        len(starts) != len(ends)
        or len(starts) != len(annotation["lemmas"])
        or len(starts) != len(annotation["flags"])
    ):
        raise ConfigError(
            "the annotation's starts, ends, lemmas and flags differ in length.",
            fix="pass an annotation written by nlp preprocess (Annotation.to_json()).",
        )
    words: list[str] = []
    spaces: list[bool] = []
    lemmas: list[str] = []
    flags: list[str | None] = []

    def gap(a: int, b: int) -> None:
        """Text between tokens: a single space trails the previous token; anything else is a token of its own."""
        piece = text[a:b]
        if not piece:
            return
        if piece[0] == " " and words and not spaces[-1] and not words[-1].isspace():
            spaces[-1] = True
            piece = piece[1:]
        if piece:
            words.append(piece)
            spaces.append(False)
            lemmas.append(piece)
            flags.append(None)

    pos = start
    for s, e, lem, flag in zip(starts, ends, annotation["lemmas"], annotation["flags"]):
        if s < pos or e > end or e < s:
            raise ConfigError(
                f"token at {s}..{e} lies outside the span {start}..{end} or overlaps the one before.",
                fix="pass the span (start, end) of the segment the annotation belongs to.",
            )
        gap(pos, s)
        words.append(text[s:e])
        spaces.append(False)
        lemmas.append(lem)
        flags.append(flag)
        pos = e
    gap(pos, end)
    lang = annotation.get("lang")
    doc = Doc(vocab or _blank_vocab(lang or "xx"), words=words, spaces=spaces, lemmas=lemmas)
    for tok, flag in zip(doc, flags):
        tok._.flag = flag
    doc._.lang = lang
    doc._.start = start
    return doc


def segment_docs(
    transcript: Transcript,
    *,
    lang: str | None = None,
    pipeline: Language | None = None,
    include_interviewer: bool = False,
) -> list[Doc]:
    """One spaCy ``Doc`` per analysis segment of ``transcript``, carrying our tokens, lemmas, flags and language.

    Parameters
    ----------
    transcript
        A transcript as ``nlp preprocess`` writes it (``segment.meta["preprocess"]``); one without that annotation
        is preprocessed here first, the same way.
    lang
        Force the language when preprocessing here (``None``: identify it in the transcript's context).
    pipeline
        A spaCy pipeline (e.g. a trained Norwegian/Danish one the user installed): the Docs are made on its
        vocabulary and its components run on them; our lemmas are set again afterwards (its tags, dependency
        parse and entities stay).
    include_interviewer
        Also the interviewer's turns.

    Returns
    -------
    list of spacy.tokens.Doc
        In segment order; ``doc._.segment_id`` (the segment id, or ``transcript:start-end``), ``doc._.transcript_id``,
        ``doc._.start`` (the segment's offset in the transcript text), ``doc._.lang``. A transcript without segments
        gives one Doc of its whole text.
    """
    segments = transcript.analysis_segments(include_interviewer=include_interviewer)
    annotated = (
        all("preprocess" in s.meta for s in segments)
        if transcript.segments
        else "preprocess" in transcript.meta
    )
    if not annotated or lang is not None:
        transcript = preprocess_transcript(transcript, lang=lang)
        segments = transcript.analysis_segments(include_interviewer=include_interviewer)
    if transcript.segments:
        parts = [
            (s.id or f"{transcript.id}:{s.start}-{s.end}", s.start, s.end, s.meta["preprocess"])
            for s in segments
        ]
    else:
        parts = [(transcript.id, 0, len(transcript.text), transcript.meta["preprocess"])]
    vocab = pipeline.vocab if pipeline is not None else None
    docs = []
    for seg_id, start, end, ann in parts:
        doc = doc_from_annotation(transcript.text, ann, start=start, end=end, vocab=vocab)
        doc._.segment_id = seg_id
        doc._.transcript_id = transcript.id
        docs.append(doc)
    if pipeline is not None:
        ours = [[t.lemma_ for t in doc] for doc in docs]
        docs = list(pipeline.pipe(docs))
        for doc, lemmas in zip(docs, ours):
            for tok, lem in zip(doc, lemmas):
                tok.lemma_ = lem
    return docs


class KlyngekoderComponent:
    """A spaCy pipeline component that sets our lemmas and flags on the tokens of another tokenizer.

    Registered as ``"klyngekoder"``: ``nlp.add_pipe("klyngekoder", config={"lang": "nb"})``. Each Doc's text is
    analysed by our :class:`~nlp.normalise.Preprocessor`; a spaCy token with exactly the span of one of ours gets its
    lemma (with ``overwrite_lemmas``, or where the token has none) and flag; a token that differs gets the flag of
    our token covering its first character and keeps its lemma. ``doc._.lang`` is set.

    Parameters
    ----------
    lang
        ``nb``, ``nn``, ``da``, ``sv`` or ``en``; ``None`` identifies the language of each Doc.
    overwrite_lemmas
        Replace lemmas set by an earlier component (e.g. a trained lemmatizer).

    Examples
    --------
    >>> import spacy
    >>> nlp = spacy.blank("nb")
    >>> _ = nlp.add_pipe("klyngekoder", config={"lang": "nb"})
    >>> doc = nlp("Vi samarbeider med [bedrift], liksom.")
    >>> [(t.text, t.lemma_, t._.flag) for t in doc][1:6]
    [('samarbeider', 'samarbeide', 'w'), ('med', 'med', 's'), ('[', '', 'x'), ('bedrift', '', 'x'), (']', '', 'x')]
    >>> [(t.text, t._.flag_name) for t in doc][-2:]
    [('liksom', 'discourse marker'), ('.', 'punctuation')]
    """

    def __init__(self, *, lang: str | None = None, overwrite_lemmas: bool = True) -> None:
        self.preprocessor = Preprocessor(lang=lang)
        self.overwrite_lemmas = overwrite_lemmas

    def __call__(self, doc: Doc) -> Doc:
        ann = self.preprocessor.annotate(doc.text)
        by_span = {(s, e): i for i, (s, e) in enumerate(zip(ann.starts, ann.ends))}
        for tok in doc:
            if tok.is_space:
                continue
            i = by_span.get((tok.idx, tok.idx + len(tok.text)))
            if i is not None:
                if self.overwrite_lemmas or not tok.lemma_:
                    tok.lemma_ = ann.lemmas[i]
                tok._.flag = ann.flags[i]
                continue
            j = bisect.bisect_right(ann.starts, tok.idx) - 1
            if j >= 0 and ann.ends[j] > tok.idx:
                tok._.flag = ann.flags[j]
        doc._.lang = ann.lang
        return doc


@Language.factory(COMPONENT, default_config={"lang": None, "overwrite_lemmas": True})
def _make_component(
    nlp: Language, name: str, lang: str | None, overwrite_lemmas: bool
) -> KlyngekoderComponent:
    return KlyngekoderComponent(lang=lang, overwrite_lemmas=overwrite_lemmas)
