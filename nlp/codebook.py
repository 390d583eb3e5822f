"""The codebook: theory-concept codes with ids, names, definitions, hierarchy and cue words, plus polarity values.

A codebook is read from and written to YAML in the layout of ``corpora/klynger/codebook.yaml``::

    name: klyngeteori
    version: 1
    polarity:
      driver:  {nb: fremmende faktor, da: fremmende faktor}
      barrier: {nb: hemmende faktor, da: hæmmende faktor}
      neutral: {nb: beskrivende, da: beskrivende}
    codes:
      knowledge_sharing:
        name_nb: Kunnskapsdeling
        definition: Sharing, exchange or spillover of knowledge ...
        parent: null            # optional: id of the parent code
        cues: ["kunnskapsdel*", "dele* erfaring*", "lær* av hverandre", "videndel*"]   # optional
        color: "#1f77b4"        # optional: display colour (kept from and written to QDA programs)
        codable: false          # optional: a grouping folder that is not applied to text itself
        guid: 0b6c...           # optional: the code's identity in a QDA project (kept on round trips)
        memos:                  # optional: memos attached to the code in a QDA program
          - {text: ..., guid: ..., name: ...}
    polarity_cues:              # optional: words that mark a unit as driver or barrier, and negators
      driver: ["viktig for", "bidra*"]
      barrier: ["mangel på", "utfordr*"]
      negators: ["ikke", "ikkje", "ikke noe"]
    polarity_guids:             # optional: the polarity group's and values' identity in a QDA project
      polarity: 7d1f...         #   the group (kept on round trips, like a code's guid)
      polarity:driver: 3a9e...  #   a value, as its spans name it

Cue words and phrases are in any of the codebook's languages (bokmål, nynorsk, Danish mixed in one list); ``*`` stands
for any word ending, also inside a phrase (``lær* av hverandre``). The older layout ``cues: {nb: [...], da: [...]}``
is read too (its lists are joined).

This module knows YAML only. :func:`nlp.refi.load_codebook` reads any codebook the toolkit takes (``.yaml``/``.yml``,
REFI-QDA ``.qdc`` codebooks and the code tree of ``.qdpx`` projects); every command that takes a codebook uses it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import InputError
from .model import POLARITY_PREFIX, atomic_write_text

__all__ = ["Code", "Codebook", "Memo", "read_codebook_yaml"]


@dataclass(frozen=True)
class Memo:
    """A memo attached to a code in a QDA program (a REFI-QDA ``<Note>``): its text, and its GUID and title there."""

    text: str
    guid: str | None = None
    name: str = ""


@dataclass(frozen=True)
class Code:
    """One code of a codebook. ``names`` maps a language (``nb``, ``da``, ``en``) to a display name; ``cues`` are
    cue words and phrases in any language (``*`` = any word ending).

    The last four fields carry what QDA programs keep about a code, so that a project imported from NVivo,
    ATLAS.ti, MAXQDA or QualCoder goes back unchanged: ``color`` (``#rrggbb``), ``codable`` (False for a folder
    that only groups codes), ``guid`` (its identity there; None = derived from the id on export) and ``memos``.
    """

    id: str
    names: Mapping[str, str] = field(default_factory=dict, hash=False)
    definition: str = ""
    parent: str | None = None
    cues: tuple[str, ...] = ()
    color: str | None = None
    codable: bool = True
    guid: str | None = None
    memos: tuple[Memo, ...] = ()

    @property
    def name(self) -> str:
        """Display name: Norwegian first, then any other, then the id."""
        for lang in ("nb", "nn", "da", "en"):
            if self.names.get(lang):
                return self.names[lang]
        return next(iter(self.names.values()), self.id)


@dataclass(frozen=True)
class Codebook:
    """An ordered set of codes (the theory concepts) and the polarity values coded beside them."""

    name: str
    codes: tuple[Code, ...]
    polarity: tuple[str, ...] = ("driver", "barrier", "neutral")
    polarity_labels: Mapping[str, Mapping[str, str]] = field(default_factory=dict, hash=False)
    version: str = "1"
    description: str = ""
    #: ``driver``, ``barrier`` and ``negators``: cue words for polarity (see the module docstring)
    polarity_cues: Mapping[str, tuple[str, ...]] = field(default_factory=dict, hash=False)
    #: GUIDs another program gave the polarity group (key ``polarity``) and its values (``polarity:<value>``)
    polarity_guids: Mapping[str, str] = field(default_factory=dict, hash=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "codes", tuple(self.codes))
        object.__setattr__(self, "polarity", tuple(self.polarity))
        ids = [c.id for c in self.codes]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise InputError(
                f"codebook {self.name!r} defines codes more than once: {', '.join(dupes)}.",
                fix="give every code a unique id.",
            )
        for c in self.codes:
            if c.parent is not None and c.parent not in ids:
                raise InputError(
                    f"code {c.id!r} has parent {c.parent!r}, which the codebook does not define.",
                    fix="add the parent code or remove the parent.",
                )
            if c.id.startswith(POLARITY_PREFIX):
                raise InputError(f"code id {c.id!r} uses the reserved prefix {POLARITY_PREFIX!r}.")

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(c.id for c in self.codes)

    @property
    def polarity_codes(self) -> tuple[str, ...]:
        """Polarity values as the code strings their spans carry (``polarity:driver`` ...)."""
        return tuple(POLARITY_PREFIX + p for p in self.polarity)

    def __contains__(self, code_id: object) -> bool:
        return code_id in self.ids or code_id in self.polarity_codes

    def __iter__(self) -> Iterator[Code]:
        return iter(self.codes)

    def __len__(self) -> int:
        return len(self.codes)

    def __getitem__(self, code_id: str) -> Code:
        for c in self.codes:
            if c.id == code_id:
                return c
        raise KeyError(code_id)

    def children(self, code_id: str | None) -> tuple[Code, ...]:
        """Direct children of ``code_id`` (top-level codes for ``None``)."""
        return tuple(c for c in self.codes if c.parent == code_id)

    def check_codes(self, codes: Iterable[str], *, where: str) -> None:
        """Raise :class:`InputError` naming ``where`` if any code is not in this codebook."""
        unknown = sorted({c for c in codes if c not in self})
        if unknown:
            raise InputError(
                f"{where}: unknown codes {', '.join(unknown)} (codebook {self.name!r} has "
                f"{', '.join(self.ids)}).",
                fix="correct the code ids or pass the matching codebook.",
            )

    # --- YAML -------------------------------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        codes: dict[str, Any] = {}
        for c in self.codes:
            entry: dict[str, Any] = {f"name_{lang}": name for lang, name in c.names.items()}
            entry["definition"] = c.definition
            if c.parent is not None:
                entry["parent"] = c.parent
            if c.cues:
                entry["cues"] = list(c.cues)
            if c.color:
                entry["color"] = c.color
            if not c.codable:
                entry["codable"] = False
            if c.guid:
                entry["guid"] = c.guid
            if c.memos:
                entry["memos"] = [
                    {k: v for k, v in (("text", m.text), ("guid", m.guid), ("name", m.name)) if v}
                    for m in c.memos
                ]
            codes[c.id] = entry
        out: dict[str, Any] = {"name": self.name, "version": self.version}
        if self.description:
            out["description"] = self.description
        out["polarity"] = {p: dict(self.polarity_labels.get(p, {})) for p in self.polarity}
        out["codes"] = codes
        if self.polarity_cues:
            out["polarity_cues"] = {k: list(v) for k, v in self.polarity_cues.items()}
        if self.polarity_guids:
            out["polarity_guids"] = dict(self.polarity_guids)
        return out

    def save(self, path: str | Path) -> None:
        atomic_write_text(
            path, yaml.safe_dump(self.to_dict(), allow_unicode=True, sort_keys=False, width=120)
        )

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, source: str = "<codebook>") -> Codebook:
        if not isinstance(data, Mapping) or not isinstance(data.get("codes"), Mapping):
            raise InputError(
                "a codebook needs a mapping `codes:` of code id -> {name_nb, definition}.",
                path=source,
                fix="see corpora/klynger/codebook.yaml for the layout.",
            )
        codes = []
        for cid, entry in data["codes"].items():
            entry = entry or {}
            if not isinstance(entry, Mapping):
                raise InputError(f"code {cid!r} must be a mapping with name_xx and definition.", path=source)
            names = {k[5:]: str(v) for k, v in entry.items() if k.startswith("name_") and v}
            if entry.get("name"):
                names.setdefault("en", str(entry["name"]))
            cues = _cue_list(entry.get("cues"), where=f"code {cid!r}", source=source)
            codable = entry.get("codable", True)
            if not isinstance(codable, bool):
                raise InputError(
                    f"code {cid!r}: codable must be true or false, not {codable!r}.", path=source
                )
            codes.append(
                Code(
                    id=str(cid),
                    names=names,
                    definition=str(entry.get("definition") or ""),
                    parent=entry.get("parent"),
                    cues=cues,
                    color=_opt_str(entry.get("color")),
                    codable=codable,
                    guid=_opt_str(entry.get("guid")),
                    memos=_memos(entry.get("memos"), where=f"code {cid!r}", source=source),
                )
            )
        pol = data.get("polarity")  # left out or null: the default three; {} (a foreign code tree): none
        pol = {"driver": {}, "barrier": {}, "neutral": {}} if pol is None else pol
        pol_ids = tuple(pol)
        labels = {p: dict(v) for p, v in pol.items() if v} if isinstance(pol, Mapping) else {}
        pcues_raw = data.get("polarity_cues") or {}
        if not isinstance(pcues_raw, Mapping):
            raise InputError(
                "`polarity_cues:` must be a mapping of driver/barrier/negators -> list of cue words.",
                path=source,
                fix="see corpora/klynger/codebook.yaml for the layout.",
            )
        pcues = {
            str(k): _cue_list(v, where=f"polarity_cues {k!r}", source=source) for k, v in pcues_raw.items()
        }
        pguids = data.get("polarity_guids") or {}
        if not isinstance(pguids, Mapping) or not all(isinstance(v, str) for v in pguids.values()):
            raise InputError(
                "`polarity_guids:` must map polarity (the group) and polarity:<value> to GUIDs.",
                path=source,
                fix="leave it out to derive them, or write e.g. polarity:driver: 3a9e0c5e-....",
            )
        return cls(
            name=str(data.get("name", "codebook")),
            codes=tuple(codes),
            polarity=pol_ids,
            polarity_labels=labels,
            version=str(data.get("version", "1")),
            description=str(data.get("description") or ""),
            polarity_cues=pcues,
            polarity_guids={str(k): v for k, v in pguids.items()},
        )


def _cue_list(raw: Any, *, where: str, source: str) -> tuple[str, ...]:
    """Cue words as one tuple: a list as it is, the older ``{lang: [...]}`` layout joined in order."""
    if raw is None:
        return ()
    if isinstance(raw, Mapping):
        raw = [w for words in raw.values() for w in (words or ())]
    if not isinstance(raw, (list, tuple)) or not all(isinstance(w, str) for w in raw):
        raise InputError(
            f"{where}: cues must be a list of words or phrases.",
            path=source,
            fix='write e.g. cues: ["kunnskapsdel*", "lær* av hverandre"].',
        )
    return tuple(w.strip() for w in raw if w.strip())


def _opt_str(value: Any) -> str | None:
    return None if value is None or value == "" else str(value)


def _memos(raw: Any, *, where: str, source: str) -> tuple[Memo, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list) or not all(isinstance(m, (str, Mapping)) for m in raw):
        raise InputError(
            f"{where}: memos must be a list of texts or {{text, guid, name}} mappings.", path=source
        )
    return tuple(
        Memo(text=m)
        if isinstance(m, str)
        else Memo(text=str(m.get("text") or ""), guid=_opt_str(m.get("guid")), name=str(m.get("name") or ""))
        for m in raw
    )


def read_codebook_yaml(path: str | Path) -> Codebook:
    """Read a codebook from YAML (``.yaml``/``.yml``); :func:`nlp.refi.load_codebook` reads every codebook form."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise InputError("codebook file not found.", path=path) from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise InputError(
            f"not valid YAML ({getattr(exc, 'problem', exc)}).",
            path=path,
            line=None if mark is None else mark.line + 1,
        ) from exc
    return Codebook.from_dict(data, source=str(path))
