"""Tiny CoNLL-U reader shared by the bench scripts (no dependency; reads /work/shared/data/ud)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

__all__ = ["SHARED", "UD", "UDSentence", "read_conllu", "spacy_lookup_lemmas", "ud_file"]

SHARED = Path(os.environ.get("NLP_SHARED", Path(__file__).resolve().parents[2] / "shared"))
UD = SHARED / "data" / "ud"

_FILES = {
    "nb": "UD_Norwegian-Bokmaal/no_bokmaal-ud-{split}.conllu",
    "nn": "UD_Norwegian-Nynorsk/no_nynorsk-ud-{split}.conllu",
    "da": "UD_Danish-DDT/da_ddt-ud-{split}.conllu",
    "sv": "UD_Swedish-Talbanken/sv_talbanken-ud-{split}.conllu",
    "lia": "UD_Norwegian-NynorskLIA/no_nynorsklia-ud-{split}.conllu",
}


@dataclass
class UDSentence:
    text: str
    forms: list[str]
    lemmas: list[str]
    upos: list[str]
    deprels: list[str]
    meta: dict[str, str]


def ud_file(name: str, split: str) -> Path:
    return UD / _FILES[name].format(split=split)


def read_conllu(path: str | Path) -> Iterator[UDSentence]:
    """Sentences of a CoNLL-U file (multiword-token ranges and empty nodes skipped)."""
    meta: dict[str, str] = {}
    rows: list[list[str]] = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            line = line.rstrip("\n")
            if not line:
                if rows:
                    yield UDSentence(
                        meta.get("text", " ".join(r[1] for r in rows)),
                        [r[1] for r in rows],
                        [r[2] for r in rows],
                        [r[3] for r in rows],
                        [r[7] for r in rows],
                        meta,
                    )
                meta, rows = {}, []
            elif line.startswith("#"):
                key, _, value = line[1:].partition("=")
                meta[key.strip()] = value.strip()
            else:
                cols = line.split("\t")
                if len(cols) == 10 and cols[0].isdigit():
                    rows.append(cols)
    if rows:
        yield UDSentence(
            meta.get("text", ""),
            [r[1] for r in rows],
            [r[2] for r in rows],
            [r[3] for r in rows],
            [r[7] for r in rows],
            meta,
        )


def spacy_lookup_lemmas(forms: list[str], lang: str) -> list[str]:
    """Lower-cased lemmas of gold tokens from spaCy ``blank(lang)`` + its lookup lemmatiser (tables from
    spacy-lookups-data, installed by the project's dev extra; nynorsk uses the bokmål pipeline, spaCy has none)."""
    import spacy
    from spacy.tokens import Doc

    nlp = spacy.blank("nb" if lang == "nn" else lang)
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.initialize()
    return [t.lemma_.lower() or t.lower_ for t in nlp(Doc(nlp.vocab, words=forms))]
