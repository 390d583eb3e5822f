"""The key of a pseudonymised project (placeholder -> original) and the user's lists of names to replace or keep.

The key is JSON, written atomically; the researcher keeps it apart from the pseudonymised data. Used by
:mod:`nlp.pseudonymise`.
"""

from __future__ import annotations

import csv
import json
import re
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..model import atomic_write_text
from .rules import KINDS, NAME_KINDS

__all__ = ["KEY_FORMAT", "TOOL_VERSION", "PseudonymKey", "load_keep_list", "load_names_csv"]

TOOL_VERSION = "klyngekoder-pseudonymise/1"
KEY_FORMAT = "klyngekoder-pseudonym-key"
_KEY_FORMAT = KEY_FORMAT


class PseudonymKey:
    """The mapping between placeholders and original text of one project (keep it apart from the data).

    Parameters
    ----------
    key_id
        A random identifier written into every pseudonymised transcript, so a transcript can be matched to its key.
    entries
        ``{placeholder: {"kind": kind, "text": original}}``.

    Examples
    --------
    >>> key = PseudonymKey(key_id="demo")
    >>> key.placeholder("person", "Kari"), key.placeholder("person", "Per"), key.placeholder("person", "Kari")
    ('[person_1]', '[person_2]', '[person_1]')
    """

    def __init__(
        self, *, key_id: str | None = None, entries: Mapping[str, Mapping[str, str]] | None = None
    ) -> None:
        self.key_id = key_id or uuid.uuid4().hex
        self.entries: dict[str, dict[str, str]] = {p: dict(v) for p, v in (entries or {}).items()}
        self._by_text: dict[str, str] = {}
        self._next: dict[str, int] = dict.fromkeys(KINDS, 1)
        for p, v in self.entries.items():
            self._by_text.setdefault(v["text"], p)
            m = re.fullmatch(r"\[(\w+)_(\d+)\]", p)
            if m and m.group(1) in self._next:
                self._next[m.group(1)] = max(self._next[m.group(1)], int(m.group(2)) + 1)

    def placeholder(self, kind: str, text: str) -> str:
        """The placeholder of ``text`` (an existing one whatever its kind, else a new one of ``kind``)."""
        if text in self._by_text:
            return self._by_text[text]
        p = f"[{kind}_{self._next[kind]}]"
        self._next[kind] += 1
        self.entries[p] = {"kind": kind, "text": text}
        self._by_text[text] = p
        return p

    def original(self, placeholder: str) -> str | None:
        entry = self.entries.get(placeholder)
        return None if entry is None else entry["text"]

    def known(self) -> dict[str, str]:
        """Every original surface form in the key, mapped to its kind."""
        return {v["text"]: v["kind"] for v in self.entries.values()}

    def to_json(self) -> dict[str, Any]:
        return {
            "format": _KEY_FORMAT,
            "version": 1,
            "key_id": self.key_id,
            "tool_version": TOOL_VERSION,
            "entries": self.entries,
        }

    def save(self, path: str | Path) -> None:
        """Write the key as JSON, atomically."""
        atomic_write_text(
            path, json.dumps(self.to_json(), ensure_ascii=False, indent=1, sort_keys=True) + "\n"
        )

    @classmethod
    def load(cls, path: str | Path) -> PseudonymKey:
        """Read a key file written by :meth:`save`."""
        path = Path(path)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise InputError(
                "the key file does not exist.",
                path=path,
                fix="give the key file written when the data were pseudonymised.",
            ) from None
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise InputError(
                f"not a JSON key file ({exc}).",
                path=path,
                fix="give the key file written by `nlp pseudonymise --key`.",
            ) from None
        if (
            not isinstance(data, dict)
            or data.get("format") != _KEY_FORMAT
            or not isinstance(data.get("entries"), dict)
        ):
            raise InputError(
                "not a pseudonymisation key (format field missing or wrong).",
                path=path,
                fix="give the key file written by `nlp pseudonymise --key`.",
            )
        return cls(key_id=data.get("key_id"), entries=data["entries"])


# --- user lists ---------------------------------------------------------------------------------------------------


def load_names_csv(path: str | Path) -> dict[str, str]:
    """Read a CSV of names to always replace: ``name[,kind]`` per row (kind person, firma or sted; default person).

    A first row ``name,kind`` (or ``navn,type``) is a header and skipped; empty rows and ``#`` comments are ignored.
    """
    path = Path(path)
    out: dict[str, str] = {}
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(
            f"cannot read the names list ({exc}).",
            path=path,
            fix="give a UTF-8 CSV file with one name per row: name,kind.",
        ) from None
    for lineno, row in enumerate(csv.reader(text.splitlines()), 1):
        if not row or not row[0].strip() or row[0].lstrip().startswith("#"):
            continue
        name = row[0].strip()
        kind = row[1].strip().lower() if len(row) > 1 and row[1].strip() else "person"
        if lineno == 1 and name.lower() in ("name", "navn", "navn/name"):
            continue
        if kind not in NAME_KINDS:
            raise InputError(
                f"unknown kind {kind!r} for {name!r}.",
                path=path,
                line=lineno,
                fix=f"use one of {', '.join(NAME_KINDS)} in the second column.",
            )
        out[name] = kind
    return out


def load_keep_list(path: str | Path) -> list[str]:
    """Read phrases never to replace, one per line (``#`` starts a comment)."""
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(
            f"cannot read the keep list ({exc}).",
            path=path,
            fix="give a UTF-8 text file with one phrase per line.",
        ) from None
    return [s for s in (line.split("#", 1)[0].strip() for line in lines) if s]
