"""Benchmark: our topic pipeline against a naive one on the bundled klynger corpus.

Ours: the project analyzer (content lemmas; stop words, fillers and punctuation removed) + default filtering.
Naive: lowercase whitespace tokens, no lemmas, no stop-word removal (``max_df=1.0``), same min_df, K and seeds.

Figures per model (LDA, NMF), K and pipeline, median over the seeds (fit time: median over seeds x repeats):

- ``npmi_own`` / ``cv_own``: c_npmi / c_v of the top-10 words on the pipeline's own tokenised documents (the
  standard intrinsic set-up; note it is not a common yardstick: the two pipelines see different token streams).
- ``npmi_content`` / ``cv_content``: the same topics as a reader sees them, on one common reference - our lemmatised
  documents. Naive topics are mapped word by word through the analyzer (function words drop out, word forms become
  lemmas) and their first 10 distinct content lemmas are scored. This compares the pipelines on the same yardstick.
- ``stab_own`` / ``stab_content``: mean matched top-10 Jaccard between the models of every pair of seeds
  (Hungarian matching), on the raw and on the content-word top lists.
- ``diversity``: share of unique words among the top-25 words of all topics (own tokens).

Then a guided-LDA table (K = number of codes): seed-word hit rate and how often a seeded topic's most
over-represented code is its own code, for coder1 (whose coding the seeds were learned from) and coder2.

Run: ``.venv/bin/python bench/topics.py`` (options: --k 4 8 12 --seeds 0 1 2 3 4 --repeats 3 --unit segment
--guided-strengths 0 1 10 30).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from nlp.corpora import load
from nlp.features import Analysis, analyse_texts
from nlp.topics import (
    LdaTopics,
    NmfTopics,
    coherence,
    make_documents,
    topic_diversity,
    topic_stability,
)


def naive_analyzer(analysis: Analysis) -> list[str]:
    return analysis.text.lower().split()  # the naive baseline: whitespace words of the raw text


def content_topic(ranked: list[str], analyze, vocab: set[str], n: int = 10) -> list[str]:
    out: list[str] = []
    for word in ranked:
        for lemma in analyze(word):
            if lemma in vocab and lemma not in out:
                out.append(lemma)
        if len(out) >= n:
            break
    return out[:n]


def run(
    model_name: str,
    pipeline: str,
    k: int,
    seeds: list[int],
    repeats: int,
    texts: list[Analysis],
    analyze,
    ref_tokens: list[list[str]],
) -> dict:
    extra = {} if pipeline == "ours" else {"max_df": 1.0, "analyzer": naive_analyzer}
    cls = LdaTopics if model_name == "lda" else NmfTopics
    own_tokens = cls(**extra).terms(texts)
    ref_vocab = {w for t in ref_tokens for w in t}
    times, npmi, cv, npmi_c, cv_c, div, tops, tops_c = [], [], [], [], [], [], [], []
    for seed in seeds:
        for _ in range(repeats):
            est = cls(n_topics=k, random_state=seed, **extra)
            t0 = time.perf_counter()
            est.fit(texts)
            times.append(time.perf_counter() - t0)
        ranked = [[w for w, _ in t] for t in est.top_words(len(est.feature_names_))]
        top = [r[:25] for r in ranked]
        npmi.append(coherence(top, own_tokens, measure="c_npmi")[0])
        cv.append(coherence(top, own_tokens, measure="c_v")[0])
        content = [content_topic(r, analyze, ref_vocab) for r in ranked]
        content = [c if len(c) >= 2 else (c + ["<none>"])[:2] for c in content]
        ok = [c for c in content if "<none>" not in c]
        npmi_c.append(coherence(ok, ref_tokens, measure="c_npmi")[0] if ok else float("nan"))
        cv_c.append(coherence(ok, ref_tokens, measure="c_v")[0] if ok else float("nan"))
        div.append(topic_diversity(top))
        tops.append([t[:10] for t in top])
        tops_c.append(content)
    return {
        "model": model_name,
        "k": k,
        "pipeline": pipeline,
        "npmi_own": statistics.median(npmi),
        "cv_own": statistics.median(cv),
        "npmi_content": statistics.median(npmi_c),
        "cv_content": statistics.median(cv_c),
        "stab_own": topic_stability(tops),
        "stab_content": topic_stability(tops_c),
        "diversity": statistics.median(div),
        "fit_s": statistics.median(times),
    }


def guided_alignment(corpus, docs, strengths: list[float], k: int) -> None:
    """Guided LDA: how well seeded topics line up with their codes (seeds learned from coder1's coding).

    seed_hit: share of each topic's top-10 words that are its seed words; top_code: share of seeded topics whose
    most over-represented code (lift) is their own code, against coder1 (circular: the seeds were learned from it)
    and coder2 (independent); nmi: dominant topic vs codes.
    """
    import numpy as np

    from nlp.topics import codebook_seed_topics, summarize_topics

    seeds = codebook_seed_topics(
        corpus.codebook,
        analyzer=Analysis.content_lemmas,
        documents=docs,
        labels=[d.concepts("coder1") for d in docs],
    )
    print(f"\nguided LDA, K={k}, {len(seeds)} seeded topics (strength 0 = unguided)")
    print(
        " ".join(
            f"{c:>12}"
            for c in (
                "strength",
                "seed_hit",
                "top1_coder1",
                "top1_coder2",
                "nmi_coder1",
                "nmi_coder2",
                "npmi_own",
            )
        )
    )
    for strength in strengths:
        est = LdaTopics(
            n_topics=k, seed_topics=seeds if strength else None, seed_strength=strength or 1.0, random_state=0
        ).fit(docs)
        row = [strength]
        summaries = {c: summarize_topics(est, docs, coder=c) for c in ("coder1", "coder2")}
        s1 = summaries["coder1"]
        row.append(
            float(
                np.mean(
                    [
                        len({w["word"] for w in t["words"]} & set(seeds[code])) / 10
                        for t, code in zip(s1.topics, seeds)
                    ]
                )
            )
        )
        for c in ("coder1", "coder2"):
            row.append(
                float(
                    np.mean(
                        [
                            bool(t.get("top_codes")) and t["top_codes"][0]["code"] == code
                            for t, code in zip(summaries[c].topics, seeds)
                        ]
                    )
                )
            )
        row += [summaries["coder1"].codes["nmi"], summaries["coder2"].codes["nmi"], s1.quality["c_npmi"]]
        print(" ".join(f"{v:>12.3f}" for v in row), flush=True)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--k", type=int, nargs="+", default=[4, 8, 12])
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    ap.add_argument("--repeats", type=int, default=3, help="timing repeats per seed")
    ap.add_argument("--unit", default="segment")
    ap.add_argument("--models", nargs="+", default=["lda", "nmf"])
    ap.add_argument(
        "--guided-strengths",
        type=float,
        nargs="*",
        default=[0, 1, 10, 30],
        help="seed strengths for the guided-LDA alignment table (none: skip it)",
    )
    args = ap.parse_args(argv)

    corpus = load("klynger")
    docs = make_documents(corpus.units(), unit=args.unit)
    texts = [d.analysis for d in docs]  # each transcript analysed once, in context
    cache: dict[str, list[str]] = {}

    def analyze_cached(word: str) -> list[str]:  # maps the naive topics' words to lemmas
        if word not in cache:
            cache[word] = analyse_texts([word])[0].content_lemmas()
        return cache[word]

    ref_tokens = [a.content_lemmas() for a in texts]
    print(
        f"klynger: {len(docs)} documents (unit={args.unit}), seeds {args.seeds}, timing repeats {args.repeats}"
    )
    cols = [
        "model",
        "k",
        "pipeline",
        "npmi_own",
        "cv_own",
        "npmi_content",
        "cv_content",
        "stab_own",
        "stab_content",
        "diversity",
        "fit_s",
    ]
    print(" ".join(f"{c:>12}" for c in cols))
    for model_name in args.models:
        for k in args.k:
            for pipeline in ("ours", "naive"):
                r = run(model_name, pipeline, k, args.seeds, args.repeats, texts, analyze_cached, ref_tokens)
                print(
                    " ".join(f"{r[c]:>12.3f}" if isinstance(r[c], float) else f"{r[c]:>12}" for c in cols),
                    flush=True,
                )
    if args.guided_strengths:
        guided_alignment(corpus, docs, args.guided_strengths, k=len(corpus.codebook))


if __name__ == "__main__":
    main()
