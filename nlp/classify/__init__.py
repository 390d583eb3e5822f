"""The auto-coder: learn a researcher's coding (concepts, multi-label; polarity driver/barrier/neutral), validate it
honestly (grouped cross-validation), explain it, and tag new interviews in bulk.

Modules: :mod:`.vectorize` (features), :mod:`.models` (estimators), :mod:`.crossval` (cross-validation, learning
curve), :mod:`.explain`, :mod:`.active` (what to code next), :mod:`.tag` (bulk tagging), :mod:`.store` (model
folders, via :mod:`nlp.artifacts`), :mod:`.train` (training from units with validation).
"""

from __future__ import annotations

from .active import suggest
from .crossval import coding_scores, cohen_kappa, cross_validate, learning_curve
from .explain import explain, top_features
from .models import LEARNERS, AutoCoder, ConceptCoder, KeywordCoder, PolarityCoder
from .store import load_coder, save_coder, training_hash
from .tag import read_tagged, read_units, tag_paths, tag_units, write_tagged
from .train import MODEL_CHOICES, make_coder, train_from_units
from .vectorize import TextVectorizer

__all__ = [
    "LEARNERS",
    "MODEL_CHOICES",
    "AutoCoder",
    "ConceptCoder",
    "KeywordCoder",
    "PolarityCoder",
    "TextVectorizer",
    "coding_scores",
    "cohen_kappa",
    "cross_validate",
    "explain",
    "learning_curve",
    "load_coder",
    "make_coder",
    "read_tagged",
    "read_units",
    "save_coder",
    "suggest",
    "tag_paths",
    "tag_units",
    "top_features",
    "train_from_units",
    "training_hash",
    "write_tagged",
]
