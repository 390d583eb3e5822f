"""Plain verdicts on agreement figures against cited cut-offs: one mechanism, three scales.

A :class:`Scale` is ordered cut-offs with their cited source; a figure gets the label of the highest cut-off it
reaches (``undefined`` for NaN). Three scales answer two different questions, which is why there is more than one:

- **Can conclusions rest on this coding?** (any coding against the reference: the second coder's, or the study's
  cross-validated machine coding, in the report.) :data:`ALPHA_SCALE`, Krippendorff's alpha (Krippendorff 2004,
  *Content Analysis*, 2nd ed., p. 241): ``alpha >= 0.800`` reliable; ``0.667 <= alpha < 0.800`` only tentative
  conclusions; below 0.667 not reliable. :func:`machine_advice` puts the machine's verdict beside the second coder's.
  :data:`KAPPA_SCALE` gives the conventional label of a kappa (Landis & Koch 1977, "The measurement of observer
  agreement for categorical data", *Biometrics* 33:159-174): below 0 poor, 0-0.20 slight, 0.21-0.40 fair,
  0.41-0.60 moderate, 0.61-0.80 substantial, 0.81-1 almost perfect. These labels are conventions, not tests.
- **Should the auto-coder give this code at all?** (per code, from the cross-validated kappa of ``nlp train``;
  acted on by ``nlp tag``.) :data:`USE_SCALE` groups the Landis & Koch bands: at least substantial agreement with
  the coder it learnt from is ``use``; fair to moderate is ``suggestion only`` (show it to the researcher, do not
  count it); slight or none, or a kappa that cannot be computed (the code was never or always given in
  cross-validation), is ``do not use``: :func:`nlp.classify.tag_units` leaves such codes out unless asked, and says
  why. Krippendorff's bar is for conclusions from coding; a machine's suggestions that a researcher reviews are
  held to the lower bar, which is why ``suggestion only`` is a verdict of its own.

A figure that rests on fewer than :data:`MIN_UNITS` units or :data:`MIN_GROUPS` groups is flagged: it cannot carry a
verdict on its own.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = [
    "ALPHA_SCALE",
    "DO_NOT_USE",
    "KAPPA_SCALE",
    "MIN_GROUPS",
    "MIN_UNITS",
    "SUGGESTION_ONLY",
    "USE",
    "USE_SCALE",
    "WELL_BELOW",
    "Scale",
    "alpha_verdict",
    "code_verdicts",
    "kappa_label",
    "machine_advice",
    "reliability_verdict",
    "small_sample_note",
]

UNDEFINED = "undefined"


@dataclass(frozen=True)
class Scale:
    """Ordered cut-offs with their cited source: a figure gets the label of the highest cut-off it reaches.

    Parameters
    ----------
    figure
        What is judged, as it is written in a range (``alpha``, ``kappa``).
    source
        The citation of the cut-offs.
    cutoffs
        ``(lower bound, label)`` pairs, highest first; the last bound is ``-inf``, so every number has a label.
    digits
        Decimals of the bounds as the source writes them (0.800, 0.61).

    Examples
    --------
    >>> s = Scale("kappa", "Landis & Koch 1977", ((0.61, "use"), (0.21, "suggestion only"), (-math.inf, "no")))
    >>> s(0.7), s(0.21), s(-1.0), s(float("nan"))
    ('use', 'suggestion only', 'no', 'undefined')
    >>> s.band("suggestion only"), s.band("use"), s.band("no")
    ('0.21 <= kappa < 0.61', 'kappa >= 0.61', 'kappa < 0.21')
    >>> s.describe()
    'Landis & Koch 1977: use if kappa >= 0.61, suggestion only if 0.21 <= kappa < 0.61, no if kappa < 0.21'
    """

    figure: str
    source: str
    cutoffs: tuple[tuple[float, str], ...]
    digits: int = 2

    def __post_init__(self) -> None:
        bounds = [cut for cut, _ in self.cutoffs]
        if bounds != sorted(bounds, reverse=True) or bounds[-1] != -math.inf:
            raise ValueError(f"{self.source}: cut-offs must run from the highest down to -inf, not {bounds}.")

    def __call__(self, value: float | None) -> str:
        """The label of ``value``; ``undefined`` for None or NaN."""
        if value is None or math.isnan(value):
            return UNDEFINED
        return next(label for cut, label in self.cutoffs if value >= cut)

    def band(self, label: str) -> str:
        """The range of the figure that gets ``label``, e.g. ``0.667 <= alpha < 0.800``."""
        for i, (cut, name) in enumerate(self.cutoffs):
            if name == label:
                upper = self.cutoffs[i - 1][0] if i else None
                if upper is None:
                    return f"{self.figure} >= {self._number(cut)}"
                if cut == -math.inf:
                    return f"{self.figure} < {self._number(upper)}"
                return f"{self._number(cut)} <= {self.figure} < {self._number(upper)}"
        raise KeyError(f"{label!r} is not a label of the {self.source} scale")

    def describe(self) -> str:
        """Every label with its range and the source, for a methods note or a model's metadata."""
        return f"{self.source}: " + ", ".join(f"{label} if {self.band(label)}" for _, label in self.cutoffs)

    def _number(self, x: float) -> str:
        return f"{x:.{self.digits}f}"


#: Krippendorff (2004, p. 241): can conclusions rest on a coding?
ALPHA_SCALE = Scale(
    "alpha",
    "Krippendorff 2004",
    ((0.800, "reliable"), (0.667, "tentative"), (-math.inf, "not reliable")),
    digits=3,
)
#: Landis & Koch (1977): the conventional label of a kappa.
KAPPA_SCALE = Scale(
    "kappa",
    "Landis & Koch 1977",
    (
        (0.81, "almost perfect"),
        (0.61, "substantial"),
        (0.41, "moderate"),
        (0.21, "fair"),
        (0.0, "slight"),
        (-math.inf, "poor"),
    ),
)
USE, SUGGESTION_ONLY, DO_NOT_USE = "use", "suggestion only", "do not use"
#: Landis & Koch's (1977) bands grouped into what the auto-coder does with a code: substantial and above, fair to
#: moderate, slight or none.
USE_SCALE = Scale(
    "kappa", "Landis & Koch 1977", ((0.61, USE), (0.21, SUGGESTION_ONLY), (-math.inf, DO_NOT_USE))
)
#: Below this many units or groups a figure gets a warning.
MIN_UNITS, MIN_GROUPS = 30, 5
#: The machine is "well below" the second coder when its alpha is below the second coder's interval, or (without an
#: interval) this much lower.
WELL_BELOW = 0.15


def alpha_verdict(alpha: float) -> str:
    """``reliable``, ``tentative`` or ``not reliable`` for Krippendorff's alpha (Krippendorff 2004); ``undefined``.

    Examples
    --------
    >>> alpha_verdict(0.82), alpha_verdict(0.7), alpha_verdict(0.55), alpha_verdict(float("nan"))
    ('reliable', 'tentative', 'not reliable', 'undefined')
    """
    return ALPHA_SCALE(alpha)


def kappa_label(kappa: float) -> str:
    """Landis & Koch's (1977) label for a kappa value; ``undefined`` for NaN.

    Examples
    --------
    >>> kappa_label(0.55), kappa_label(0.2), kappa_label(-0.1)
    ('moderate', 'slight', 'poor')
    """
    return KAPPA_SCALE(kappa)


def small_sample_note(n_units: int, n_groups: int, *, what: str = "units") -> str | None:
    """A warning when a figure rests on fewer than 30 units or 5 groups, else None.

    Examples
    --------
    >>> small_sample_note(12, 27, what="units with the code")
    'rests on only 12 units with the code (fewer than 30): too few to judge'
    >>> small_sample_note(300, 3)
    'rests on only 3 groups (fewer than 5): too few to judge'
    >>> small_sample_note(300, 27) is None
    True
    """
    parts = []
    if n_units < MIN_UNITS:
        parts.append(f"{n_units} {what} (fewer than {MIN_UNITS})")
    if n_groups < MIN_GROUPS:
        parts.append(f"{n_groups} groups (fewer than {MIN_GROUPS})")
    return f"rests on only {' and '.join(parts)}: too few to judge" if parts else None


def machine_advice(
    machine_alpha: float, *, second_alpha: float | None = None, second_ci_low: float | None = None
) -> str:
    """How far the machine's coding can be trusted, from its alpha and the second coder's (if there is one).

    Examples
    --------
    >>> machine_advice(0.85)
    'reliable (alpha >= 0.800, Krippendorff 2004): its codes can be used, checking a sample'
    >>> machine_advice(0.35, second_alpha=0.62, second_ci_low=0.5)[:60]
    'well below the second coder: use its codes as suggestions fo'
    >>> machine_advice(0.35, second_alpha=0.4)[:45]
    'not reliable, and neither is the second coder'
    """
    verdict = alpha_verdict(machine_alpha)
    if verdict == UNDEFINED:
        return "cannot be judged: alpha is undefined (the code is too rare or never used)"
    has_second = second_alpha is not None and not math.isnan(second_alpha)
    if has_second and verdict != "reliable":
        low = second_ci_low if second_ci_low is not None and not math.isnan(second_ci_low) else None
        below = machine_alpha < low if low is not None else second_alpha - machine_alpha >= WELL_BELOW
        if below:
            return (
                "well below the second coder: use its codes as suggestions for review, not as coding "
                f"(alpha {machine_alpha:.2f} against the second coder's {second_alpha:.2f})"
            )
        if alpha_verdict(second_alpha) == "not reliable" and verdict == "not reliable":
            return (
                "not reliable, and neither is the second coder: the code itself is not applied consistently; "
                "sharpen its definition before trusting anyone's coding of it"
            )
    what_to_do = {
        "reliable": "its codes can be used, checking a sample",
        "tentative": "only for tentative conclusions; review its codes",
        "not reliable": "use its codes as suggestions for review only",
    }[verdict]
    return f"{verdict} ({ALPHA_SCALE.band(verdict)}, {ALPHA_SCALE.source}): {what_to_do}"


def reliability_verdict(kappa: float | None) -> tuple[str, str]:
    """``(verdict, reason)`` for a code's cross-validated kappa on :data:`USE_SCALE`.

    Examples
    --------
    >>> reliability_verdict(0.72)
    ('use', 'cross-validated kappa 0.72: substantial agreement (Landis & Koch 1977: 0.61 <= kappa < 0.81)')
    >>> reliability_verdict(0.35)[1]
    'cross-validated kappa 0.35: fair agreement (Landis & Koch 1977: 0.21 <= kappa < 0.41); review before use'
    >>> reliability_verdict(0.35)[0], reliability_verdict(0.05)[0], reliability_verdict(float("nan"))[0]
    ('suggestion only', 'do not use', 'do not use')
    """
    verdict = USE_SCALE(kappa)
    if verdict == UNDEFINED:
        return DO_NOT_USE, "kappa undefined in cross-validation (the code was never, or always, given)"
    label = KAPPA_SCALE(kappa)
    reason = f"cross-validated kappa {kappa:.2f}: {label} agreement ({KAPPA_SCALE.source}: {KAPPA_SCALE.band(label)})"
    return verdict, reason + ("; review before use" if verdict == SUGGESTION_ONLY else "")


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
