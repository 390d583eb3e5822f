"""pandas DataFrame views of corpus units, tagged records and agreement figures, for people who work in notebooks.

Each view is built from the objects the rest of the package returns (:class:`~nlp.model.Unit`, the records of
:func:`nlp.classify.tag.tag_units` / ``nlp tag``, :class:`~nlp.agreement.Comparison`) and adds no computation: a
figure in a frame is the figure in the JSON/CSV outputs. pandas is an optional extra
(``pip install "klyngekoder[pandas]"``); without it these functions raise a :class:`~nlp.errors.ConfigError` that says
so. The shortcuts :meth:`nlp.corpora.Corpus.to_frame` and :meth:`nlp.agreement.Comparison.to_frame` call them.

Examples
--------
>>> from nlp.corpora import load
>>> frame = load("klynger").to_frame()
>>> frame.shape, frame.index.name
((298, 13), 'id')
>>> frame.groupby("lang").size().to_dict()
{'da': 20, 'nb': 278}
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from types import ModuleType
from typing import TYPE_CHECKING, Any

from .codebook import Codebook
from .errors import ConfigError
from .model import POLARITY_PREFIX, Unit

if TYPE_CHECKING:  # annotations only: pandas is an optional extra
    import pandas as pd

__all__ = ["COMPARISON_TABLES", "INSTALL_HINT", "comparison_frame", "tagged_frame", "units_frame"]

#: How to install the optional dependency.
INSTALL_HINT = 'pip install "klyngekoder[pandas]"'
#: The tables of a :class:`~nlp.agreement.Comparison` that :func:`comparison_frame` can give.
COMPARISON_TABLES = ("stats", "per_code", "disagreements")

_UNIT_COLUMNS = ("transcript_id", "group", "speaker", "lang", "kind", "source", "start", "end", "text")
_STAT_COLUMNS = ("target", "name", "reference", "other", "value", "ci_low", "ci_high", "n_units", "reason")


def _pandas() -> ModuleType:
    """pandas, imported when a frame is asked for (an optional extra)."""
    try:
        import pandas
    except ImportError as exc:
        raise ConfigError(
            f"pandas is not installed ({exc}); the DataFrame views need it.",
            fix=f"install the extra: {INSTALL_HINT}",
        ) from exc
    return pandas


def units_frame(units: Iterable[Unit], *, coders: Sequence[str] | None = None) -> pd.DataFrame:
    """One row per analysis unit, indexed by unit id, with each coder's concepts and polarity.

    Parameters
    ----------
    units
        :class:`~nlp.model.Unit` objects (e.g. ``corpus.units()``).
    coders
        Coders whose coding becomes columns ``concepts:<coder>`` (a sorted tuple of code ids) and
        ``polarity:<coder>`` (``driver``/``barrier``/``neutral`` or None); default every coder met, sorted.

    Returns
    -------
    pandas.DataFrame
        Columns ``transcript_id, group, speaker, lang, kind, source, start, end, text`` and the coder columns;
        ``start``/``end`` are code-point offsets into the transcript text.

    Examples
    --------
    >>> from nlp.model import Unit
    >>> u = Unit(id="t1:0", transcript_id="t1", text="Vi deler kunnskap.", start=0, end=18, group="t1",
    ...          lang="nb", codes={"ann": frozenset({"kunnskap", "polarity:driver"})})
    >>> units_frame([u])[["text", "concepts:ann", "polarity:ann"]].to_dict("index")
    {'t1:0': {'text': 'Vi deler kunnskap.', 'concepts:ann': ('kunnskap',), 'polarity:ann': 'driver'}}
    """
    pd = _pandas()
    units = list(units)
    if coders is None:
        coders = sorted({c for u in units for c in u.codes})
    rows = []
    for u in units:
        row: dict[str, Any] = {"id": u.id, **{k: getattr(u, k) for k in _UNIT_COLUMNS}}
        for coder in coders:
            row[f"concepts:{coder}"] = tuple(sorted(u.concepts(coder)))
            row[f"polarity:{coder}"] = u.polarity(coder)
        rows.append(row)
    columns = ["id", *_UNIT_COLUMNS, *(f"{kind}:{c}" for c in coders for kind in ("concepts", "polarity"))]
    return pd.DataFrame(rows, columns=columns).set_index("id")


def tagged_frame(records: Iterable[Mapping[str, Any]], *, codebook: Codebook | None = None) -> pd.DataFrame:
    """The records of ``nlp tag`` / :func:`nlp.classify.tag.tag_units` as a frame, one row per segment.

    Parameters
    ----------
    records
        Dicts ``{id, source, start, end, speaker, text, codes, polarity, scores, model, options}`` (e.g. the lines
        of ``tagged.jsonl``, one ``json.loads`` per line).
    codebook
        For the ``code labels`` and ``polarity label`` columns (default: the ids).

    Returns
    -------
    pandas.DataFrame
        The columns of ``nlp tag``'s CSV/XLSX (:func:`nlp.classify.output.table_header`): ``codes`` and
        ``code labels`` as tuples, ``cued`` (a tuple, when the records carry it), ``withheld`` (a dict ``code ->
        reason``), ``not_content`` (the reason, or ``None``), ``score:<name>`` per code and per ``polarity:<value>`` in the order first met,
        ``why`` (a dict, when the records carry explanations), ``model`` and ``options`` (a dict).

    Examples
    --------
    >>> rec = {"id": "a", "source": "i.txt", "start": 0, "end": 17, "speaker": None, "text": "vi deler kunnskap",
    ...        "codes": ["ks"], "polarity": "driver", "scores": {"ks": 0.91, "polarity:driver": 0.7}}
    >>> tagged_frame([rec])[["codes", "score:ks", "score:polarity:driver"]].to_dict("records")
    [{'codes': ('ks',), 'score:ks': 0.91, 'score:polarity:driver': 0.7}]
    """
    # inside: nlp.classify loads scikit-learn, and this module is imported by nlp.corpora (every `nlp` start)
    from .classify.output import code_label, table_header

    pd = _pandas()
    records = list(records)
    columns = table_header(records)
    rows = []
    for r in records:
        codes = tuple(r.get("codes") or ())
        pol = r.get("polarity")
        row = {
            k: r.get(k)
            for k in (
                "id",
                "source",
                "start",
                "end",
                "speaker",
                "text",
                "polarity",
                "why",
                "model",
                "options",
            )
        }
        row.update(
            {
                "cued": tuple(r.get("cued") or ()),
                "withheld": dict(r.get("withheld") or {}),
                "not_content": r.get("not_content"),
                "codes": codes,
                "code labels": tuple(code_label(c, codebook) for c in codes),
                "polarity label": code_label(POLARITY_PREFIX + pol, codebook) if pol else None,
            }
        )
        scores = r.get("scores", {})
        row.update({c: scores.get(c[len("score:") :]) for c in columns if c.startswith("score:")})
        rows.append(row)
    return pd.DataFrame(rows, columns=columns)


def comparison_frame(comparison: Any, *, table: str = "stats") -> pd.DataFrame:
    """A table of an agreement :class:`~nlp.agreement.Comparison` as a frame.

    Parameters
    ----------
    comparison
        The :class:`~nlp.agreement.Comparison` :func:`nlp.agreement.comparison.compare` returned (not imported
        here: the agreement package builds its frames through this module).
    table
        ``stats`` (one row per coefficient: ``target, name, reference, other, value, ci_low, ci_high, n_units,
        reason``; an undefined coefficient is NaN with its ``reason``), ``per_code`` (the rows of
        ``per_code.csv``) or ``disagreements`` (the rows of ``disagreements.csv``).

    Returns
    -------
    pandas.DataFrame

    Raises
    ------
    ConfigError
        ``table`` is not one of :data:`COMPARISON_TABLES`.

    Examples
    --------
    >>> from nlp.agreement import Stat, Comparison
    >>> c = Comparison(unit="segment", reference="a", others=("b",), n_units=10, n_groups=2, n_transcripts=2,
    ...                confidence=0.95, n_boot=0, random_state=0,
    ...                stats=[Stat("polarity", "cohen_kappa", "a", "b", 0.5, n_units=10)])
    >>> comparison_frame(c)[["target", "name", "value"]].to_dict("records")
    [{'target': 'polarity', 'name': 'cohen_kappa', 'value': 0.5}]
    """
    if table not in COMPARISON_TABLES:
        raise ConfigError(
            f"unknown comparison table {table!r}.", fix=f"use one of {', '.join(COMPARISON_TABLES)}."
        )
    pd = _pandas()
    if table == "stats":
        return pd.DataFrame(
            [[getattr(s, k) for k in _STAT_COLUMNS] for s in comparison.stats], columns=list(_STAT_COLUMNS)
        )
    return pd.DataFrame(getattr(comparison, table))
