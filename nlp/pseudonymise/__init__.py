"""Pseudonymisation: rules that find names and contacts, consistent placeholders, a separate key, exact reversal.

Modules: :mod:`.rules` (detection), :mod:`.key` (the key file, name and keep lists), :mod:`.replace`
(transcripts in, pseudonymised transcripts out, and back).
"""

from __future__ import annotations

from .key import KEY_FORMAT, TOOL_VERSION, PseudonymKey, load_keep_list, load_names_csv
from .replace import (
    MARKER,
    SCOPE,
    check_pseudonymised,
    find_entities,
    is_pseudonymised,
    key_replacer,
    project_entities,
    pseudonymise,
    render_turns,
    reverse,
    speaker_names,
    written_form,
)
from .rules import KINDS, NAME_KINDS, Entity, detect_entities, detect_patterns

__all__ = [
    "KEY_FORMAT",
    "KINDS",
    "MARKER",
    "NAME_KINDS",
    "SCOPE",
    "TOOL_VERSION",
    "Entity",
    "PseudonymKey",
    "check_pseudonymised",
    "detect_entities",
    "detect_patterns",
    "find_entities",
    "is_pseudonymised",
    "key_replacer",
    "load_keep_list",
    "load_names_csv",
    "project_entities",
    "pseudonymise",
    "render_turns",
    "reverse",
    "speaker_names",
    "written_form",
]
