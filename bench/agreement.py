"""Agreement on the bundled klynger corpus (coder1 vs coder2), a chance baseline, and run time.

Run: ``.venv/bin/python bench/agreement.py [--repeats 5] [--n-boot 1000]``

Prints
1. coder2 against coder1 at segment level (all units; without fragments < 2 and < 4 words) and character level
   (NVivo style), with 95 % bootstrap CIs over interview groups;
2. the chance baseline measured in the same run: coder2's labels shuffled across units (same marginals, no
   relation to the text), median over the repeats - what "no agreement beyond chance" looks like here;
3. run time of ``compare`` (median of the repeats) against a naive bootstrap that calls scikit-learn's
   ``cohen_kappa_score`` on the resampled units of every replicate (polarity only).
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from dataclasses import replace

import numpy as np
from sklearn.metrics import cohen_kappa_score

from nlp.agreement.comparison import compare
from nlp.corpora import load
from nlp.model import CodeSpan

ROWS = [
    ("polarity", "cohen_kappa"),
    ("polarity", "krippendorff_alpha"),
    ("polarity", "gwet_ac1"),
    ("polarity", "percent_agreement"),
    ("concepts", "micro_f1"),
    ("concepts", "macro_f1"),
    ("concepts", "cohen_kappa"),
    ("concepts", "mean_code_kappa"),
]


def _fmt(s) -> str:
    ci = "" if np.isnan(s.ci_low) else f" [{s.ci_low:.3f}, {s.ci_high:.3f}]"
    return f"{s.value:.3f}{ci}"


def _shuffled(transcripts, seed: int):
    """coder2's codes per excerpt permuted across excerpts: a coder with the same marginals and no signal."""
    rng = random.Random(seed)
    out = []
    for t in transcripts:
        segs = t.analysis_segments()
        labels = [sorted({c.code for c in t.codes_in(s, coder="coder2")}) for s in segs]
        rng.shuffle(labels)
        new = [CodeSpan(code, s.start, s.end, "coder2") for s, codes in zip(segs, labels) for code in codes]
        out.append(replace(t, codes=tuple(c for c in t.codes if c.coder != "coder2") + tuple(new)))
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--n-boot", type=int, default=1000)
    args = ap.parse_args()
    c = load("klynger")
    ts, cb = c.transcripts, c.codebook
    kw = {
        "reference": "coder1",
        "others": ["coder2"],
        "codebook": cb,
        "n_boot": args.n_boot,
        "random_state": 0,
    }
    runs = {
        "segment, all units": compare(ts, unit="segment", **kw),
        "segment, >= 2 words": compare(ts, unit="segment", min_words=2, **kw),
        "segment, >= 4 words": compare(ts, unit="segment", min_words=4, **kw),
        "character (NVivo)": compare(ts, unit="character", **kw),
    }
    base = [
        compare(_shuffled(ts, seed), unit="segment", **{**kw, "n_boot": 0}) for seed in range(args.repeats)
    ]
    names = list(runs)
    print(f"klynger: coder2 vs coder1, 95% bootstrap CI over groups ({args.n_boot} replicates, seed 0)\n")
    print(f"{'figure':<30}" + "".join(f"{n:>28}" for n in names) + f"{'chance baseline (median)':>28}")
    print(
        f"{'n units (left out)':<30}"
        + "".join(f"{str(r.n_units) + ' (' + str(sum(r.excluded.values())) + ')':>28}" for r in runs.values())
        + f"{base[0].n_units:>28}"
    )
    for target, name in ROWS:
        cells = []
        for r in runs.values():
            try:
                cells.append(_fmt(r.get(target, name)))
            except KeyError:
                cells.append("-")
        b = statistics.median(x.get(target, name).value for x in base)
        print(f"{target + ' ' + name:<30}" + "".join(f"{x:>28}" for x in cells) + f"{b:>28.3f}")
    seg, char = runs["segment, all units"], runs["character (NVivo)"]
    print(
        f"\ngroups: {seg.n_groups}, worth {seg.effective_groups:.1f} equally large ones (Kish); "
        f"{seg.distinct_resamples:.3g} distinct resamples"
    )
    print(
        f"character level: {char.n_groups} sources, {char.distinct_resamples} distinct resamples -> "
        f"{char.no_ci_reason or 'intervals given'}"
    )
    for name, r in runs.items():
        worst = max((s.n_dropped for s in r.stats), default=0)
        codes = max((x.get("kappa_boot_dropped", 0) for x in r.per_code), default=0)
        print(
            f"undefined replicates left out, {name}: overall figures max {worst}, per-code kappa max {codes} "
            f"(of {args.n_boot})"
        )

    # run time: ours vs a naive unit-list bootstrap with scikit-learn (polarity kappa only)
    units = c.units()
    groups = sorted({u.group for u in units})
    by_group = {g: [u for u in units if u.group == g] for g in groups}
    times_ours, times_naive = [], []
    for rep in range(args.repeats):
        t0 = time.perf_counter()
        compare(ts, unit="segment", **{**kw, "random_state": rep})
        times_ours.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        rng = np.random.default_rng(rep)
        for _ in range(args.n_boot):
            sample = [u for g in rng.integers(0, len(groups), len(groups)) for u in by_group[groups[g]]]
            cohen_kappa_score([u.polarity("coder1") for u in sample], [u.polarity("coder2") for u in sample])
        times_naive.append(time.perf_counter() - t0)
    print(f"\nrun time, median of {args.repeats} (segment units, {args.n_boot} replicates):")
    print(
        f"  nlp.agreement.comparison.compare, all coefficients, 15 codes + polarity: {statistics.median(times_ours):.2f} s"
    )
    print(
        f"  baseline: naive bootstrap with sklearn, polarity kappa only: {statistics.median(times_naive):.2f} s"
    )


if __name__ == "__main__":
    main()
