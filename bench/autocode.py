"""Benchmark of the auto-coder on the bundled corpus (klynger): quality under grouped CV, speed, memory.

Run:  .venv/bin/python bench/autocode.py [--repeats 3] [--folds 5] [--runs 5] [--json out/bench_autocode.json]

Quality: every model of ``nlp.classify.MODEL_CHOICES`` (keyword baseline included) under the same repeated grouped
cross-validation (folds grouped by ``unit.group``; the mean over repetitions and its sd), beside the human line
(coder2 against coder1 on the same units), plus a learning curve and the abstain trade-off for the default model.
Speed: the default model trained on the whole corpus, saved and loaded; tagging throughput on one core over distinct
segments (Norwegian and Danish sentences from ../shared/data, else corpus texts varied), measured in a fresh process
with BLAS limited to one thread; load time and peak memory from that process. Speed figures are medians of --runs.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
sys.path.insert(0, str(ROOT))


def load_units():
    from nlp.corpora import load

    corpus = load("klynger")
    return list(corpus.units()), corpus.codebook


def speed_texts(n: int) -> list[str]:
    """Distinct real sentences (NoReC_sentence nb, LCC da) when ../shared/data is there, else corpus texts."""
    texts: list[str] = []
    norec = SHARED / "data" / "norec_sentence" / "3class"
    for split in ("train.json", "dev.json", "test.json"):
        if (norec / split).is_file():
            texts.extend(r["text"] for r in json.loads((norec / split).read_text(encoding="utf-8")))
    lcc = SHARED / "data" / "lcc_sentiment_da"
    if lcc.is_dir():
        import csv

        for f in sorted(lcc.glob("*.csv")):
            with f.open(encoding="utf-8") as fh:
                texts.extend(row["text"] for row in csv.DictReader(fh))
    if not texts:
        units, _ = load_units()
        texts = [f"{u.text} ({i})" for i, u in enumerate(units)]
    return [texts[i % len(texts)] for i in range(n)]


def _speed_child(model_dir: str, n: int, runs: int) -> None:
    """Runs in a fresh process: load time, throughput and peak RSS (printed as JSON)."""
    import resource

    from nlp.classify import load_coder, tag_units

    texts = speed_texts(n)
    units = [{"id": str(i), "text": t} for i, t in enumerate(texts)]
    loads, rates = [], []
    for _ in range(runs):
        t0 = time.perf_counter()
        model = load_coder(model_dir)
        loads.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        for k in range(0, len(units), 2000):
            tag_units(model, units[k:k + 2000])
        rates.append(len(units) / (time.perf_counter() - t0))
    import statistics

    print(json.dumps({"load_s": statistics.median(loads), "seg_per_s": statistics.median(rates),
                      "seg_per_s_all": rates, "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
                      / 1024, "n": len(units), "mean_chars": sum(map(len, texts)) / len(texts)}))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--segments", type=int, default=20000)
    ap.add_argument("--json", type=Path, default=ROOT / "out" / "bench_autocode.json")
    ap.add_argument("--speed-child", nargs=3, metavar=("MODEL", "N", "RUNS"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.speed_child:
        _speed_child(args.speed_child[0], int(args.speed_child[1]), int(args.speed_child[2]))
        return

    from nlp.classify import (
        MODEL_CHOICES,
        coding_scores,
        cross_validate,
        learning_curve,
        make_coder,
        save_coder,
    )
    from nlp.classify.train import DEFAULT_MODEL, train_from_units
    from nlp.features import analyses_of

    units, codebook = load_units()
    coder = "coder1"
    texts = [u.text for u in units]
    analyses = analyses_of(units)  # each transcript preprocessed once, in context: what the models read
    codes = [u.concepts(coder) for u in units]
    pol = [u.polarity(coder) for u in units]
    groups = [u.group for u in units]
    classes = list(codebook.ids)
    analyzer = make_coder(DEFAULT_MODEL)().concepts.word_analyzer
    print(f"corpus klynger: {len(units)} units, {len(set(groups))} groups, {len(classes)} codes; word analyzer "
          f"{analyzer!r}; grouped {args.folds}-fold CV x {args.repeats} seeds\n")
    results: dict = {"units": len(units), "groups": len(set(groups)), "analyzer": analyzer, "models": {}}

    def row(name, s, secs=None):
        sd = s.get("sd", {})
        line = (f"{name:<22}{s['macro']['f1']:>8.3f}{sd.get('concept_macro_f1', 0):>6.3f}{s['micro']['f1']:>8.3f}"
                f"{s['macro']['kappa']:>8.3f}{s['polarity']['macro_f1']:>8.3f}{s['polarity']['kappa']:>8.3f}"
                f"{sd.get('polarity_kappa', 0):>6.3f}")
        print(line + (f"{secs:>8.1f}" if secs is not None else ""))

    print(f"{'model':<22}{'cMacF1':>8}{'sd':>6}{'cMicF1':>8}{'cKappa':>8}{'pMacF1':>8}{'pKappa':>8}{'sd':>6}"
          f"{'secs':>8}")
    for name in MODEL_CHOICES:
        t0 = time.perf_counter()
        s = cross_validate(make_coder(name), analyses, codes, pol, groups, classes=classes, n_splits=args.folds,
                           n_repeats=args.repeats)
        secs = time.perf_counter() - t0
        results["models"][name] = {k: s[k] for k in ("macro", "micro", "polarity", "sd", "codes")}
        row(name + (" (default)" if name == DEFAULT_MODEL else ""), s, secs)
    # ablation in the same run: the default without the polarity cue-lexicon block (nlp.lang.polarity)
    t0 = time.perf_counter()
    s = cross_validate(make_coder(DEFAULT_MODEL, polarity_cues=False), analyses, codes, pol, groups, classes=classes,
                       n_splits=args.folds, n_repeats=args.repeats)
    results["models"][DEFAULT_MODEL + " no-cues"] = {k: s[k] for k in ("macro", "micro", "polarity", "sd", "codes")}
    row("  default, no cues", s, time.perf_counter() - t0)
    # before/after in the same run: the default with the inner-CV polarity C/class-weight selection toggled
    sel = bool(MODEL_CHOICES[DEFAULT_MODEL].get("select_polarity", False))
    t0 = time.perf_counter()
    s = cross_validate(make_coder(DEFAULT_MODEL, select_polarity=not sel), analyses, codes, pol, groups,
                       classes=classes, n_splits=args.folds, n_repeats=args.repeats)
    label = "fixed pol C" if sel else "pol C by CV"
    results["models"][f"{DEFAULT_MODEL} {label}"] = {k: s[k] for k in ("macro", "micro", "polarity", "sd", "codes")}
    row(f"  default, {label}", s, time.perf_counter() - t0)
    # ablation in the same run: the default without sentence max-pooling of polarity (AutoCoder.polarity_pooling)
    t0 = time.perf_counter()
    s = cross_validate(make_coder(DEFAULT_MODEL, polarity_pooling=False), analyses, codes, pol, groups, classes=classes,
                       n_splits=args.folds, n_repeats=args.repeats)
    results["models"][DEFAULT_MODEL + " no-pooling"] = {k: s[k] for k in ("macro", "micro", "polarity", "sd", "codes")}
    row("  default, no pooling", s, time.perf_counter() - t0)

    both = [i for i, u in enumerate(units) if "coder2" in u.codes]
    human = coding_scores([codes[i] for i in both], [units[i].concepts("coder2") for i in both],
                          [pol[i] for i in both], [units[i].polarity("coder2") for i in both], classes=classes)
    long_ = [i for i in both if len(texts[i].split()) >= 4]
    human_long = coding_scores([codes[i] for i in long_], [units[i].concepts("coder2") for i in long_],
                               [pol[i] for i in long_], [units[i].polarity("coder2") for i in long_],
                               classes=classes)
    row("second coder (coder2) vs 1", human)
    row("  units >= 4 words", human_long)
    results["human"] = {"all": {k: human[k] for k in ("macro", "micro", "polarity")},
                        "min4words": {k: human_long[k] for k in ("macro", "micro", "polarity")}, "n_min4": len(long_)}

    print("\nper code (default model; P R F1 kappa support):")
    d = results["models"][DEFAULT_MODEL]["codes"]
    b = results["models"]["keyword"]["codes"]
    for c in classes:
        print(f"  {c:<24}{d[c]['precision']:6.2f}{d[c]['recall']:6.2f}{d[c]['f1']:6.2f}{d[c]['kappa']:7.2f}"
              f"{d[c]['support']:6.0f}   keyword F1 {b[c]['f1']:.2f}")

    print("\nabstain (default model): min_confidence -> polarity kappa on labelled units, coverage, concept microF1")
    results["abstain"] = []
    for mc in (0.4, 0.5, 0.6):
        s = cross_validate(make_coder(DEFAULT_MODEL, min_confidence=mc), analyses, codes, pol, groups, classes=classes,
                           n_splits=args.folds, n_repeats=1)
        results["abstain"].append({"min_confidence": mc, "polarity_kappa": s["polarity"]["kappa"],
                                   "coverage": s["polarity"]["coverage"], "concept_micro_f1": s["micro"]["f1"]})
        print(f"  {mc:.1f}: kappa {s['polarity']['kappa']:.3f}  coverage {s['polarity']['coverage']:.2f}  "
              f"micro-F1 {s['micro']['f1']:.3f}")

    print("\nlearning curve (default model): training groups -> concept macro-F1, polarity kappa")
    n_groups = len(set(groups))
    sizes = [s for s in (2, 4, 8, 12, 16, 21) if s <= n_groups * (args.folds - 1) // args.folds]
    lc = learning_curve(make_coder(DEFAULT_MODEL), analyses, codes, pol, groups, classes=classes, sizes=sizes,
                        n_splits=args.folds)
    results["learning_curve"] = lc
    for r in lc:
        print(f"  {r['n_groups']:3d} groups (~{r['n_units']:.0f} units): macro-F1 {r['concept_macro_f1']:.3f}  "
              f"micro-F1 {r['concept_micro_f1']:.3f}  polarity kappa {r['polarity_kappa']:.3f}")

    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        model, meta = train_from_units(units, coder=coder, codebook=codebook, n_splits=0)
        train_s = time.perf_counter() - t0
        save_coder(model, Path(tmp) / "m", codebook=codebook, meta=meta)
        size = sum(f.stat().st_size for f in (Path(tmp) / "m").iterdir())
        env = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
        proc = subprocess.run([sys.executable, __file__, "--speed-child", str(Path(tmp) / "m"),
                               str(args.segments), str(args.runs)], capture_output=True, text=True, env=env,
                              check=True)
        speed = json.loads(proc.stdout.strip().splitlines()[-1])
    speed.update({"train_s": train_s, "model_bytes": size, "n_features": len(model.concepts.vectorizer_.vocabulary_)})
    results["speed"] = speed
    print(f"\nspeed (one core, median of {args.runs}): tagging {speed['seg_per_s']:.0f} segments/s over "
          f"{speed['n']} distinct segments (mean {speed['mean_chars']:.0f} chars; target >= 5000); model load "
          f"{speed['load_s'] * 1000:.0f} ms (target < 1000); peak RSS {speed['peak_rss_mb']:.0f} MB; "
          f"fit on all units {train_s:.1f} s; model folder {size / 1e6:.1f} MB, {speed['n_features']} features")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, indent=1, ensure_ascii=False))
    print(f"\nfigures written to {args.json}")


if __name__ == "__main__":
    main()
