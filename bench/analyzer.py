#!/usr/bin/env python
"""Throughput of analysing plain segments (formerly a timing assertion in tests/test_features.py).

5,000 interview-like segments (one sentence with a varying number, so that caches see new tokens) through
``nlp.features.analyse_texts`` (tokens, lemmas, flags, sentences, language given) and through
``Preprocessor(lang="nb").analyze`` (content lemmas), after one warm-up call; segments per CPU second, median of
``--runs``. The old test asked for more than 5,000 segments/s from the string analyzer of the time.

Run: ``.venv/bin/python bench/analyzer.py [--runs 5]``
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from nlp.features import analyse_texts
from nlp.normalise.preprocess import Preprocessor

SEGMENT = "Ja, altså, vi har jo hatt et veldig godt samarbeid med [bedrift] og kommunen de siste årene, ehm."


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--segments", type=int, default=5000)
    args = ap.parse_args()
    texts = [SEGMENT.replace("årene", f"årene {i % 50}") for i in range(args.segments)]
    analyzer = Preprocessor(lang="nb").analyze
    analyzer(SEGMENT)  # load the lexicon and warm the caches
    analyse_texts([SEGMENT], lang="nb")
    timings: dict[str, list[float]] = {"analyse_texts (lang=nb)": [], "Preprocessor.analyze (nb)": []}
    for _ in range(args.runs):
        tic = time.process_time()
        analyse_texts(texts, lang="nb")
        timings["analyse_texts (lang=nb)"].append(time.process_time() - tic)
        tic = time.process_time()
        for text in texts:
            analyzer(text)
        timings["Preprocessor.analyze (nb)"].append(time.process_time() - tic)
    for name, seconds in timings.items():
        print(
            f"{name:<26} {len(texts) / statistics.median(seconds):>10,.0f} segments/s (CPU, median of {args.runs})"
        )


if __name__ == "__main__":
    main()
