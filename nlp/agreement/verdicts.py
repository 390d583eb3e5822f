"""Plain verdicts on agreement figures against cited cut-offs, and the advice that follows for machine coding.

Cut-offs (each verdict names its source):

- Krippendorff's alpha (Krippendorff 2004, *Content Analysis*, 2nd ed., p. 241): ``alpha >= 0.800`` reliable;
  ``0.667 <= alpha < 0.800`` only tentative conclusions; below 0.667 not reliable.
- Cohen's kappa (Landis & Koch 1977): below 0 poor, 0-0.20 slight, 0.21-0.40 fair, 0.41-0.60 moderate,
  0.61-0.80 substantial, 0.81-1 almost perfect. These labels are conventions, not tests.

A figure that rests on fewer than :data:`MIN_UNITS` units or :data:`MIN_GROUPS` groups is flagged: it cannot carry a
verdict on its own.
"""

from __future__ import annotations

import math

__all__ = [
    "ALPHA_CUTOFFS",
    "KAPPA_LABELS",
    "MIN_GROUPS",
    "MIN_UNITS",
    "WELL_BELOW",
    "alpha_verdict",
    "kappa_label",
    "machine_advice",
    "small_sample_note",
]

#: Krippendorff (2004): (lower bound, verdict), highest first.
ALPHA_CUTOFFS = ((0.800, "reliable"), (0.667, "tentative"), (-math.inf, "not reliable"))
#: Landis & Koch (1977): (lower bound, label), highest first.
KAPPA_LABELS = (
    (0.81, "almost perfect"),
    (0.61, "substantial"),
    (0.41, "moderate"),
    (0.21, "fair"),
    (0.0, "slight"),
    (-math.inf, "poor"),
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
    if alpha is None or math.isnan(alpha):
        return "undefined"
    return next(v for cut, v in ALPHA_CUTOFFS if alpha >= cut)


def kappa_label(kappa: float) -> str:
    """Landis & Koch's (1977) label for a kappa value; ``undefined`` for NaN.

    Examples
    --------
    >>> kappa_label(0.55), kappa_label(0.2), kappa_label(-0.1)
    ('moderate', 'slight', 'poor')
    """
    if kappa is None or math.isnan(kappa):
        return "undefined"
    return next(v for cut, v in KAPPA_LABELS if kappa >= cut)


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
    if verdict == "undefined":
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
    if verdict == "reliable":
        return "reliable (alpha >= 0.800, Krippendorff 2004): its codes can be used, checking a sample"
    if verdict == "tentative":
        return (
            "tentative (0.667 <= alpha < 0.800, Krippendorff 2004): only for tentative conclusions; review its "
            "codes"
        )
    return "not reliable (alpha < 0.667, Krippendorff 2004): use its codes as suggestions for review only"
