"""Save and load a trained auto-coder as a model folder (see :mod:`nlp.artifacts`; no pickle)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ..artifacts import load_model_files, save_model_files, sha256_texts
from ..errors import ModelFileError
from .models import AutoCoder

__all__ = ["KIND", "load_coder", "model_features", "save_coder", "training_hash"]

KIND = "autocoder"


def training_hash(units: Sequence[Any], *, coder: str) -> str:
    """sha256 of the training data as the model saw it: id, text, concepts and polarity of each unit, in order."""
    return sha256_texts(json.dumps([u.id, u.text, sorted(u.concepts(coder)), u.polarity(coder)], ensure_ascii=False)
                        for u in units)


def model_features(model: AutoCoder) -> dict[str, Any]:
    """Which features and code sources a fitted model uses (meta.json, ``nlp train`` and the report say it)."""
    v = model.vectorizer_
    return {"concepts": {"source": model.concept_source,
                         "lexical": f"{v.word_analyzer} word n-grams {tuple(v.word_ngrams)}"
                                    + (f", character n-grams {tuple(v.char_ngrams)}" if v.char_ngrams else ""),
                         "codebook_cues": model.cue_coder_ is not None},
            "polarity": {"lexical": True, "cue_lexicon": bool(model.extra_features_),
                         "sentence_pooling": bool(model.polarity_pooling_),
                         "encoder": dict(model.encoder_identity_) if model.encoder_used_ else None,
                         "encoder_inner_cv_kappa": dict(model.encoder_kappa_) or None}}


def save_coder(model: AutoCoder, path: str | Path, *, codebook: Any = None, meta: Mapping[str, Any] | None = None
               ) -> Path:
    """Write ``model`` to the folder ``path``: weights (safetensors), params and meta (JSON), codebook (YAML).

    ``meta`` adds provenance (training-data hash, cross-validation scores, learning curve, coder, corpus).
    """
    params, arrays = model.get_state()
    full_meta: dict[str, Any] = {
        "estimator": "AutoCoder",
        "preprocessing": {k: v for k, v in params["vectorizer"].items() if k != "vocabulary"},
        "model": params["init"],
        "classes": params["classes"],
        "polarity_classes": params["polarity_classes"],
        "n_features": len(params["vectorizer"]["vocabulary"]),
        "features": model_features(model),
    }
    extra: dict[str, bytes] = {}
    if codebook is not None:
        import yaml

        full_meta["codebook"] = codebook.to_dict()
        extra["codebook.yaml"] = yaml.safe_dump(codebook.to_dict(), allow_unicode=True, sort_keys=False,
                                                width=120).encode("utf-8")
    full_meta.update(meta or {})
    return save_model_files(path, kind=KIND, arrays=arrays, params=params, meta=full_meta, extra_files=extra)


def load_coder(path: str | Path) -> AutoCoder:
    """Load a model folder written by :func:`save_coder`; files are verified (sha256) before use.

    Raises
    ------
    ModelFileError
        Missing, truncated or changed files; a model needing preprocessing that is not installed.
    """
    files = load_model_files(path, kind=KIND)
    try:
        model = AutoCoder.from_state(dict(files.params), dict(files.arrays))
    except (KeyError, TypeError, ValueError) as exc:
        raise ModelFileError(f"the model's weights and settings do not fit together ({exc}).", path=path,
                             fix="train the model again with `nlp train`.") from exc
    try:
        model.vectorizer_._analyzer()
    except ImportError as exc:
        raise ModelFileError(f"this model was trained with the {model.vectorizer_.word_analyzer!r} word analyzer, "
                             f"which is not available here ({exc}).", path=path,
                             fix="install klyngekoder with its preprocessing, or retrain the model.") from exc
    if model.encoder_used_:  # the encoder the polarity model was trained with, checked now: a clear error early
        try:
            model.embed([])
        except ModelFileError as exc:
            raise ModelFileError(f"this model's polarity uses sentence embeddings ({exc.args[0]})", path=path,
                                 fix=getattr(exc, "fix", None) or 'pip install -e ".[encoder]"') from exc
    model.meta_ = dict(files.meta)
    return model
