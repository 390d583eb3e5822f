"""Train an auto-coder from coded units, with grouped cross-validation and a learning curve for its meta data."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

from ..agreement.verdicts import DO_NOT_USE, USE_SCALE, code_verdicts, reliability_verdict, small_sample_note
from ..errors import InputError
from ..features import analyses_of
from .crossval import cross_validate, learning_curve
from .models import AutoCoder, KeywordCoder
from .store import training_hash
from .transfer import leave_one_study_out

__all__ = [
    "DEFAULT_MODEL",
    "MODEL_CHOICES",
    "OWN_WEIGHT",
    "abstain_meta",
    "abstain_summary",
    "codebook_cues",
    "coded_units",
    "cv_notes",
    "make_coder",
    "quality_rows",
    "train_from_units",
]

#: How many times each of the researcher's own coded excerpts counts beside a prior corpus. Chosen by the adaptation
#: simulation (bench/autocode.py: leave one thesis out, 10/20/40 own excerpts in random order, 3 seeds): weight 3
#: against 1 gave polarity kappa 0.19 vs 0.16, 0.26 vs 0.26 and 0.37 vs 0.32, concept micro-F1 (cue words + model)
#: 0.40 vs 0.40, 0.42 vs 0.41 and 0.46 vs 0.44.
OWN_WEIGHT = 3

#: Named model configurations compared in ``bench/autocode.py``; ``keyword`` is the cue-word baseline.
MODEL_CHOICES: dict[str, dict[str, Any]] = {
    "keyword": {},
    "tfidf-lr": {"learner": "lr", "char_ngrams": None, "word_ngrams": (1, 2)},
    "wordchar-lr": {"learner": "lr", "char_ngrams": (3, 5), "word_ngrams": (1, 2)},
    "wordchar-svm": {
        "learner": "svm",
        "char_ngrams": (3, 5),
        "word_ngrams": (1, 2),
        "C": 0.5,
        "select_polarity": True,
    },
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


def codebook_cues(codebook: Any) -> dict[str, Any] | None:
    """The codebook's cue words as :class:`AutoCoder` takes them (``cues=``): ``code -> cues`` plus
    ``"polarity:" -> polarity_cues``; ``None`` when no code has cues."""
    if codebook is None or not any(c.cues for c in codebook.codes):
        return None
    out: dict[str, Any] = {c.id: list(c.cues) for c in codebook.codes}
    out["polarity:"] = {k: list(v) for k, v in (codebook.polarity_cues or {}).items()}
    return out


def coded_units(units: Sequence[Any], *, coder: str) -> list[Any]:
    """The units ``coder`` coded (a concept or a polarity); the rest are uncoded (candidates for ``nlp suggest``)."""
    return [u for u in units if u.concepts(coder) or u.polarity(coder) is not None]


def train_from_units(
    units: Sequence[Any],
    *,
    coder: str,
    codebook: Any = None,
    model: str = DEFAULT_MODEL,
    n_splits: int = 5,
    n_repeats: int = 3,
    curve: bool = True,
    random_state: int = 0,
    keep_predictions: bool = False,
    prior_units: Sequence[Any] = (),
    prior_coder: str | None = None,
    own_weight: int = OWN_WEIGHT,
    concept_source: str | None = None,
    transfer: bool = False,
    progress: Callable[[int, int], None] | None = None,
    stage: Callable[[str, str], None] | None = None,
    **overrides: Any,
) -> tuple[AutoCoder, dict[str, Any]]:
    """Cross-validate (grouped by ``unit.group``), then fit on all coded units of ``coder``; the models read each
    unit's analysis (:func:`nlp.features.analyses_of`).

    ``prior_units`` (e.g. the bundled corpus, coded by ``prior_coder``) are trained on beside the researcher's own
    ``units``, each own unit counting ``own_weight`` times; cross-validation then scores the own units only (the
    prior is in every training part). ``units`` may be empty when a prior is given (a model for a new study).

    ``concept_source`` (``model``/``cues``/``union``, see :data:`~nlp.classify.models.CONCEPT_SOURCES`): ``None``
    chooses as the adaptation simulation did when the codebook has cue words: ``cues`` without own coding (the
    cue coder beat the trained model on every thesis left out), ``union`` with it; ``model`` without cue words.
    ``transfer``: also leave one study (transcript) out over the training data (:func:`leave_one_study_out`), the
    figure that answers "how well will it tag a new study".

    With ``keep_predictions``, ``meta["cross_validation"]["predictions"]`` holds the out-of-fold codes and polarity
    of the first repetition, one per unit of :func:`coded_units` (in that order), for agreement statistics.
    ``min_confidence`` (in ``overrides``) is the abstain probability; unless given, each fit chooses it in its inner
    grouped CV (:func:`~nlp.classify.models.choose_abstain`), recorded as ``meta["training"]["abstain"]``.
    ``progress(done, total)`` is called after each model fit (cross-validation folds, learning-curve steps, studies
    left out, the final fit), e.g. for a progress bar; ``stage(name, unit)`` when a step begins (``name`` says
    which, e.g. ``"cross-validation (3 x 5 folds)"``; ``unit`` is what ``progress`` then counts). With a sentence
    encoder and its cache (``encoder``, ``encoder_cache`` in ``overrides``) every text is embedded once first, into
    the cache each fold's model reads: that step (unit ``"segment"``) reports the texts embedded.

    Returns the fitted model and the meta data to save with it: training-data hash, sizes, the polarity model's
    settings (``C``, class weight, sentence pooling, and whether the inner CV chose them), cross-validation scores
    (per code, macro/micro, polarity, kappa) and the learning curve.
    """
    units = coded_units(units, coder=coder)
    prior = coded_units(prior_units, coder=prior_coder) if prior_units and prior_coder else []
    if prior_units and not prior_coder:
        raise InputError(
            "a prior corpus needs the coder whose coding to learn from it.",
            fix="pass prior_coder (nlp train: --prior-coder).",
        )
    if prior_units and not prior:
        raise InputError(
            f"the prior corpus has no units coded by {prior_coder!r}.", fix="check --prior-coder."
        )
    if len(units) + len(prior) < 4:
        raise InputError(
            f"only {len(units)} units coded by {coder!r}; an auto-coder needs more.",
            fix="check --coder, or code more segments first.",
        )
    if model == "keyword":
        raise InputError(
            "the keyword baseline is for comparison only and cannot be saved.",
            fix=f"use one of {', '.join(m for m in MODEL_CHOICES if m != 'keyword')}.",
        )
    train_units = [*(u for u in units for _ in range(own_weight if prior else 1)), *prior]
    texts = analyses_of(train_units)
    codes = [
        *(u.concepts(coder) for u in units for _ in range(own_weight if prior else 1)),
        *(u.concepts(prior_coder) for u in prior),
    ]
    pol = [
        *(u.polarity(coder) for u in units for _ in range(own_weight if prior else 1)),
        *(u.polarity(prior_coder) for u in prior),
    ]
    groups = [
        *(u.group for u in units for _ in range(own_weight if prior else 1)),
        *("prior:" + u.group for u in prior),
    ]
    tested = [True] * (len(train_units) - len(prior)) + [False] * len(prior)
    cues = codebook_cues(codebook)
    if concept_source is None:
        concept_source = "model" if cues is None else ("union" if units else "cues")
    if concept_source != "model":
        overrides["cues"] = cues
    overrides["concept_source"] = concept_source
    if codebook is not None:
        codebook.check_codes(set().union(*codes), where=f"codes of {coder!r}")
        classes = list(codebook.ids)
        pol_classes = list(codebook.polarity)
    else:
        classes = sorted(set().union(*codes))
        pol_classes = ["driver", "barrier", "neutral"]
    overrides.setdefault("random_state", random_state)
    overrides.setdefault("min_confidence", None)  # the abstain probability: chosen by the inner grouped CV
    factory = make_coder(model, **overrides)
    meta: dict[str, Any] = {
        "training": {
            "coder": coder,
            "units": len(units),
            "groups": len({u.group for u in units}),
            "sha256": training_hash(units, coder=coder),
            "model": model,
            "concept_source": concept_source,
            "codebook_cues": cues is not None,
        },
    }
    if prior:
        meta["training"]["prior"] = {
            "coder": prior_coder,
            "units": len(prior),
            "own_weight": own_weight,
            "sha256": training_hash(prior, coder=prior_coder),
        }
    own_groups = {g for g, t in zip(groups, tested) if t}
    validate = len(own_groups) >= 2 and n_splits >= 2
    n = len(set(groups))
    sizes = (
        sorted({s for s in (2, 4, 8, 16, 32, 64, 128) if s < n * (n_splits - 1) / n_splits})
        if curve and validate and not prior
        else []
    )
    studies = [u.transcript_id for u in train_units]
    transfer = transfer and len(set(studies)) >= 2
    n_cv = n_repeats * n_splits if validate else 0
    n_curve = len(sizes) * n_splits if validate else 0
    total = n_cv + n_curve + (len(set(studies)) if transfer else 0) + 1

    def after(offset: int) -> Callable[[int, int], None] | None:
        return None if progress is None else (lambda done, _part: progress(offset + done, total))

    def begin(name: str, unit: str = "fit") -> None:
        if stage is not None:
            stage(name, unit)

    if overrides.get("encoder") is not None and overrides.get("encoder_cache"):
        begin("embedding segments (sentence encoder)", "segment")
        probe = factory().polarity  # loads the encoder; what it embeds lands in the cache every fold reads
        probe.embed_progress = progress
        probe.embed(texts)
    if validate:
        begin(f"cross-validation ({n_repeats} x {n_splits} folds)")
        cv = cross_validate(
            factory,
            texts,
            codes,
            pol,
            groups,
            classes=classes,
            n_splits=n_splits,
            n_repeats=n_repeats,
            random_state=random_state,
            return_predictions=keep_predictions,
            tested=tested if prior else None,
            progress=after(0),
        )
        if prior and own_weight > 1 and keep_predictions:  # one prediction per own unit, not per repetition
            cv["predictions"] = cv["predictions"][::own_weight]
        meta["cross_validation"] = cv
        meta["reliability"] = {
            "codes": code_verdicts(cv["codes"]),
            "polarity": dict(zip(("verdict", "reason"), reliability_verdict(cv["polarity"]["kappa"]))),
            "cutoffs": f"{USE_SCALE.describe()}, {DO_NOT_USE} if undefined (cross-validated kappa)",
        }
        if sizes:
            begin(f"learning curve ({len(sizes)} sizes x {n_splits} folds)")
            meta["learning_curve"] = learning_curve(
                factory,
                texts,
                codes,
                pol,
                groups,
                classes=classes,
                sizes=sizes,
                n_splits=n_splits,
                random_state=random_state,
                progress=after(n_cv),
            )
    if transfer:
        begin(f"leave one study out ({len(set(studies))} studies)")
        loso = leave_one_study_out(
            factory, texts, codes, pol, studies, groups, classes=classes, progress=after(n_cv + n_curve)
        )
        meta["leave_one_study_out"] = {
            "studies": len(set(studies)),
            "micro": loso["micro"],
            "macro": loso["macro"],
            "polarity": loso["polarity"],
            "codes_per_unit": loso["codes_per_unit"],
            "per_study": loso["studies"],
        }
    begin("final fit")
    fitted = factory().fit(texts, codes, pol, groups=groups, classes=classes, polarity_classes=pol_classes)
    if progress is not None:
        progress(total, total)
    pol_model = fitted.polarity
    meta["training"]["uninformative_codes"] = list(fitted.uninformative_)
    meta["training"]["abstain"] = abstain_meta(fitted)
    meta["training"]["polarity_model"] = {
        "C": pol_model.C_,
        "class_weight": pol_model.class_weight_,
        "sentence_pooling": pol_model.pooling_,
        "chosen_by_inner_cv": bool(pol_model.select),
    }
    fitted.codebook = codebook
    return fitted, meta


def abstain_meta(model: AutoCoder) -> dict[str, Any]:
    """How the abstain probability of a fitted model came about, as ``meta.json`` records it: ``value`` and
    ``chosen_by`` (``"inner grouped CV"`` or ``"given"``), with the figures of :func:`~nlp.classify.models.choose_abstain`
    when chosen.

    Examples
    --------
    >>> m = AutoCoder.from_params(min_confidence=0.7)
    >>> abstain_meta(m)
    {'value': 0.7, 'chosen_by': 'given'}
    """
    choice = getattr(model, "abstain_choice_", None)
    if model.min_confidence is not None or not choice:
        return {"value": model.abstain, "chosen_by": "given"}
    return {**choice, "value": model.abstain, "chosen_by": "inner grouped CV"}


def abstain_summary(abstain: dict[str, Any]) -> str:
    """One line on the abstain probability of ``meta["training"]["abstain"]``, as ``nlp train`` and the report
    show it.

    Examples
    --------
    >>> line = abstain_summary({"value": 0.45, "chosen_by": "inner grouped CV", "kappa_all": 0.41,
    ...                         "kappa_answered": 0.47, "withheld": 0.18, "max_share": 0.2, "min_gain": 0.02})
    >>> line.split(": ", 1)[1]
    'polarity kappa on the answered segments 0.41 -> 0.47, 18% withheld; at most 20% may be withheld)'
    >>> abstain_summary({"value": 0.0, "chosen_by": "given"})
    'never abstain (given: --abstain 0)'
    """
    value = float(abstain.get("value", 0.0))
    head = f"abstain below {value:g}" if value > 0 else "never abstain"
    if abstain.get("chosen_by") != "inner grouped CV":
        return f"{head} (given: --abstain {value:g})"
    k0, k1 = abstain.get("kappa_all"), abstain.get("kappa_answered")
    if k0 is None or (isinstance(k0, float) and math.isnan(k0)):
        return f"{head} (chosen by inner grouped CV: no out-of-fold polarity to choose from)"
    limit = f"at most {abstain['max_share']:.0%} may be withheld"
    if value > 0:
        return (
            f"{head} (chosen by inner grouped CV: polarity kappa on the answered segments {k0:.2f} -> {k1:.2f}, "
            f"{abstain['withheld']:.0%} withheld; {limit})"
        )
    tried = abstain.get("candidates") or []
    upto = f" up to {max(tried):g}" if tried else ""
    return (
        f"{head} (chosen by inner grouped CV: no abstain probability{upto} raised polarity kappa on the "
        f"answered segments by {abstain['min_gain']:g} over {k0:.2f} while withholding at most "
        f"{abstain['max_share']:.0%})"
    )


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
    return [
        {
            "code": code,
            "precision": s["precision"],
            "recall": s["recall"],
            "f1": s["f1"],
            "kappa": s["kappa"],
            "support": int(s["support"]),
            "note": small_sample_note(int(s["support"]), cv["n_groups"], what="reference units"),
        }
        for code, s in cv.get("codes", {}).items()
    ]


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
        notes.append(
            f"{len(thin)} of {len(cv.get('codes', {}))} codes have fewer than 30 reference units "
            f"({', '.join(thin[:8])}{' ...' if len(thin) > 8 else ''}): their figures are too thin to judge"
        )
    return notes
