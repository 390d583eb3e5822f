"""How well an auto-coder tags a NEW study: leave one study out, and the researcher's own coding added k at a time.

Grouped cross-validation (:mod:`.crossval`) keeps every informant on one side of each fold, but every study (thesis,
project) is still on both sides, so it measures tagging more of the same study. :func:`leave_one_study_out` trains
on all other studies and tags the one left out: the answer to "how well will it tag my new interviews".
:func:`adaptation_runs` simulates the realistic workflow: the researcher codes k excerpts of their own study (the
informants split into a pool to code from and a test part, several seeds; excerpts taken in random order or in the
order :func:`nlp.classify.suggest` gives) and the model, trained on the other studies plus those k (weighted), tags
the test part.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

import numpy as np

from .active import suggest
from .crossval import coding_scores, fit_rows, scores_at

__all__ = ["adaptation_runs", "informant_split", "leave_one_study_out"]


def _decide(model: Any, p_codes: np.ndarray, p_pol: np.ndarray, texts: Sequence[Any]) -> list[Any]:
    """The model's decisions, with its codebook cue hits where it uses them (:meth:`AutoCoder.cue_hits`)."""
    hits = model.cue_hits(texts) if hasattr(model, "cue_hits") else None
    return model.decide(p_codes, p_pol, cue_hits=hits) if hits is not None else model.decide(p_codes, p_pol)


def leave_one_study_out(
    make_model: Callable[[], Any],
    texts: Sequence[Any],
    codes: Sequence[Iterable[str]],
    polarity: Sequence[str | None],
    studies: Sequence[Any],
    groups: Sequence[Any],
    *,
    classes: Sequence[str],
    return_probabilities: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, Any]:
    """Train on all studies but one, tag that one; scores pooled over all studies left out, and per study.

    ``studies`` names each text's study (a thesis, a project: for the bundled corpus the transcript, which keeps
    restated excerpts with what they restate); ``groups`` (informants) keep the model's inner cross-validation
    grouped. With ``return_probabilities`` the result also holds ``predictions`` (codes, polarity per text) and
    ``p_codes``/``p_polarity`` (arrays in text order). ``progress(done, total)`` is called after each study left
    out (``total`` = studies).

    Examples
    --------
    >>> from nlp.classify import AutoCoder
    >>> texts = ["vi deler kunnskap", "konkurrenter overalt"] * 6
    >>> m = lambda: AutoCoder.from_params(word_analyzer="surface", char_ngrams=None, min_df=1, inner_folds=0)
    >>> s = leave_one_study_out(m, texts, [{"ks"}, {"comp"}] * 6, ["driver", "barrier"] * 6,
    ...                         ["a"] * 4 + ["b"] * 4 + ["c"] * 4, range(12), classes=["ks", "comp"])
    >>> s["micro"]["f1"], sorted(s["studies"])
    (1.0, ['a', 'b', 'c'])
    """
    texts = list(texts)
    codes = [frozenset(c) for c in codes]
    polarity = list(polarity)
    studies = [str(s) for s in studies]
    groups = [str(g) for g in groups]
    names = sorted(set(studies))
    if len(names) < 2:
        raise ValueError(f"leave-one-study-out needs at least 2 studies, got {len(names)}")
    preds: list[Any] = [None] * len(texts)
    p_codes = p_pol = None
    per_study = {}
    for done, name in enumerate(names, 1):
        te = [i for i, s in enumerate(studies) if s == name]
        tr = [i for i, s in enumerate(studies) if s != name]
        model = fit_rows(make_model, tr, texts, codes, polarity, groups, classes=classes)
        held_out = [texts[i] for i in te]
        pc, pp = model.predict_proba(held_out)
        if p_codes is None:
            p_codes, p_pol = np.zeros((len(texts), pc.shape[1])), np.zeros((len(texts), pp.shape[1]))
        p_codes[te], p_pol[te] = pc, pp
        for i, pr in zip(te, _decide(model, pc, pp, held_out)):
            preds[i] = pr
        per_study[name] = scores_at(te, codes, polarity, [preds[i] for i in te], classes=classes)
        if progress is not None:
            progress(done, len(names))
    out = coding_scores(codes, [p[0] for p in preds], polarity, [p[1] for p in preds], classes=classes)
    out["studies"] = {
        n: {"n": s["n"], "micro": s["micro"], "macro": s["macro"], "polarity": s["polarity"]}
        for n, s in per_study.items()
    }
    out["codes_per_unit"] = float(np.mean([len(p[0]) for p in preds]))
    if return_probabilities:
        out.update(predictions=preds, p_codes=p_codes, p_polarity=p_pol)
    return out


def informant_split(
    groups: Sequence[Any], *, seed: int, fraction: float = 0.5
) -> tuple[list[int], list[int]]:
    """Split the positions of one study into a pool (the researcher codes from it) and a test part, by informant:
    groups in a seeded random order go to the pool until it holds ``fraction`` of the units, the rest to test.

    Examples
    --------
    >>> informant_split(["a", "a", "b", "c", "c", "c"], seed=0)
    ([3, 4, 5], [0, 1, 2])
    """
    groups = [str(g) for g in groups]
    names = sorted(set(groups))
    order = np.random.default_rng(seed).permutation(len(names))
    pool_groups: set[str] = set()
    size = 0
    for j in order:
        if size >= fraction * len(groups):
            break
        pool_groups.add(names[j])
        size += groups.count(names[j])
    if len(pool_groups) == len(names) and len(names) > 1:  # keep at least one informant to test on
        pool_groups.discard(names[order[-1]])
    pool = [i for i, g in enumerate(groups) if g in pool_groups]
    test = [i for i, g in enumerate(groups) if g not in pool_groups]
    return pool, test


def adaptation_runs(
    make_model: Callable[[], Any],
    texts: Sequence[Any],
    codes: Sequence[Iterable[str]],
    polarity: Sequence[str | None],
    studies: Sequence[Any],
    groups: Sequence[Any],
    *,
    classes: Sequence[str],
    ks: Sequence[int] = (0, 10, 20, 40),
    seeds: Sequence[int] = (0, 1, 2),
    orders: Sequence[str] = ("random", "suggest"),
    own_weights: Sequence[int] = (1,),
    fraction: float = 0.5,
    on_fit: Callable[[dict[str, Any]], None] | None = None,
) -> Iterator[dict[str, Any]]:
    """The adaptation simulation: per study left out, seed, k, order and weight, one run.

    For each study, seed and :func:`informant_split`: the model trained on the other studies only (k = 0) tags the
    test part; then for each ``k`` the researcher's first ``k`` pool excerpts (``random``: seeded order;
    ``suggest``: :func:`nlp.classify.suggest` of the k = 0 model, most useful first) join the training data, each
    repeated ``w`` times for ``w`` in ``own_weights`` (the researcher's own study weighs more than the prior), and
    the refitted model tags the same test part. A ``k`` larger than the pool is skipped for that study.

    Yields ``{"study", "seed", "k", "order", "weight", "own", "test", "p_codes", "p_polarity", "predictions"}``
    (positions into the inputs; probabilities as arrays over ``test``). ``on_fit`` is called with each run (progress).
    """
    texts = list(texts)
    codes = [frozenset(c) for c in codes]
    polarity = list(polarity)
    studies = [str(s) for s in studies]
    groups = [str(g) for g in groups]
    for name in sorted(set(studies)):
        inside = [i for i, s in enumerate(studies) if s == name]
        outside = [i for i, s in enumerate(studies) if s != name]

        def fit(own: list[int], weight: int, outside: list[int] = outside) -> Any:
            train = outside + [i for i in own for _ in range(weight)]
            return fit_rows(make_model, train, texts, codes, polarity, groups, classes=classes)

        base = fit([], 1)
        pc0, pp0 = base.predict_proba([texts[i] for i in inside])
        pred0 = _decide(base, pc0, pp0, [texts[i] for i in inside])
        at = {i: r for r, i in enumerate(inside)}
        for seed in seeds:
            pool_local, test_local = informant_split(
                [groups[i] for i in inside], seed=seed, fraction=fraction
            )
            pool, test = [inside[r] for r in pool_local], [inside[r] for r in test_local]
            if not test:
                continue
            rows = [at[i] for i in test]
            run = {
                "study": name,
                "seed": seed,
                "k": 0,
                "order": "none",
                "weight": 0,
                "own": [],
                "test": test,
                "p_codes": pc0[rows],
                "p_polarity": pp0[rows],
                "predictions": [pred0[r] for r in rows],
            }
            if on_fit:
                on_fit(run)
            yield run
            rng = np.random.default_rng(1000 + seed)
            ranked = {"random": [pool[j] for j in rng.permutation(len(pool))]}
            if "suggest" in orders and max(ks) > 0:
                picks = suggest(
                    base,
                    [
                        {"id": str(i), "text": getattr(texts[i], "text", texts[i]), "analysis": texts[i]}
                        for i in pool
                    ],
                    n=min(len(pool), max(ks)),
                )
                ranked["suggest"] = [int(p["id"]) for p in picks]
            for order in orders:
                for k in ks:
                    if k == 0 or k > len(ranked[order]):
                        continue
                    own = ranked[order][:k]
                    for w in own_weights:
                        model = fit(own, w)
                        tested = [texts[i] for i in test]
                        pc, pp = model.predict_proba(tested)
                        run = {
                            "study": name,
                            "seed": seed,
                            "k": k,
                            "order": order,
                            "weight": w,
                            "own": own,
                            "test": test,
                            "p_codes": pc,
                            "p_polarity": pp,
                            "predictions": _decide(model, pc, pp, tested),
                        }
                        if on_fit:
                            on_fit(run)
                        yield run
