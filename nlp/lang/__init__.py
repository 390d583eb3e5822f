"""Language facts as data: one module per language (nb, nn, da, sv, en) plus derived tables built by
``scripts/build_lang_data.py`` (``lemmas_*.tsv``, ``langid.json``).

Each language module defines STOP_WORDS, FILLERS, BACKCHANNELS, DISCOURSE, ABBREVIATIONS, FINAL_ABBREVIATIONS and
SUSPENSION_LINKS, each with a comment naming its source. Other modules here: ``speakers`` (speaker labels),
``names`` (pseudonymisation), ``hyphenation``.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from types import ModuleType

from ..errors import ConfigError

__all__ = ["DATA_DIR", "LANGS", "language", "words"]

#: Languages that preprocessing knows, in the order language id reports them.
LANGS = ("nb", "nn", "da", "sv", "en")

DATA_DIR = Path(__file__).resolve().parent


def words(text: str) -> frozenset[str]:
    """The whitespace-separated words of ``text`` (how the word lists in the language modules are written)."""
    return frozenset(text.split())


def language(lang: str) -> ModuleType:
    """The data module of ``lang`` (one of :data:`LANGS`).

    Examples
    --------
    >>> "ikkje" in language("nn").STOP_WORDS
    True
    """
    if lang not in LANGS:
        raise ConfigError(f"unknown language {lang!r}.", fix=f"use one of {', '.join(LANGS)}.")
    return importlib.import_module(f"{__name__}.{lang}")
