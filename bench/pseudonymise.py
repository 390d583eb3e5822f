"""Benchmark of the pseudonymiser on hand-annotated passages of the reference corpus (engineer H).

Gold: ``bench/data/pseudonymise_gold.jsonl`` (built from ``pseudonymise_gold_spec.yaml`` by
``bench/build_pseudonymise_gold.py``): dev = seeds 000/003 (rules tuned on these), test = seeds 002/004 (not tuned
on), synthetic = invented transcript-style passages with contact details. Each split is run as one project (so the
project-wide consistency pass is part of what is measured).

Figures per gold kind (recall) and per predicted kind (precision):
- ``any``: a gold mention counts as found when a predicted span of any kind overlaps it (what matters for privacy:
  the words were replaced); a predicted span is correct when it overlaps any gold mention.
- ``typed``: the kinds must agree as well (``navn`` = name of unknown kind never agrees).
Baseline (same run): every capitalised word that does not start a sentence is a name, plus the same contact
patterns. Timing: median of 3 runs.

Run: ``.venv/bin/python bench/pseudonymise.py [--keep-institutions]``
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from nlp.lang.names import KEEP_INSTITUTIONS
from nlp.pseudonymise.replace import find_entities
from nlp.pseudonymise.rules import Entity, _sentence_initial, detect_patterns

CONTACT = ("epost", "telefon", "url", "postnr", "fnr", "cpr")


def load() -> list[dict]:
    path = ROOT / "bench" / "data" / "pseudonymise_gold.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def baseline(texts: list[str]) -> list[list[Entity]]:
    out = []
    for text in texts:
        ents = detect_patterns(text)
        for m in re.finditer(r"[A-ZÆØÅ][\w-]+", text):
            if not _sentence_initial(text, m.start()) and not any(e.start < m.end() and m.start() < e.end
                                                                  for e in ents):
                ents.append(Entity(m.start(), m.end(), "person", m.group(), "baseline"))
        out.append(ents)
    return out


def score(gold: list[list[dict]], pred: list[list[Entity]], *, typed: bool) -> dict[str, tuple[int, int, int, int]]:
    """Per kind: (gold found, gold total, predicted correct, predicted total)."""
    stats: dict[str, list[int]] = {}
    for g, p in zip(gold, pred, strict=True):
        for e in g:
            hit = any(q.start < e["end"] and e["start"] < q.end and (not typed or q.kind == e["kind"]) for q in p)
            s = stats.setdefault(e["kind"], [0, 0, 0, 0])
            s[0] += hit
            s[1] += 1
        for q in p:
            ok = any(q.start < e["end"] and e["start"] < q.end and (not typed or q.kind == e["kind"]) for e in g)
            s = stats.setdefault(q.kind, [0, 0, 0, 0])
            s[2] += ok
            s[3] += 1
    groups = {"contact": CONTACT, "person+contact": ("person", *CONTACT), "all": tuple(stats)}
    for name, kinds in groups.items():
        agg = [sum(stats[k][i] for k in kinds if k in stats) for i in range(4)]
        stats[name] = agg
    return {k: tuple(v) for k, v in stats.items()}  # type: ignore[misc]


def fmt(a: int, b: int) -> str:
    return f"{a / b:6.3f} ({a}/{b})" if b else "     -        "


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--keep-institutions", action="store_true",
                    help="keep the bundled institution list; gold mentions of those names are then not expected")
    args = ap.parse_args()
    rows = load()
    keep = KEEP_INSTITUTIONS if args.keep_institutions else ()
    print(f"gold: {len(rows)} passages, {sum(len(r['entities']) for r in rows)} mentions"
          + ("; institutions kept" if keep else ""))
    for split in ("dev", "test", "synthetic"):
        part = [r for r in rows if r["split"] == split]
        texts = [r["text"] for r in part]
        gold = [[e for e in r["entities"] if e["text"] not in keep] for r in part]
        times = []
        for _ in range(3):
            t0 = time.perf_counter()
            pred = find_entities(texts, keep=keep)
            times.append(time.perf_counter() - t0)
        base = baseline(texts)
        nchar = sum(len(t) for t in texts)
        print(f"\n== {split}: {len(part)} passages, {sum(len(g) for g in gold)} gold mentions, {nchar} chars, "
              f"median {statistics.median(times):.2f} s of 3 runs ({nchar / statistics.median(times):,.0f} chars/s)")
        res = {("rules", "any"): score(gold, pred, typed=False), ("rules", "typed"): score(gold, pred, typed=True),
               ("baseline", "any"): score(gold, base, typed=False)}
        kinds = [k for k in ("person", "firma", "sted", "navn", *CONTACT, "contact", "person+contact", "all")
                 if any(k in r for r in res.values())]
        print(f"{'kind':15s} {'recall any':>16s} {'precision any':>16s} {'recall typed':>16s} "
              f"{'precision typed':>16s} | {'baseline R any':>16s} {'baseline P any':>16s}")
        for k in kinds:
            a = res[("rules", "any")].get(k, (0, 0, 0, 0))
            t = res[("rules", "typed")].get(k, (0, 0, 0, 0))
            b = res[("baseline", "any")].get(k, (0, 0, 0, 0))
            print(f"{k:15s} {fmt(a[0], a[1]):>16s} {fmt(a[2], a[3]):>16s} {fmt(t[0], t[1]):>16s} "
                  f"{fmt(t[2], t[3]):>16s} | {fmt(b[0], b[1]):>16s} {fmt(b[2], b[3]):>16s}")


if __name__ == "__main__":
    main()
