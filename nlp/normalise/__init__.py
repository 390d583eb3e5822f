"""Normalisation: one analysis per segment (tokens, lemmas, flags, language), stored by ``nlp preprocess``.

Modules: :mod:`.tokens` (tokeniser, sentences, lemmas, stop words, fillers), :mod:`.langid` (language
identification), :mod:`.preprocess` (the per-segment annotation that every model reads).
"""

from __future__ import annotations

from .langid import LanguageIdentifier, char_ngrams, word_forms
from .preprocess import (
    Annotation,
    Preprocessor,
    PreprocessStats,
    analyze,
    preprocess_transcript,
    preprocess_transcripts,
)
from .tokens import (
    FLAGS,
    Token,
    filler_kind,
    identify_document,
    identify_language,
    is_filler,
    is_stop_word,
    language_scores,
    lemma,
    lemmatize,
    mark_fillers,
    split_sentences,
    stop_words,
    token_spans,
    tokenize,
)

__all__ = [
    "FLAGS",
    "Annotation",
    "LanguageIdentifier",
    "PreprocessStats",
    "Preprocessor",
    "Token",
    "analyze",
    "char_ngrams",
    "filler_kind",
    "identify_document",
    "identify_language",
    "is_filler",
    "is_stop_word",
    "language_scores",
    "lemma",
    "lemmatize",
    "mark_fillers",
    "preprocess_transcript",
    "preprocess_transcripts",
    "split_sentences",
    "stop_words",
    "token_spans",
    "tokenize",
    "word_forms",
]
