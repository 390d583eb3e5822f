"""Reliability verdicts for the auto-coder's codes, from their cross-validated kappa.

Cut-offs (Landis & Koch 1977, "The measurement of observer agreement for categorical data", Biometrics 33:159-174):
kappa 0.61-0.80 is "substantial" and above 0.80 "almost perfect" agreement, 0.41-0.60 "moderate", 0.21-0.40 "fair",
0.00-0.20 "slight". A code the machine gives with at least substantial agreement with the coder it learnt from is
``use``; fair to moderate agreement is ``suggestion only`` (show it to the researcher, do not count it); slight or
no agreement, or a kappa that cannot be computed (the code was never or always given in cross-validation), is
``do not use``: :func:`nlp.classify.tag_units` leaves such codes out unless asked, and says why. Krippendorff
(2004, Content Analysis, 2nd ed., p. 241) asks alpha >= 0.800 for conclusions and >= 0.667 for tentative ones of
HUMAN coding; a machine's suggestions that a researcher reviews are held to the lower bar here, which is why
``suggestion only`` is a verdict of its own.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

__all__ = ["DO_NOT_USE", "SUGGESTION_ONLY", "USE", "VERDICT_CUTOFFS", "code_verdicts", "reliability_verdict"]

USE, SUGGESTION_ONLY, DO_NOT_USE = "use", "suggestion only", "do not use"
#: Lower kappa bounds of the verdicts (Landis & Koch 1977: substantial from 0.61, fair from 0.21).
VERDICT_CUTOFFS = {USE: 0.61, SUGGESTION_ONLY: 0.21}


def reliability_verdict(kappa: float | None) -> tuple[str, str]:
    """``(verdict, reason)`` for a code's cross-validated kappa.

    Examples
    --------
    >>> reliability_verdict(0.72)
    ('use', 'cross-validated kappa 0.72: substantial agreement (Landis & Koch 1977: >= 0.61)')
    >>> reliability_verdict(0.35)[0], reliability_verdict(0.05)[0], reliability_verdict(float("nan"))[0]
    ('suggestion only', 'do not use', 'do not use')
    """
    if kappa is None or (isinstance(kappa, float) and math.isnan(kappa)):
        return DO_NOT_USE, "kappa undefined in cross-validation (the code was never, or always, given)"
    if kappa >= 0.81:
        return (
            USE,
            f"cross-validated kappa {kappa:.2f}: almost perfect agreement (Landis & Koch 1977: >= 0.81)",
        )
    if kappa >= VERDICT_CUTOFFS[USE]:
        return USE, f"cross-validated kappa {kappa:.2f}: substantial agreement (Landis & Koch 1977: >= 0.61)"
    if kappa >= 0.41:
        return SUGGESTION_ONLY, (
            f"cross-validated kappa {kappa:.2f}: moderate agreement (Landis & Koch 1977: "
            "0.41-0.60); review before use"
        )
    if kappa >= VERDICT_CUTOFFS[SUGGESTION_ONLY]:
        return SUGGESTION_ONLY, (
            f"cross-validated kappa {kappa:.2f}: fair agreement (Landis & Koch 1977: "
            "0.21-0.40); review before use"
        )
    return (
        DO_NOT_USE,
        f"cross-validated kappa {kappa:.2f}: slight or no agreement (Landis & Koch 1977: < 0.21)",
    )


def code_verdicts(per_code: Mapping[str, Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    """Verdict per code from cross-validation scores ``{code: {"kappa": ..., ...}}`` (as
    :func:`nlp.classify.cross_validate` returns them under ``"codes"``): ``{code: {"verdict", "reason", "kappa"}}``.

    Examples
    --------
    >>> code_verdicts({"a": {"kappa": 0.7}, "b": {"kappa": 0.1}})["b"]["verdict"]
    'do not use'
    """
    out = {}
    for code, scores in per_code.items():
        kappa = scores.get("kappa")
        verdict, reason = reliability_verdict(None if kappa is None else float(kappa))
        out[code] = {
            "verdict": verdict,
            "reason": reason,
            "kappa": None if kappa is None or math.isnan(float(kappa)) else round(float(kappa), 4),
        }
    return out
