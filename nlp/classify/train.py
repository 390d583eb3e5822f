"""Train an auto-coder from coded units, with grouped cross-validation and a learning curve for its meta data."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from ..agreement.verdicts import small_sample_note
from ..errors import InputError
from ..features import analyses_of
from .crossval import cross_validate, learning_curve
from .models import AutoCoder, KeywordCoder
from .store import training_hash

__all__ = ["DEFAULT_MODEL", "MODEL_CHOICES", "coded_units", "cv_notes", "make_coder", "quality_rows",
           "train_from_units"]

#: Named model configurations compared in ``bench/autocode.py``; ``keyword`` is the cue-word baseline.
MODEL_CHOICES: dict[str, dict[str, Any]] = {
    "keyword": {},
    "tfidf-lr": {"learner": "lr", "char_ngrams": None, "word_ngrams": (1, 2)},
    "wordchar-lr": {"learner": "lr", "char_ngrams": (3, 5), "word_ngrams": (1, 2)},
    "wordchar-svm": {"learner": "svm", "char_ngrams": (3, 5), "word_ngrams": (1, 2), "C": 0.5,
                     "select_polarity": True},
}
#: On the bundled corpus (bench/autocode.py) wordchar-lr and wordchar-svm tie within one sd of repeated grouped CV and
#: clearly beat tfidf-lr and the keyword baseline; the SVM trains ~3.5x faster, so it is the default. Choosing its
#: polarity C and class weight by inner grouped CV (``select_polarity``) raised polarity kappa 0.314 (sd 0.009) ->
#: 0.329 (sd 0.005), macro-F1 0.531 -> 0.537; letting the same inner CV also choose sentence max-pooling of polarity
#: (``polarity_pooling``) raised it to 0.368 (sd 0.008), macro-F1 0.561; concepts unchanged (grouped 5-fold CV x 3,
#: coder1).
DEFAULT_MODEL = "wordchar-svm"


def make_coder(name: str = DEFAULT_MODEL, **overrides: Any) -> Callable[[], Any]:
    """A factory for the named model configuration (fresh, unfitted estimator on each call).

    Examples
    --------
    >>> make_coder("tfidf-lr", word_analyzer="surface")().concepts.char_ngrams is None
    True
    """
    if name not in MODEL_CHOICES:
        raise InputError(f"unknown model {name!r}.", fix=f"use one of {', '.join(MODEL_CHOICES)}.")
    if name == "keyword":
        kw = {k: v for k, v in overrides.items() if k in ("word_analyzer", "min_df", "n_cues")}
        return lambda: KeywordCoder(**kw)
    params = {**MODEL_CHOICES[name], **overrides}
    AutoCoder.from_params(**params)  # a misspelt setting fails here, not in the first fold
    return lambda: AutoCoder.from_params(**params)


def coded_units(units: Sequence[Any], *, coder: str) -> list[Any]:
    """The units ``coder`` coded (a concept or a polarity); the rest are uncoded (candidates for ``nlp suggest``)."""
    return [u for u in units if u.concepts(coder) or u.polarity(coder) is not None]


def train_from_units(units: Sequence[Any], *, coder: str, codebook: Any = None, model: str = DEFAULT_MODEL,
                     n_splits: int = 5, n_repeats: int = 3, curve: bool = True, random_state: int = 0,
                     keep_predictions: bool = False, **overrides: Any) -> tuple[AutoCoder, dict[str, Any]]:
    """Cross-validate (grouped by ``unit.group``), then fit on all coded units of ``coder``; the models read each
    unit's analysis (:func:`nlp.features.analyses_of`).

    With ``keep_predictions``, ``meta["cross_validation"]["predictions"]`` holds the out-of-fold codes and polarity
    of the first repetition, one per unit of :func:`coded_units` (in that order), for agreement statistics.

    Returns the fitted model and the meta data to save with it: training-data hash, sizes, the polarity model's
    settings (``C``, class weight, sentence pooling, and whether the inner CV chose them), cross-validation scores
    (per code, macro/micro, polarity, kappa) and the learning curve.
    """
    units = coded_units(units, coder=coder)
    if len(units) < 4:
        raise InputError(f"only {len(units)} units coded by {coder!r}; an auto-coder needs more.",
                         fix="check --coder, or code more segments first.")
    if model == "keyword":
        raise InputError("the keyword baseline is for comparison only and cannot be saved.",
                         fix=f"use one of {', '.join(m for m in MODEL_CHOICES if m != 'keyword')}.")
    texts = analyses_of(units)
    codes = [u.concepts(coder) for u in units]
    pol = [u.polarity(coder) for u in units]
    groups = [u.group for u in units]
    if codebook is not None:
        codebook.check_codes(set().union(*codes), where=f"codes of {coder!r}")
        classes = list(codebook.ids)
        pol_classes = list(codebook.polarity)
    else:
        classes = sorted(set().union(*codes))
        pol_classes = ["driver", "barrier", "neutral"]
    overrides.setdefault("random_state", random_state)
    factory = make_coder(model, **overrides)
    meta: dict[str, Any] = {
        "training": {"coder": coder, "units": len(units), "groups": len(set(groups)),
                     "sha256": training_hash(units, coder=coder), "model": model},
    }
    if len(set(groups)) >= 2 and n_splits >= 2:
        meta["cross_validation"] = cross_validate(factory, texts, codes, pol, groups, classes=classes,
                                                  n_splits=n_splits, n_repeats=n_repeats, random_state=random_state,
                                                  return_predictions=keep_predictions)
        if curve:
            n = len(set(groups))
            sizes = sorted({s for s in (2, 4, 8, 16, 32, 64, 128) if s < n * (n_splits - 1) / n_splits})
            meta["learning_curve"] = learning_curve(factory, texts, codes, pol, groups, classes=classes,
                                                    sizes=sizes, n_splits=n_splits, random_state=random_state)
    fitted = factory().fit(texts, codes, pol, groups=groups, classes=classes, polarity_classes=pol_classes)
    pol_model = fitted.polarity
    meta["training"]["polarity_model"] = {"C": pol_model.C_, "class_weight": pol_model.class_weight_,
                                          "sentence_pooling": pol_model.pooling_,
                                          "chosen_by_inner_cv": bool(pol_model.select)}
    fitted.codebook = codebook
    return fitted, meta


def quality_rows(cv: dict[str, Any]) -> list[dict[str, Any]]:
    """The per-code cross-validated figures as ``nlp train`` prints them and the report shows them (one source:
    ``meta["cross_validation"]["codes"]``, the mean over repetitions), each with a note when it rests on fewer than 30
    reference units or 5 groups.

    Examples
    --------
    >>> cv = {"n_groups": 3, "codes": {"tillit": {"precision": 0.5, "recall": 1.0, "f1": 0.67, "kappa": 0.4,
    ...                                            "support": 12}}}
    >>> quality_rows(cv)[0]["note"]
    'rests on only 12 reference units (fewer than 30) and 3 groups (fewer than 5): too few to judge'
    """
    return [{"code": code, "precision": s["precision"], "recall": s["recall"], "f1": s["f1"], "kappa": s["kappa"],
             "support": int(s["support"]),
             "note": small_sample_note(int(s["support"]), cv["n_groups"], what="reference units")}
            for code, s in cv.get("codes", {}).items()]


def cv_notes(cv: dict[str, Any]) -> list[str]:
    """What to know about a cross-validation before reading its figures: the folds actually used, and figures that
    rest on too few groups or units.

    Examples
    --------
    >>> cv_notes({"n_splits": 3, "n_splits_requested": 5, "n_groups": 3, "repeats": 1, "polarity": {"n": 40}})[0]
    'grouped 3-fold cross-validation (5 folds were asked for, but there are only 3 groups), 1 repetition'
    """
    k, asked, groups = cv["n_splits"], cv.get("n_splits_requested", cv["n_splits"]), cv["n_groups"]
    reps = cv.get("repeats", 1)
    folds = f"grouped {k}-fold cross-validation"
    if asked != k:
        folds += f" ({asked} folds were asked for, but there are only {groups} groups)"
    notes = [f"{folds}, {reps} repetition{'s' if reps != 1 else ''}"]
    note = small_sample_note(int(cv.get("polarity", {}).get("n", 0)), groups, what="units with a polarity")
    if note:
        notes.append(f"polarity: the figure {note}")
    thin = [r["code"] for r in quality_rows(cv) if r["support"] < 30]
    if thin:
        notes.append(f"{len(thin)} of {len(cv.get('codes', {}))} codes have fewer than 30 reference units "
                     f"({', '.join(thin[:8])}{' ...' if len(thin) > 8 else ''}): their figures are too thin to judge")
    return notes
