"""Save and load a trained auto-coder as a model folder (see :mod:`nlp.artifacts`; no pickle)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ..artifacts import load_model_files, save_model_files, sha256_texts
from ..codebook import Codebook
from ..errors import ModelFileError, NlpError, where
from .models import AutoCoder

__all__ = ["KIND", "load_coder", "model_features", "save_coder", "training_hash"]

KIND = "autocoder"


def training_hash(units: Sequence[Any], *, coder: str) -> str:
    """sha256 of the training data as the model saw it: id, text, concepts and polarity of each unit, in order."""
    return sha256_texts(
        json.dumps([u.id, u.text, sorted(u.concepts(coder)), u.polarity(coder)], ensure_ascii=False)
        for u in units
    )


def model_features(model: AutoCoder) -> dict[str, Any]:
    """Which features and code sources a fitted model uses (meta.json, ``nlp train`` and the report say it)."""
    c, p = model.concepts, model.polarity
    return {
        "concepts": {
            "source": model.concept_source,
            "lexical": f"{c.word_analyzer} word n-grams {tuple(c.word_ngrams)}"
            + (f", character n-grams {tuple(c.char_ngrams)}" if c.char_ngrams else ""),
            "codebook_cues": model.cue_coder_ is not None,
            "threshold_floor": getattr(c, "threshold_floor", 0.0),
            "uninformative": model.uninformative_,
        },
        "polarity": {
            "lexical": True,
            "cue_lexicon": bool(p.extra_features_),
            "sentence_pooling": bool(p.pooling_),
            "encoder": dict(p.encoder_identity_) if p.encoder_used_ else None,
            "encoder_mode": getattr(p, "encoder_mode_", "none"),
            "encoder_inner_cv_kappa": dict(p.encoder_kappa_) or None,
        },
    }


def save_coder(
    model: AutoCoder, path: str | Path, *, codebook: Any = None, meta: Mapping[str, Any] | None = None
) -> Path:
    """Write ``model`` to the folder ``path``: weights (safetensors), params and meta (JSON), codebook (YAML).

    ``meta`` adds provenance (training-data hash, cross-validation scores, learning curve, coder, corpus).
    """
    params, arrays = model.get_state()
    concepts, polarity = params["concepts"], params["polarity"]
    full_meta: dict[str, Any] = {
        "estimator": "AutoCoder",
        "preprocessing": {k: v for k, v in concepts["vectorizer"].items() if k not in ("word", "char")},
        "model": {
            "concepts": concepts["init"],
            "polarity": polarity["init"],
            "min_confidence": params["min_confidence"],
        },
        "classes": concepts["classes"],
        "polarity_classes": polarity["classes"],
        "n_features": len(model.concepts.vectorizer_.vocabulary_),
        "features": model_features(model),
    }
    extra: dict[str, bytes] = {}
    codebook = codebook if codebook is not None else model.codebook
    if codebook is not None:
        import yaml

        full_meta["codebook"] = codebook.to_dict()
        extra["codebook.yaml"] = yaml.safe_dump(
            codebook.to_dict(), allow_unicode=True, sort_keys=False, width=120
        ).encode("utf-8")
    full_meta.update(meta or {})
    return save_model_files(path, kind=KIND, arrays=arrays, params=params, meta=full_meta, extra_files=extra)


def load_coder(path: str | Path) -> AutoCoder:
    """Load a model folder written by :func:`save_coder`; files are verified (sha256) before use.

    Raises
    ------
    ModelFileError
        Missing, truncated or changed files.
    """
    files = load_model_files(path, kind=KIND)
    try:
        model = AutoCoder.from_state(dict(files.params), dict(files.arrays))
    except (KeyError, TypeError, ValueError, NlpError) as exc:
        raise ModelFileError(
            f"the model's weights and settings do not fit together ({exc}); models saved before "
            "the auto-coder read the preprocessing analysis cannot be loaded.",
            path=path,
            fix="train the model again with `nlp train`.",
        ) from exc
    if model.polarity.encoder_used_:  # the encoder the polarity model was trained with, checked now
        try:
            model.polarity.embed([])
        except NlpError as exc:
            raise ModelFileError(
                f"this model's polarity uses sentence embeddings: {where(exc.path, exc.line)}{exc.reason}",
                path=path,
                fix=getattr(exc, "fix", None) or 'pip install -e ".[encoder]"',
            ) from exc
    if "codebook" in files.meta:
        model.codebook = Codebook.from_dict(files.meta["codebook"])
    model.meta_ = dict(files.meta)
    return model
