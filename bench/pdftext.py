"""Benchmark the PDF-text cleaner on the four thesis seeds: speed and how well the coded excerpts survive cleaning.

Run: ``.venv/bin/python bench/pdftext.py [--shared ../shared/corpus] [--repeat 5]``

Quality: the share of the 298 coded excerpts (quotation marks removed, whitespace collapsed) that occur verbatim in
the cleaned text (quotation marks removed too). This is sensitive to every artefact: a line join without a space, a
dropped real hyphen ("musikk-eksport"), a kept line-break hyphen, a page number or footnote inside a sentence.
Baselines, measured in the same run:

* ``raw-collapse``: the seed with all whitespace runs collapsed to one space (no other cleaning);
* ``dehyphenate``: the same plus the classic rule "drop a hyphen at a line end and join the word" (e.g. what many
  PDF-to-text post-processors do), which breaks real compounds such as "NCE-programmet".

Speed: median characters per second over ``--repeat`` runs on one core.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from nlp.ingest.pdftext import clean_pdf_text

QUOTES = re.compile(r"[\"“”„«»‘’']")


def raw_collapse(raw: str) -> str:
    return re.sub(r"\s+", " ", raw).strip()


def dehyphenate(raw: str) -> str:
    return raw_collapse(re.sub(r"(\w)-[ \t]*\n\s*(\w)", r"\1\2", raw))


def ours(raw: str) -> str:
    return clean_pdf_text(raw)[0]


def _norm(s: str) -> str:
    return re.sub(r"\s+", " ", QUOTES.sub("", s)).strip()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--shared", type=Path, default=REPO.parent / "shared" / "corpus")
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args(argv)
    seeds = {p.name: p.read_text(encoding="utf-8") for p in sorted((args.shared / "seeds").glob("*.txt"))}
    excerpts = [
        json.loads(line)
        for p in sorted((args.shared / "annotations").glob("*.jsonl"))
        for line in p.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    total_chars = sum(len(t) for t in seeds.values())
    rows = []
    for name, fn in (
        ("raw-collapse", raw_collapse),
        ("dehyphenate", dehyphenate),
        ("klyngekoder pdftext", ours),
    ):
        times, cleaned = [], {}
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            cleaned = {k: fn(v) for k, v in seeds.items()}
            times.append(time.perf_counter() - t0)
        normed = {k: _norm(v) for k, v in cleaned.items()}
        found = sum(_norm(e["text"]) in normed[e["source"]] for e in excerpts)
        hyph = [e for e in excerpts if re.search(r"\w-\w", e["text"])]
        hyph_found = sum(_norm(e["text"]) in normed[e["source"]] for e in hyph)
        rows.append(
            (
                name,
                found,
                len(excerpts),
                hyph_found,
                len(hyph),
                total_chars / statistics.median(times) / 1e6,
                statistics.median(times),
            )
        )
    print(
        f"{len(seeds)} seeds, {total_chars} chars, {len(excerpts)} excerpts; median of {args.repeat} runs\n"
    )
    print(f"{'cleaner':<22} {'excerpts verbatim':>18} {'with hyphen':>12} {'Mchar/s':>8} {'seconds':>8}")
    for name, f, n, hf, hn, speed, secs in rows:
        print(f"{name:<22} {f:>8}/{n:<3} {100 * f / n:5.1f}% {hf:>5}/{hn:<5} {speed:8.2f} {secs:8.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
