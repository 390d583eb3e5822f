"""Agreement coefficients: published values, cross-checks against scikit-learn/statsmodels/krippendorff, bad input."""

from __future__ import annotations

import math
import warnings

import krippendorff
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from irrCAC.raw import CAC
from sklearn.metrics import cohen_kappa_score, f1_score, precision_score, recall_score
from sklearn.preprocessing import MultiLabelBinarizer
from statsmodels.stats import inter_rater

import nlp.agreement.coefficients as ag
from nlp.errors import DataWarning, InputError

# Wikipedia, "Cohen's kappa", worked example: 20 yes/yes, 5 yes/no, 10 no/yes, 15 no/no -> kappa 0.4
WIKI_A = ["yes"] * 25 + ["no"] * 25
WIKI_B = ["yes"] * 20 + ["no"] * 5 + ["yes"] * 10 + ["no"] * 15

# Krippendorff (2011) "Computing Krippendorff's alpha-reliability", section C (nominal data, 4 observers A-D x 12
# units, missing values as None); published alpha = 0.743
_ = None
KRIPP_2011 = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, _, _, _],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, _, 3],
    [_, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, _],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, _],
]

# Wikipedia, "Fleiss' kappa", worked example: 10 subjects, 14 raters, 5 categories -> kappa 0.210
FLEISS_WIKI = [
    [0, 0, 0, 0, 14],
    [0, 2, 6, 4, 2],
    [0, 0, 3, 5, 6],
    [0, 3, 9, 2, 0],
    [2, 2, 8, 1, 1],
    [7, 7, 0, 0, 0],
    [3, 2, 6, 3, 0],
    [2, 5, 3, 2, 2],
    [6, 5, 2, 1, 0],
    [0, 2, 2, 3, 7],
]


def test_published_values():
    assert ag.cohen_kappa(WIKI_A, WIKI_B) == pytest.approx(0.4)
    assert ag.percent_agreement(WIKI_A, WIKI_B) == pytest.approx(0.7)
    assert round(ag.krippendorff_alpha_nominal(KRIPP_2011), 3) == 0.743
    assert round(ag.fleiss_kappa_table(FLEISS_WIKI), 3) == 0.210
    # Scott: pooled p(yes) = 0.55 -> pe = 0.505; AC1: pe = 2 * 0.55 * 0.45 / 1 = 0.495; BP: pe = 1/2
    assert ag.scott_pi(WIKI_A, WIKI_B) == pytest.approx((0.7 - 0.505) / 0.495)
    assert ag.gwet_ac1(WIKI_A, WIKI_B) == pytest.approx((0.7 - 0.495) / 0.505)
    assert ag.brennan_prediger(WIKI_A, WIKI_B) == pytest.approx(0.4)
    assert ag.prevalence_index([x == "yes" for x in WIKI_A], [x == "yes" for x in WIKI_B]) == pytest.approx(
        0.1
    )
    assert ag.bias_index([x == "yes" for x in WIKI_A], [x == "yes" for x in WIKI_B]) == pytest.approx(-0.1)


def test_krippendorff_is_nominal_not_the_packages_interval_default():
    interval = krippendorff.alpha(reliability_data=np.array(KRIPP_2011, dtype=float))
    assert round(interval, 3) != 0.743  # the package default would give a different (wrong for codes) number
    assert round(ag.krippendorff_alpha_nominal(KRIPP_2011), 3) == 0.743


def test_fleiss_matches_statsmodels_on_published_table():
    assert ag.fleiss_kappa_table(FLEISS_WIKI) == pytest.approx(
        inter_rater.fleiss_kappa(np.array(FLEISS_WIKI))
    )


def test_labels_in_doctests_and_table_route_agree():
    out = ag.table_coefficients([[20, 5], [10, 15]])
    direct = ag.pairwise_coefficients(WIKI_A, WIKI_B)
    for key, coef in direct.items():
        assert out[key].value == pytest.approx(coef.value), key


labels = st.sampled_from(["driver", "barrier", "neutral"])
pairs = st.integers(2, 60).flatmap(
    lambda n: st.tuples(st.lists(labels, min_size=n, max_size=n), st.lists(labels, min_size=n, max_size=n))
)


@settings(max_examples=60, deadline=None)
@given(pairs)
def test_two_coder_coefficients_match_reference_implementations(ab):
    a, b = ab
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sk = cohen_kappa_score(a, b)
        ours = ag.cohen_kappa(a, b)
        if math.isnan(ours):
            assert len(set(a) | set(b)) == 1
        else:
            assert ours == pytest.approx(sk, abs=1e-9)
        cats = sorted(set(a) | set(b))
        table = np.array([[sum(x == r and y == c for x, y in zip(a, b)) for c in cats] for r in cats])
        if len(cats) > 1:
            assert ag.cohen_kappa(a, b) == pytest.approx(inter_rater.cohens_kappa(table).kappa, abs=1e-9)
        agg, _ = inter_rater.aggregate_raters(np.array([a, b]).T)
        # Fleiss' kappa of two coders is Scott's pi; Randolph's free-marginal kappa is Brennan-Prediger
        sm_fleiss = inter_rater.fleiss_kappa(agg)
        if not math.isnan(ag.scott_pi(a, b)):
            assert ag.scott_pi(a, b) == pytest.approx(sm_fleiss, abs=1e-9)
        if len(cats) > 1:
            assert ag.brennan_prediger(a, b) == pytest.approx(
                inter_rater.fleiss_kappa(agg, method="randolph"), abs=1e-9
            )
        ka = ag.krippendorff_alpha_nominal([a, b])
        if not math.isnan(ka):
            idx = {x: i for i, x in enumerate(cats)}
            pkg = krippendorff.alpha(
                reliability_data=np.array([[idx[x] for x in a], [idx[x] for x in b]], float),
                level_of_measurement="nominal",
            )
            assert ka == pytest.approx(pkg, abs=1e-9)
            # closed form on the contingency table gives the same alpha as the package
            assert ag.table_coefficients(table)["krippendorff_alpha"].value == pytest.approx(pkg, abs=1e-9)


@settings(max_examples=40, deadline=None)
@given(
    st.integers(3, 25).flatmap(
        lambda n: st.lists(st.lists(st.sampled_from("abc"), min_size=n, max_size=n), min_size=3, max_size=5)
    )
)
def test_fleiss_and_alpha_many_coders_match_packages(rows):
    ratings = list(map(list, zip(*rows)))  # units x coders
    agg, _ = inter_rater.aggregate_raters(np.array(ratings))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours = ag.fleiss_kappa(ratings)
        if not math.isnan(ours):
            assert ours == pytest.approx(inter_rater.fleiss_kappa(agg), abs=1e-9)
            idx = {x: i for i, x in enumerate(sorted({x for r in rows for x in r}))}
            pkg = krippendorff.alpha(
                reliability_data=np.array([[idx[x] for x in r] for r in rows], float),
                level_of_measurement="nominal",
            )
            assert ag.krippendorff_alpha_nominal(rows) == pytest.approx(pkg, abs=1e-9)


@settings(max_examples=40, deadline=None)
@given(
    st.integers(1, 30).flatmap(
        lambda n: st.tuples(
            st.lists(st.sets(st.sampled_from(["tillit", "nettverk", "konkurranse"])), min_size=n, max_size=n),
            st.lists(st.sets(st.sampled_from(["tillit", "nettverk", "konkurranse"])), min_size=n, max_size=n),
        )
    )
)
def test_precision_recall_f1_match_sklearn(refoth):
    ref, oth = refoth
    r = ag.precision_recall_f1(ref, oth)
    used = sorted(set().union(*ref, *oth))
    if not used:
        assert math.isnan(r.micro_f1)
        return
    mlb = MultiLabelBinarizer(classes=used).fit([used])
    y, p = mlb.transform(ref), mlb.transform(oth)
    if len(used) == 1:  # sklearn reads one column as a binary (not multilabel) target: check by counting
        tp, fp, fn = int((y & p).sum()), int((p & ~y.astype(bool)).sum()), int((y & ~p.astype(bool)).sum())
        assert r.micro_f1 == pytest.approx(2 * tp / (2 * tp + fp + fn)) == pytest.approx(r.macro_f1)
        return
    assert r.micro_f1 == pytest.approx(f1_score(y, p, average="micro", zero_division=0))
    assert r.macro_f1 == pytest.approx(f1_score(y, p, average="macro", zero_division=0))
    if p.sum():
        assert r.micro_precision == pytest.approx(precision_score(y, p, average="micro"))
    if y.sum():
        assert r.micro_recall == pytest.approx(recall_score(y, p, average="micro"))


def test_single_category_is_nan_with_reason_never_a_number():
    with pytest.warns(DataWarning, match="one and the same single category"):
        assert math.isnan(ag.cohen_kappa(["driver"] * 5, ["driver"] * 5))
    with pytest.warns(DataWarning, match="only one category"):
        assert math.isnan(ag.gwet_ac1(["ja"] * 3, ["ja"] * 3))
    # with the full category list AC1 and Brennan-Prediger are defined (that is their point)
    assert ag.gwet_ac1(["ja"] * 3, ["ja"] * 3, labels=["ja", "nei"]) == 1.0
    out = ag.pairwise_coefficients(["ja"] * 3, ["ja"] * 3)
    assert out["percent_agreement"].value == 1.0
    for key in ("cohen_kappa", "scott_pi", "krippendorff_alpha"):
        assert math.isnan(out[key].value) and "undefined" in out[key].reason


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: ag.cohen_kappa(["a", "b"], ["a"]), "different numbers of units"),
        (lambda: ag.cohen_kappa(["a", None], ["a", "b"]), "missing labels at units \\[1\\]"),
        (lambda: ag.cohen_kappa(["a", "x"], ["a", "b"], labels=["a", "b"]), "'x'"),
        (lambda: ag.fleiss_kappa([["a", "b"], ["a", None]]), "missing"),
        (lambda: ag.fleiss_kappa_table([[2, 0], [1, 0]]), "same number"),
        (lambda: ag.krippendorff_alpha_nominal([[1, 2, 3], [1, 2]]), "different numbers of units"),
        (lambda: ag.precision_recall_f1([{"a"}], []), "different numbers of units"),
        (lambda: ag.confusion_matrix(["driver"], ["positiv"], labels=["driver", "barrier"]), "positiv"),
    ],
)
def test_bad_input_raises_clear_errors(call, match):
    with pytest.raises(InputError, match=match):
        call()


def test_confusion_and_paradox():
    cm = ag.confusion_matrix(WIKI_A, WIKI_B, labels=["yes", "no"])
    assert cm.tolist() == [[20, 5], [10, 15]]
    # 92 % agreement on a rare code, kappa 0.16 -> warning; AC1 stays high
    a = [True] * 5 + [False] * 95
    b = [True] + [False] * 4 + [True] * 4 + [False] * 91
    k = ag.cohen_kappa(a, b)
    assert k == pytest.approx((0.92 - 0.905) / 0.095)
    pi, bi = ag.prevalence_index(a, b), ag.bias_index(a, b)
    assert "kappa is 0.16" in ag.kappa_paradox(ag.percent_agreement(a, b), k, prevalence=pi, bias=bi)
    # with F1 (1 of 9 units where either coder used the code) the warning says the disagreement is also real
    w = ag.kappa_paradox(ag.percent_agreement(a, b), k, prevalence=pi, bias=bi, positive_agreement=0.2)
    assert "very rare" in w and "(F1) is only 0.20, so the low kappa is also real disagreement" in w
    assert ag.gwet_ac1(a, b) > 0.9
    assert ag.kappa_paradox(0.7, 0.4, prevalence=pi, bias=bi) is None


def test_paradox_warning_only_when_prevalence_or_bias_explains_the_gap():
    # the case: a code on 15 % of units, F1 0.44 -> 83 % agreement, kappa 0.34: real disagreement, no warning
    a = [True] * 66 + [True] * 84 + [False] * 84 + [False] * 766
    b = [True] * 66 + [False] * 84 + [True] * 84 + [False] * 766
    f1 = ag.precision_recall_f1(
        [{"x"} if x else set() for x in a], [{"x"} if x else set() for x in b]
    ).micro_f1
    po, k = ag.percent_agreement(a, b), ag.cohen_kappa(a, b)
    assert f1 == pytest.approx(0.44) and po > 0.8 and k < 0.4
    assert ag.kappa_paradox(po, k, prevalence=ag.prevalence_index(a, b), bias=ag.bias_index(a, b)) is None
    # bias: one coder uses the code on 25 %, the other on 6 %, all inside the first one's -> kappa capped at 0.32
    a = [True] * 25 + [False] * 75
    b = [True] * 6 + [False] * 94
    po, k = ag.percent_agreement(a, b), ag.cohen_kappa(a, b)
    w = ag.kappa_paradox(po, k, prevalence=ag.prevalence_index(a, b), bias=ag.bias_index(a, b))
    assert w is not None and "different rates" in w and "caps kappa at 0.32" in w and "rare" not in w
    # a cap that kappa stays far below does not explain it: 82 % agreement, kappa 0.03, cap 0.39 -> no warning
    assert ag.kappa_paradox(0.82, 0.03, prevalence=-0.7, bias=-0.11) is None


def test_multi_coder_coefficients_match_irrcac_on_krippendorff_2011():
    data = np.array([[np.nan if x is None else x for x in row] for row in KRIPP_2011], dtype=float)
    cac = CAC(pd.DataFrame(data.T), digits=12)
    ours = ag.multi_coder_coefficients(KRIPP_2011)
    for key, method in (
        ("gwet_ac1", "gwet"),
        ("brennan_prediger", "bp"),
        ("conger_kappa", "conger"),
        ("krippendorff_alpha", "krippendorff"),
    ):
        theirs = getattr(cac, method)()["est"]
        assert ours[key].value == pytest.approx(theirs["coefficient_value"], abs=1e-9), key
    assert ours["percent_agreement"].value == pytest.approx(cac.gwet()["est"]["pa"], abs=1e-9)
    # published (Gwet 2014, Krippendorff 2011): AC1 0.7754, BP 0.7727, Conger 0.7621, alpha 0.743
    assert [round(ours[k].value, 4) for k in ("gwet_ac1", "brennan_prediger", "conger_kappa")] == [
        0.7754,
        0.7727,
        0.7621,
    ]
    assert round(ours["krippendorff_alpha"].value, 3) == 0.743
    # Fleiss' kappa is on the units every coder coded: irrCAC on those 8 units
    complete = data.T[~np.isnan(data.T).any(1)]
    assert len(complete) == 8
    assert ours["fleiss_kappa"].value == pytest.approx(
        CAC(pd.DataFrame(complete), digits=12).fleiss()["est"]["coefficient_value"], abs=1e-9
    )


@settings(max_examples=40, deadline=None)
@given(
    st.integers(3, 20).flatmap(
        lambda n: st.lists(
            st.lists(st.sampled_from(["a", "b", "c", None]), min_size=n, max_size=n), min_size=3, max_size=5
        )
    )
)
def test_multi_coder_coefficients_match_irrcac_with_missing_values(rows):
    idx = {"a": 1.0, "b": 2.0, "c": 3.0}
    data = np.array([[np.nan if x is None else idx[x] for x in r] for r in rows]).T
    data = data[~np.isnan(data).all(1)]
    pairable = (~np.isnan(data)).sum(1) >= 2
    values = set(data[pairable][~np.isnan(data[pairable])].tolist())
    rated = (~np.isnan(data)).any(0)
    if (
        len(data) < 2
        or pairable.sum() < 2
        or len(values) < 2
        or not rated.all()
        or len(set(data[~np.isnan(data)].tolist())) < 2
    ):
        return  # irrCAC divides by zero on these; ours says undefined (tested in the doctests)
    ours = ag.multi_coder_coefficients(rows)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cac = CAC(pd.DataFrame(data), digits=12)
        for key, method in (
            ("gwet_ac1", "gwet"),
            ("brennan_prediger", "bp"),
            ("conger_kappa", "conger"),
            ("krippendorff_alpha", "krippendorff"),
        ):
            theirs = getattr(cac, method)()["est"]["coefficient_value"]
            if not math.isnan(ours[key].value):
                assert ours[key].value == pytest.approx(theirs, abs=1e-9), key


def test_multi_coder_undefined_cases_say_why():
    out = ag.multi_coder_coefficients([["a", None, "b"], [None, "a", None]])
    assert all(math.isnan(c.value) and "no unit was coded by two coders" in c.reason for c in out.values())
    out = ag.multi_coder_coefficients([["a", "b", "a"], ["a", "b", "b"], [None, None, None]])
    assert math.isnan(out["conger_kappa"].value) and "coder 3 coded no unit" in out["conger_kappa"].reason
    assert math.isnan(out["fleiss_kappa"].value) and "every coder" in out["fleiss_kappa"].reason
    assert out["gwet_ac1"].value == pytest.approx(ag.gwet_ac1(["a", "b", "a"], ["a", "b", "b"]))


@pytest.mark.parametrize(
    "machine, second, low, start",
    [
        (0.85, 0.6, None, "reliable (alpha >= 0.800"),  # reliable stays reliable, whatever the second coder
        (0.70, 0.72, 0.6, "tentative"),  # inside the second coder's interval
        (0.70, 0.90, 0.85, "well below the second coder"),  # below the second coder's interval
        (0.50, 0.70, None, "well below the second coder"),  # no interval: 0.2 lower
        (0.50, 0.55, None, "not reliable, and neither"),  # the code itself is unreliable
        (0.50, None, None, "not reliable (alpha < 0.667"),
        (float("nan"), 0.7, None, "cannot be judged"),
    ],
)
def test_machine_advice(machine, second, low, start):
    from nlp.agreement.verdicts import machine_advice

    assert machine_advice(machine, second_alpha=second, second_ci_low=low).startswith(start)


def test_the_use_scale_groups_landis_and_koch_bands_and_scales_must_be_ordered():
    from nlp.agreement.verdicts import KAPPA_SCALE, USE_SCALE, Scale

    # a code's use/suggestion/do-not-use verdict never cuts a Landis & Koch band in two
    assert {cut for cut, _ in USE_SCALE.cutoffs} <= {cut for cut, _ in KAPPA_SCALE.cutoffs}
    kappas = (-0.5, 0.0, 0.2, 0.21, 0.4, 0.41, 0.6, 0.61, 0.8, 0.81, 1.0)
    verdicts_per_band: dict[str, set[str]] = {}
    for kappa in kappas:
        verdicts_per_band.setdefault(KAPPA_SCALE(kappa), set()).add(USE_SCALE(kappa))
    assert all(len(v) == 1 for v in verdicts_per_band.values()) and len(verdicts_per_band) == 6
    with pytest.raises(ValueError, match="highest down to -inf"):
        Scale("kappa", "nobody", ((0.2, "low"), (0.6, "high"), (-math.inf, "none")))
    with pytest.raises(ValueError, match="highest down to -inf"):
        Scale("kappa", "nobody", ((0.6, "high"), (0.2, "low")))
