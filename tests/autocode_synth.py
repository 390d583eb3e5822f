"""A tiny synthetic coded corpus (Norwegian/Danish sentences) for the auto-coder tests.

Each code has its own vocabulary; polarity is carried by evaluative words. Groups stand for informants.
"""

from __future__ import annotations

import random

from nlp.model import CodeSpan, Segment, Transcript, Unit

CODE_TEXTS = {
    "knowledge_sharing": [
        "vi deler kunnskap og erfaringer med de andre bedriftene",
        "kunnskapsdelingen mellom bedriftene skjer på tvers",
        "vi lærer mye av hverandre og deler kompetanse",
        "vi deler viden og erfaring med de andre virksomheder",
    ],
    "competition": [
        "konkurrentene våre sitter i samme klynge",
        "det er hard konkurranse om de samme kundene",
        "vi frykter at konkurrenter stjeler ideene",
        "konkurrencen mellem virksomhederne er hård",
    ],
    "meeting_places": [
        "vi møtes på seminarer og frokostmøter",
        "klyngen arrangerer samlinger og konferanser hver måned",
        "møteplassene er viktige for oss, særlig seminarene",
        "vi mødes til seminarer og konferencer",
    ],
}
POLARITY_TEXTS = {
    "driver": ["det er en stor styrke for oss", "det fungerer veldig bra", "det har vært svært nyttig"],
    "barrier": [
        "men det er et problem og en utfordring",
        "dessverre er det en barriere",
        "det hemmer oss dessverre",
    ],
    "neutral": ["sånn er det bare", "det er slik det foregår", "det kan man si"],
}


def synthetic_rows(n_groups: int = 10, per_group: int = 8, seed: int = 0) -> list[dict]:
    """Rows ``{"id", "text", "codes", "polarity", "group"}``; deterministic for a seed."""
    rng = random.Random(seed)
    codes = sorted(CODE_TEXTS)
    rows = []
    for g in range(n_groups):
        for i in range(per_group):
            chosen = {codes[(g + i) % 3]}
            if i % 4 == 0:
                chosen.add(codes[(g + i + 1) % 3])
            pol = ("driver", "barrier", "neutral")[(g * per_group + i) % 3]
            parts = [rng.choice(CODE_TEXTS[c]) for c in sorted(chosen)] + [rng.choice(POLARITY_TEXTS[pol])]
            rows.append(
                {
                    "id": f"g{g}-{i}",
                    "text": ". ".join(parts) + ".",
                    "codes": sorted(chosen),
                    "polarity": pol,
                    "group": f"informant{g}",
                }
            )
    return rows


def synthetic_units(**kw) -> list[Unit]:
    return [
        Unit(
            id=r["id"],
            transcript_id=r["group"],
            text=r["text"],
            start=0,
            end=len(r["text"]),
            group=r["group"],
            lang="nb",
            codes={"coder1": frozenset(r["codes"]) | {"polarity:" + r["polarity"]}},
        )
        for r in synthetic_rows(**kw)
    ]


def synthetic_transcripts(rows: list[dict] | None = None, **kw) -> list[Transcript]:
    """One transcript per group; each row a segment with coder1's codes as spans (``rows``: these rows instead of
    :func:`synthetic_rows` of ``kw``)."""
    by_group: dict[str, list[dict]] = {}
    for r in rows if rows is not None else synthetic_rows(**kw):
        by_group.setdefault(r["group"], []).append(r)
    out = []
    for g, group_rows in sorted(by_group.items()):
        text, segs, codes = "", [], []
        for r in group_rows:
            start = len(text)
            text += r["text"]
            end = len(text)
            text += "\n"
            segs.append(Segment(start=start, end=end, speaker="I", kind="answer", id=r["id"]))
            codes.extend(CodeSpan(code=c, start=start, end=end, coder="coder1") for c in r["codes"])
            codes.append(CodeSpan(code="polarity:" + r["polarity"], start=start, end=end, coder="coder1"))
        out.append(
            Transcript(
                id=g, text=text, segments=tuple(segs), codes=tuple(codes), lang="nb", meta={"group": g}
            )
        )
    return out
