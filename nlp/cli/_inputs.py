"""The one way CLI verbs take their data: ``--corpus NAME`` (a bundled corpus or a coded folder/JSONL) or INPUT files."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ..corpora import Corpus, load
from ..errors import ConfigError

__all__ = ["corpus_or_inputs"]


def corpus_or_inputs(corpus: str | None, inputs: Sequence[Path] | Path | None, *, verb: str, example: str,
                     both: bool = False) -> tuple[Corpus | None, list[Path]]:
    """The loaded ``--corpus`` (or ``None``) and the INPUT paths of a verb, checked against each other.

    Parameters
    ----------
    corpus
        The value of ``--corpus``.
    inputs
        The INPUT argument(s).
    verb, example
        The verb and an example INPUT, for the message (``nlp VERB --corpus klynger ...`` or ``nlp VERB EXAMPLE``).
    both
        Whether a corpus and inputs may be given together (e.g. more coded files beside a corpus).

    Raises
    ------
    ConfigError
        Neither is given, or both when ``both`` is false.
    """
    paths = [] if inputs is None else [inputs] if isinstance(inputs, Path) else list(inputs)
    if not corpus and not paths or (corpus and paths and not both):
        given = "both were given" if corpus and paths else "neither was given"
        raise ConfigError(f"give either --corpus NAME or INPUT ({given}).",
                          fix=f"e.g. `nlp {verb} --corpus klynger ...` or `nlp {verb} {example} ...`.")
    return (load(corpus) if corpus else None), paths
