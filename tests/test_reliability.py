"""Reliability statistics against ../shared/reliability/REFERENCE.md (section numbers cited) and by hand."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import mcqual as mq
from mcqual.analysis import reliability as rel
from mcqual.errors import AnalysisError

N = None

# REFERENCE.md 1.1: Krippendorff (2011) / (2004, p. 230), 4 coders x 12 units
K2011 = [[1, 2, 3, 3, 2, 1, 4, 1, 2, N, N, N],
         [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, N, 3],
         [N, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, N],
         [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, N]]

# REFERENCE.md 1.2: Wikipedia computational example, 3 coders x 15 units
WIKI = [[N, N, N, N, N, 3, 4, 1, 2, 1, 1, 3, 3, N, 3],
        [1, N, 2, 1, 3, 3, 4, 3, N, N, N, N, N, N, N],
        [N, N, 2, 1, 3, 4, 4, N, 2, 1, 1, 3, 3, N, 4]]

# REFERENCE.md 2.1: Cohen (1960) p. 45
COHEN = [[88, 14, 18], [10, 40, 10], [2, 6, 12]]

# REFERENCE.md 3.1: Fleiss worked example
FLEISS = [[0, 0, 0, 0, 14], [0, 2, 6, 4, 2], [0, 0, 3, 5, 6], [0, 3, 9, 2, 0], [2, 2, 8, 1, 1],
          [7, 7, 0, 0, 0], [3, 2, 6, 3, 0], [2, 5, 3, 2, 2], [6, 5, 2, 1, 0], [0, 2, 2, 3, 7]]
FLEISS_PI = [1.000, 0.253, 0.308, 0.440, 0.330, 0.462, 0.242, 0.176, 0.286, 0.286]


def test_public_module():
    assert mq.reliability is rel


@pytest.mark.parametrize("level,published,verified", [
    ("nominal", 0.743, 0.7434), ("ordinal", 0.815, 0.8154), ("interval", 0.849, 0.8491), ("ratio", 0.797, 0.7974)])
def test_alpha_krippendorff_2011(level, published, verified):  # REFERENCE 1.1
    a = rel.krippendorff_alpha(K2011, level)
    assert round(a, 3) == published
    assert round(a, 4) == verified


def test_alpha_2011_disagreements():  # REFERENCE 1.1: Do, De, % agreement
    nom = rel.krippendorff_alpha(K2011, "nominal", details=True)
    assert round(nom["Do"], 3) == 0.200 and round(nom["De"], 3) == 0.779
    inter = rel.krippendorff_alpha(K2011, "interval", details=True)
    assert round(inter["Do"], 3) == 0.433 and round(inter["De"], 3) == 2.872
    assert round(rel.percent_agreement(K2011), 3) == 0.800


def test_alpha_lone_value_position_does_not_matter():  # REFERENCE 1.1 note on unit 12
    moved = [row[:] for row in K2011]
    moved[1][11], moved[2][11] = N, 3
    assert rel.krippendorff_alpha(moved) == pytest.approx(rel.krippendorff_alpha(K2011))


def test_alpha_wikipedia():  # REFERENCE 1.2
    assert round(rel.krippendorff_alpha(WIKI, "nominal"), 6) == 0.691358
    assert round(rel.krippendorff_alpha(WIKI, "interval"), 6) == 0.810845


def test_alpha_accepts_dataframe_nan_and_strings():
    df = pd.DataFrame(WIKI, dtype=float)  # NaN for missing
    assert rel.krippendorff_alpha(df) == pytest.approx(0.691358, abs=1e-6)
    labels = [[{1: "B", 2: "L", 3: "P", 4: "C", 5: "F"}.get(v) for v in row] for row in K2011]
    assert rel.krippendorff_alpha(labels) == pytest.approx(0.7434, abs=1e-4)


def test_alpha_perfect_and_errors():
    assert rel.krippendorff_alpha([[1, 2, 3], [1, 2, 3]]) == 1.0
    with pytest.raises(AnalysisError) as e:
        rel.krippendorff_alpha([[1, N], [N, 2]])
    assert e.value.code == "E502"
    with pytest.raises(AnalysisError):
        rel.krippendorff_alpha(K2011, level="nominalish")
    with pytest.raises(AnalysisError):
        rel.krippendorff_alpha([["a", "b"], ["a", "c"]], level="interval")


def test_alpha_ci_bootstrap():
    ci = rel.krippendorff_alpha_ci(K2011, n_boot=500, seed=3)
    assert ci.alpha == pytest.approx(0.7434, abs=1e-4)
    assert ci.low < ci.alpha < ci.high <= 1.0
    again = rel.krippendorff_alpha_ci(K2011, n_boot=500, seed=3)
    assert (again.low, again.high) == (ci.low, ci.high)
    assert 0 <= ci.p_below[0.8] <= 1
    # a resample of identical units has the original alpha: with perfect data the interval is [1, 1]
    perfect = rel.krippendorff_alpha_ci([[1, 2, 3, 1], [1, 2, 3, 1]], n_boot=50, seed=0)
    assert (perfect.low, perfect.high) == (1.0, 1.0)


def test_alpha_ci_matches_loop_bootstrap_for_ordinal():
    """The vectorised resample equals recomputing alpha on the resampled columns."""
    data = np.array(K2011, dtype=object)
    ci = rel.krippendorff_alpha_ci(K2011, "ordinal", n_boot=30, seed=7, confidence=0.5)
    rng = np.random.default_rng(7)
    pairable = [u for u in range(12) if sum(v is not None for v in data[:, u]) >= 2]
    alphas = []
    for _ in range(30):
        w = np.zeros((1, len(pairable)))
        idx = rng.integers(0, len(pairable), size=(1, len(pairable)))
        np.add.at(w, (np.zeros(len(pairable), dtype=int), idx.ravel()), 1.0)
        cols = [pairable[i] for i in idx.ravel()]
        alphas.append(rel.krippendorff_alpha(data[:, cols], "ordinal"))
    assert ci.low == pytest.approx(np.quantile(alphas, 0.25))
    assert ci.high == pytest.approx(np.quantile(alphas, 0.75))


def test_cohen_1960():  # REFERENCE 2.1
    d = rel.cohen_kappa(COHEN, details=True)
    assert round(d["po"], 2) == 0.70 and round(d["pe"], 2) == 0.41
    assert round(d["kappa"], 3) == 0.492 and round(d["kappa"], 4) == 0.4915
    assert round(d["kappa_max"], 3) == 0.831


def test_cohen_1960_p37_table():  # REFERENCE 2.1, computed value for the p. 37 table
    d = rel.cohen_kappa([[25, 12, 3], [13, 2, 15], [12, 16, 2]], details=True)
    assert round(d["po"], 2) == 0.29 and round(d["pe"], 2) == 0.35
    assert d["kappa"] == pytest.approx(-0.092, abs=5e-4)


def test_cohen_from_labels_equals_table():
    a = ["r1"] * 120 + ["r2"] * 60 + ["r3"] * 20
    b = (["c1"] * 88 + ["c2"] * 14 + ["c3"] * 18 + ["c1"] * 10 + ["c2"] * 40 + ["c3"] * 10
         + ["c1"] * 2 + ["c2"] * 6 + ["c3"] * 12)
    a = [x.replace("r", "k") for x in a]
    b = [x.replace("c", "k") for x in b]
    assert rel.cohen_kappa(a, b) == pytest.approx(0.4915, abs=1e-4)
    assert rel.cohen_kappa(a + [None], b + ["k1"]) == pytest.approx(0.4915, abs=1e-4)  # missing dropped


def test_weighted_kappa_by_hand():
    # 3 ordered categories, table [[2,1,0],[0,2,1],[0,0,4]], N = 10
    t = np.array([[2, 1, 0], [0, 2, 1], [0, 0, 4]])
    rows, cols = t.sum(1) / 10, t.sum(0) / 10           # (.3,.3,.4), (.2,.3,.5)
    e = np.outer(rows, cols)
    lin = np.array([[0, .5, 1], [.5, 0, .5], [1, .5, 0]])
    expect_lin = 1 - (lin * t / 10).sum() / (lin * e).sum()   # observed 0.1; expected .045+.15+.03+.075+.08+.06 = 0.44
    assert rel.cohen_kappa(t, weights="linear") == pytest.approx(expect_lin)
    assert rel.cohen_kappa(t, weights="linear") == pytest.approx(1 - 0.1 / 0.44)
    assert rel.cohen_kappa(t, weights="quadratic") == pytest.approx(1 - 0.05 / 0.335)
    from sklearn.metrics import cohen_kappa_score
    rng = np.random.default_rng(0)
    a = rng.integers(0, 5, 80)
    b = np.clip(a + rng.integers(-1, 2, 80), 0, 4)
    for w in (None, "linear", "quadratic"):
        assert rel.cohen_kappa(a, b, weights=w) == pytest.approx(cohen_kappa_score(a, b, weights=w))


def test_scott_pi_and_bennett_s_by_hand():
    # Cohen 1960 table: pooled marginals (.55, .30, .15) -> pe = .415; pi = (.7 - .415) / .585
    assert rel.scott_pi(COHEN) == pytest.approx((0.7 - 0.415) / 0.585)
    assert rel.bennett_s(COHEN) == pytest.approx((0.7 - 1 / 3) / (2 / 3))
    assert rel.bennett_s(COHEN, n_categories=4) == pytest.approx((0.7 - 0.25) / 0.75)
    # two coders, nominal alpha ~ Scott's pi (alpha = 1 - (n - 1)/n * (1 - pi)... equal as N grows)
    a = [1, 1, 2, 2, 3, 3, 1, 2] * 50
    b = [1, 2, 2, 2, 3, 1, 1, 2] * 50
    n = 2 * len(a)
    pi = rel.scott_pi(a, b)
    alpha = rel.krippendorff_alpha([a, b])
    assert alpha == pytest.approx(1 - (n - 1) / n * (1 - pi))


def test_percent_agreement_two_coders():
    assert rel.percent_agreement([1, 2, 3, 4], [1, 2, 3, 5]) == 0.75
    with pytest.raises(AnalysisError):
        rel.percent_agreement([1, 2], [1])


def test_fleiss_wikipedia():  # REFERENCE 3.1
    d = rel.fleiss_kappa(FLEISS, details=True)
    assert round(d["kappa"], 3) == 0.210 and round(d["kappa"], 4) == 0.2099
    assert round(d["P_bar"], 3) == 0.378 and round(d["P_e"], 4) == 0.2128
    assert np.round(d["P_i"], 3).tolist() == FLEISS_PI
    with pytest.raises(AnalysisError):
        rel.fleiss_kappa([[1, 1], [2, 1]])


def test_unitized_alpha_by_hand():
    """L = 10, coder A marks [2, 6), coder B [3, 6).

    Sections: A gap 2 | unit 4 | gap 4;  B gap 3 | unit 3 | gap 4.
    Do: only the two overlapping units differ: (2-3)^2 + (6-6)^2 = 1; Do = 2 * 1 / (2 * 1 * 10^2) = 0.01.
    De: N = 2 units (l = 4, 3), gaps 4, 4, 3, 2.
        l=4: (2-1)(2*64 - 3*16 + 4)/3 = 28; gaps >= 4: (4-4+1)*2 = 2, * 16 = 32 -> 60
        l=3: (2*27 - 27 + 3)/3 = 10; gaps >= 3: 2 + 2 + 1 = 5, * 9 = 45 -> 55
        De = 2/10 * 115 / (2*10*(2*10 - 1) - (4*3 + 3*2)) = 23 / 362
    alpha = 1 - 0.01 / (23/362) = 0.842609
    """
    d = rel.unitized_alpha({"A": [(2, 6)], "B": [(3, 6)]}, length=10, details=True)
    assert d["Do"] == pytest.approx(0.01)
    assert d["De"] == pytest.approx(23 / 362)
    assert d["alpha"] == pytest.approx(1 - 0.01 * 362 / 23)
    # identical unitizing: perfect; a coder without units: one long gap
    assert rel.unitized_alpha({"A": [(2, 6)], "B": [(2, 6)]}, length=10) == 1.0
    only_a = rel.unitized_alpha({"A": [(2, 6)]}, length=10, coders=["A", "B"], details=True)
    assert only_a["Do"] == pytest.approx(2 * 16 / (2 * 100))  # the unit lies inside B's gap: l^2 = 16


def test_unitized_alpha_krippendorff_2004_example():
    """Krippendorff (2004, Quality & Quantity 38) sample study, as in DKPro Statistics' tests:
    continuum [150, 450); Do_c = 0.0144, De_c = 0.0532, alpha_c = 0.7285; category k identical."""
    c = rel.unitized_alpha({"i": [(225, 295), (370, 400)], "j": [(220, 300), (355, 375), (400, 420)]},
                           begin=150, length=300, details=True)
    assert round(c["Do"], 4) == 0.0144 and round(c["De"], 4) == 0.0532
    assert c["alpha"] == pytest.approx(0.7285, abs=1e-4)  # DKPro's tolerance
    k = rel.unitized_alpha({"i": [(180, 240), (300, 350)], "j": [(180, 240), (300, 350)]},
                           begin=150, length=300, details=True)
    assert k["alpha"] == 1.0 and round(k["De"], 4) == 0.0490


def test_unitized_alpha_merges_and_validates():
    split = rel.unitized_alpha({"A": [(2, 4), (3, 6)], "B": [(3, 6)]}, length=10)
    assert split == pytest.approx(rel.unitized_alpha({"A": [(2, 6)], "B": [(3, 6)]}, length=10))
    frame = pd.DataFrame({"coder": ["A", "B"], "start": [2, 3], "end": [6, 6]})
    assert rel.unitized_alpha(frame, length=10) == pytest.approx(split)
    with pytest.raises(AnalysisError):
        rel.unitized_alpha({"A": [(2, 12)], "B": []}, length=10)
    with pytest.raises(AnalysisError):
        rel.unitized_alpha({"A": [(2, 6)]}, length=10)


def test_alpha_is_fast_on_large_data():
    import time

    rng = np.random.default_rng(0)
    data = rng.integers(0, 5, size=(4, 50_000)).astype(float)
    data[rng.random(data.shape) < 0.1] = np.nan
    t0 = time.perf_counter()
    a = rel.krippendorff_alpha(data)
    assert time.perf_counter() - t0 < 2.0
    assert abs(a) < 0.05  # random codes: chance agreement
    assert not math.isnan(a)


def _naive_alpha(data, metric):
    """Textbook pairwise form: 1 - (n - 1) * sum_u sum_{i != j in u} d / (m_u - 1) / sum_{i != j} d."""
    values = [[v for v in col if v is not None] for col in zip(*data)]
    values = [u for u in values if len(u) >= 2]
    pooled = [v for u in values for v in u]
    n = len(pooled)
    within = sum(sum(metric(a, b) for i, a in enumerate(u) for j, b in enumerate(u) if i != j) / (len(u) - 1)
                 for u in values)
    total = sum(metric(a, b) for i, a in enumerate(pooled) for j, b in enumerate(pooled) if i != j)
    return 1 - (n - 1) * within / total


def test_alpha_equals_pairwise_definition_on_random_data():
    hypothesis = pytest.importorskip("hypothesis")
    from hypothesis import given, settings
    from hypothesis import strategies as st

    cell = st.one_of(st.none(), st.integers(1, 4))

    @settings(max_examples=60, deadline=None)
    @given(st.integers(2, 4).flatmap(lambda m: st.lists(st.lists(cell, min_size=6, max_size=6), min_size=m,
                                                          max_size=m)))
    def check(data):
        pooled = [v for col in zip(*data) if sum(v is not None for v in col) >= 2 for v in col if v is not None]
        if len(set(pooled)) < 2:
            return  # no variation: alpha undefined
        nominal = _naive_alpha(data, lambda a, b: float(a != b))
        interval = _naive_alpha(data, lambda a, b: float(a - b) ** 2)
        assert rel.krippendorff_alpha(data, "nominal") == pytest.approx(nominal)
        assert rel.krippendorff_alpha(data, "interval") == pytest.approx(interval)

    assert hypothesis is not None
    check()
