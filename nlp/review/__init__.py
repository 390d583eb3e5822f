"""Review machine codes: put ``nlp tag`` output in front of a person who decides, and use the decisions.

:mod:`.machine` turns tag records back into codings on their transcripts (REFI-QDA export, comparison),
:mod:`.decisions` keeps the reviewer's decisions in an append-only log and replays them into coded data,
:mod:`.server` serves the local review page (``nlp review``).
"""

from __future__ import annotations

from .decisions import (
    DecisionLog,
    decisions_path,
    is_decision_log,
    read_events,
    replay,
    review_records,
    review_summary,
    reviewed_transcripts,
    reviewed_units,
    reviewer_spans,
    tagged_path_of,
)
from .machine import attach_machine_codes, is_tag_output, is_tag_record, read_tag_output, source_transcripts
from .server import ReviewServer, interview_order, uncertainty_order

__all__ = [
    "DecisionLog",
    "ReviewServer",
    "attach_machine_codes",
    "decisions_path",
    "interview_order",
    "is_decision_log",
    "is_tag_output",
    "is_tag_record",
    "read_events",
    "read_tag_output",
    "replay",
    "review_records",
    "review_summary",
    "reviewed_transcripts",
    "reviewed_units",
    "reviewer_spans",
    "source_transcripts",
    "tagged_path_of",
    "uncertainty_order",
]
