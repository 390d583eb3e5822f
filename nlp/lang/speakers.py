"""Speaker labels in typed interview transcripts (Norwegian bokmål/nynorsk, Danish, English): data only.

Source: the labelling conventions taught in Scandinavian qualitative-methods texts and transcription guides
(Kvale & Brinkmann, *Det kvalitative forskningsintervju* / *InterViews*: ``I:``/``IP:``; Danish transcription
guides: ``Interviewer:``/``Interviewperson:``, ``I:``/``IP:``; Norwegian theses: ``Intervjuer:``/``Informant 3:``,
``Int:``/``Resp:``), the forms of the issue brief (``I:``/``R:``, initials such as ``KM:``) and the speaker names that
speech-to-text tools write (Word "Transcribe" and Otter ``Speaker 1``, Norwegian/Danish UI ``Taler 1``/``Talar 1``,
WebVTT voice tags ``<v Name>``).

Labels are compared case-insensitively after dropping a trailing number/letter index (``Informant 3`` -> ``informant``)
and a trailing full stop (``Int.`` -> ``int``).
"""

from __future__ import annotations

__all__ = [
    "GENERIC_SPEAKER_WORDS",
    "INFORMANT_LABELS",
    "INTERVIEWER_LABELS",
    "NOT_SPEAKER_LABELS",
    "PLACEHOLDERS",
]

#: Labels that mark the interviewer's turns (Segment.kind = "question").
INTERVIEWER_LABELS: frozenset[str] = frozenset(
    {
        # Norwegian (bokmål, nynorsk)
        "i",
        "int",
        "intervjuer",
        "intervjuar",
        "intervjuaren",
        "intervjueren",
        "forsker",
        "forskar",
        "spørsmål",
        "spm",
        "moderator",
        "mod",
        "fasilitator",
        "ordstyrer",
        # Danish
        "interviewer",
        "intervieweren",
        "spørger",
        "sp",
        # English
        "q",
        "question",
        "researcher",
        "res",
        "iv",
        "ivr",
        "facilitator",
    }
)

#: Labels that mark the informant's (interviewee's) turns (Segment.kind = "answer").
INFORMANT_LABELS: frozenset[str] = frozenset(
    {
        # Norwegian (bokmål, nynorsk)
        "r",
        "resp",
        "respondent",
        "informant",
        "informanten",
        "inf",
        "deltaker",
        "deltakar",
        "deltager",
        "svar",
        "intervjuobjekt",
        "intervjuperson",
        "ip",
        # Danish
        "interviewperson",
        "interviewpersonen",
        "interviewede",
        # English
        "a",
        "answer",
        "interviewee",
        "participant",
        "p",
        # German-style transcription software defaults (f4/f5: I = Interviewer, B = Befragte)
        "b",
    }
)

#: Neutral speaker names written by speech-to-text tools and typists; the role is unknown (kind "other") unless the
#: caller names the interviewer.
GENERIC_SPEAKER_WORDS: frozenset[str] = frozenset(
    {
        "speaker",
        "taler",
        "talar",
        "talende",
        "person",
        "stemme",
        "voice",
        "spk",
        "spkr",
    }
)

#: Words that end with a colon at the start of a line in ordinary prose and must never be taken as a speaker.
NOT_SPEAKER_LABELS: frozenset[str] = frozenset(
    {
        "merk",
        "note",
        "nb",
        "obs",
        "eksempel",
        "eks",
        "f.eks",
        "kilde",
        "kilder",
        "tabell",
        "figur",
        "fig",
        "tid",
        "dato",
        "sted",
        "varighet",
        "varighed",
        "tema",
        "tittel",
        "titel",
        "emne",
        "spørsmål nr",
        "vedlegg",
        "bilag",
        "http",
        "https",
        "www",
        "mailto",
        "fordeler",
        "ulemper",
        "konklusjon",
        "konklusion",
        "oppsummering",
        "sammendrag",
        "resultat",
        "resultater",
        "mål",
        "formål",
        "problemstilling",
        "definisjon",
        "definition",
        "date",
        "time",
        "place",
        "location",
        "duration",
        "example",
        "source",
        "table",
        "figure",
        "summary",
    }
)

#: Anonymisation placeholders kept verbatim in the analysis text (one token each downstream).
PLACEHOLDERS: tuple[str, ...] = (
    "[navn]",
    "[bedrift]",
    "[sted]",
    "[firma]",
    "[virksomhed]",
    "[by]",
    "[person]",
    "XX",
    "XXX",
    "NN",
)
