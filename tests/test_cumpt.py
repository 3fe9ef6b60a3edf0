"""CumPT on hand-made distributions: ties, beta at 0 and 1, float rounding, renormalisation, calibration."""

import numpy as np
import pytest

from trainers.evaluation.cumpt import DEFAULT_BETAS, CalibrationResult, best_run, calibrate, cumpt_labels, pick_beta, to_tiers

LABELS = [4, 3, 2, 1]
TIERS = {"Good": [4, 3], "Mid": [2], "Bad": [1]}


def one(p, beta, **kw):
    return int(cumpt_labels(np.array([p]), LABELS, beta, **kw)[0])


@pytest.mark.parametrize("beta,expected", [
    (0.25, 4),  # cumulative 0.3 >= 0.25 at the top label
    (0.3, 4),   # exactly reached: ">=" keeps the higher label
    (0.5, 3),   # 0.3 < 0.5 <= 0.3 + 0.3
    (0.6, 3),   # 0.3 + 0.3 == 0.6 exactly
    (0.9, 2),   # 0.3 + 0.3 + 0.3 is 0.8999999999999999 in floats; the 1e-9 tolerance still reaches 0.9
    (0.95, 1),
])
def test_walks_down_until_the_cumulative_reaches_beta(beta, expected):
    assert one([0.3, 0.3, 0.3, 0.1], beta) == expected


def test_tie_at_exactly_beta_picks_the_higher_label():
    assert one([0.5, 0.5, 0.0, 0.0], 0.5) == 4
    assert one([0.5, 0.0, 0.0, 0.5], 0.5) == 4
    assert one([0.5 - 1e-6, 0.5 + 1e-6, 0.0, 0.0], 0.5) == 3  # beyond the tolerance it is a real miss


def test_beta_zero_is_always_the_top_label():
    probs = np.array([[0.0, 0.0, 0.0, 1.0], [0.1, 0.2, 0.3, 0.4], [1.0, 0.0, 0.0, 0.0]])
    assert cumpt_labels(probs, LABELS, 0.0).tolist() == [4, 4, 4]
    assert cumpt_labels(probs, LABELS, 0).tolist() == [4, 4, 4]  # an int works


def test_beta_one_is_the_label_where_the_cumulative_gets_to_one():
    assert one([0.7, 0.3, 0.0, 0.0], 1.0) == 3  # zero mass below 3 is not needed
    assert one([0.1, 0.2, 0.3, 0.4], 1.0) == 1
    assert one([1.0, 0.0, 0.0, 0.0], 1.0) == 4
    # 0.6 + 0.3 + 0.1 == 0.9999999999999999 in floats: still reaches 1 at label 2 (with or without renormalising)
    assert one([0.6, 0.3, 0.1, 0.0], 1.0, renormalize=False) == 2
    assert one([0.6, 0.3, 0.1, 0.0], 1.0) == 2
    # A distribution summing to 1 within 1e-9: the 5e-10 left below label 3 is inside the tolerance
    assert one([0.6, 0.4 - 5e-10, 5e-10, 0.0], 1.0, renormalize=False) == 3
    assert one([0.6, 0.4 - 5e-9, 5e-9, 0.0], 1.0, renormalize=False) == 2  # 5e-9 is outside it


def test_renormalisation_over_label_tokens():
    p = [0.2, 0.1, 0.1, 0.1]  # label tokens hold half of the softmax mass
    assert one(p, 0.5) == 3  # renormalised 0.4, 0.2, ...: cumulative 0.4, 0.6
    assert one(p, 0.5, renormalize=False) == 1  # raw cumulative 0.2, 0.3, 0.4, 0.5
    assert one(p, 0.6, renormalize=False) == 1  # nothing reaches 0.6: the lowest label
    assert one([x * 1e-6 for x in p], 0.5) == 3  # scale does not matter once renormalised


def test_matches_a_plain_loop_on_random_rows():
    rng = np.random.default_rng(7)
    probs = rng.dirichlet([0.5] * 4, size=300)
    for beta in [0.0, 0.1, 0.37, 0.5, 0.8, 1.0]:
        expected = []
        for row in probs:
            cum, pick = 0.0, LABELS[-1]
            for lab, p in zip(LABELS, row):
                cum += p
                if cum >= beta - 1e-9:
                    pick = lab
                    break
            expected.append(pick)
        assert cumpt_labels(probs, LABELS, beta).tolist() == expected


def test_two_labels_at_half_is_argmax():
    probs = np.random.default_rng(0).dirichlet([1, 1], size=100)
    assert cumpt_labels(probs, [1, 0], 0.5).tolist() == np.where(probs[:, 0] >= 0.5, 1, 0).tolist()


@pytest.mark.parametrize("beta", [-0.01, 1.01, float("nan"), True, "0.5", None])
def test_beta_outside_zero_one_is_refused(beta):
    with pytest.raises(ValueError, match="outside \\[0, 1\\]"):
        cumpt_labels(np.array([[1.0, 0, 0, 0]]), LABELS, beta)


@pytest.mark.parametrize("probs,labels,match", [
    ([[0.5, 0.5, 0, 0]], [1, 2, 3, 4], "most to least relevant"),
    ([[0.5, 0.5, 0]], LABELS, r"expected \(N, 4\)"),
    ([[0.5, 0.5, -0.1, 0.1]], LABELS, "row 0 .* negative or non-finite"),
    ([[0.5, 0.5, 0, 0], [0, 0, 0, 0]], LABELS, "row 1 sums to 0"),
])
def test_bad_probs_are_refused(probs, labels, match):
    with pytest.raises(ValueError, match=match):
        cumpt_labels(np.array(probs), labels, 0.5)


def test_to_tiers():
    assert to_tiers([4, 3, 2, 1, None], TIERS) == ["Good", "Good", "Mid", "Bad", None]
    assert to_tiers(np.array([4, 1]), TIERS) == ["Good", "Bad"]
    with pytest.raises(ValueError, match="label 5 .* is in no tier"):
        to_tiers([5], TIERS)


# A dev set where every row is right only for 0.40 < beta <= 0.45 (cumulative sums in the comments).
DEV = np.array([
    [0.45, 0.35, 0.10, 0.10],  # gold 4: 4 needs beta <= 0.45
    [0.35, 0.50, 0.10, 0.05],  # gold 3: 0.35 < beta <= 0.85
    [0.30, 0.10, 0.50, 0.10],  # gold 2: 0.40 < beta <= 0.90
    [0.10, 0.10, 0.20, 0.60],  # gold 1: beta > 0.40
])
DEV_GOLD = [4, 3, 2, 1]


def test_calibrate_finds_the_only_beta_that_gets_everything_right():
    # macro-F1 is 1.0 at 0.45 only (a run of one grid point), so the plateau rule has nothing to choose
    res = calibrate(DEV, DEV_GOLD, LABELS)
    assert isinstance(res, CalibrationResult)
    assert (res.beta, res.score, res.objective, res.n) == (0.45, 1.0, "macro_f1", 4)
    betas = [b for b, _ in res.curve]
    assert betas[0] == 0.0 and betas[-1] == 1.0 and len(betas) == 21 and 0.15 in betas  # exact grid values
    assert dict(res.curve)[0.5] < 1.0  # at 0.5 row 1 drops to label 3
    assert calibrate(DEV * 0.3, DEV_GOLD, LABELS).beta == 0.45  # renormalised: mass outside labels is ignored
    assert res.to_dict()["curve"][0] == [0.0, res.curve[0][1]]
    assert res.to_dict()["n"] == 4


def test_calibrate_good_f1_takes_the_middle_of_the_plateau():
    # Good-F1 only asks 4/3 vs 2/1: right for 0.40 < beta <= 0.80, so the grid points 0.45, 0.50, ..., 0.80 tie
    # (8 points, one run). Even length: the middle pair is 0.60 and 0.65, and 0.60 is the closer to 0.5.
    # (The old rule "closest to 0.5" gave 0.50, one grid step from the drop at 0.40.)
    res = calibrate(DEV, DEV_GOLD, LABELS, objective="good_f1", tiers=TIERS)
    assert best_run(res.curve) == [0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8]
    assert (res.beta, res.score) == (0.6, 1.0)
    with pytest.raises(ValueError, match="needs tiers"):
        calibrate(DEV, DEV_GOLD, LABELS, objective="good_f1")


def test_calibrate_flat_curve_takes_the_middle_of_the_grid():
    flat = np.array([[1.0, 0.0, 0.0, 0.0]])  # label 4 for every beta: one run, the whole grid
    assert calibrate(flat, [4], LABELS).beta == 0.5  # 21 points: the 11th
    # 4 points sorted 0.2, 0.4, 0.6, 0.9: the middle pair 0.4 and 0.6 are equally close to 0.5 -> the smaller
    assert calibrate(flat, [4], LABELS, betas=[0.9, 0.6, 0.4, 0.2]).beta == 0.4


def test_plateau_at_the_edge_of_the_grid_is_not_chosen_at_its_drop():
    # The reviewer's case: 0.0 ... 0.2 tie, 0.25 drops. "Closest to 0.5" picked 0.2, right at the drop.
    curve = [(b / 20, 0.8 if b <= 4 else 0.6) for b in range(21)]
    assert best_run(curve) == [0.0, 0.05, 0.1, 0.15, 0.2]
    assert pick_beta(curve) == 0.1  # 5 points: the 3rd


def test_the_longest_run_wins_then_the_middle_closest_to_half():
    top, low = 1.0, 0.5
    # runs [0.0, 0.05] and [0.6, 0.65, 0.7]: the longer wins, and its middle point is 0.65
    curve = [(0.0, top), (0.05, top), (0.1, low), (0.6, top), (0.65, top), (0.7, top), (0.8, low)]
    assert pick_beta(curve) == 0.65
    # equal lengths: [0.1, 0.2] (middle 0.15) vs [0.6, 0.7] (middle 0.65, closer to 0.5) -> 0.6 (closer of its pair)
    curve = [(0.1, top), (0.2, top), (0.3, low), (0.6, top), (0.7, top), (0.8, low)]
    assert best_run(curve) == [0.6, 0.7] and pick_beta(curve) == 0.6
    # equal lengths, middles 0.3 and 0.7 equally far from 0.5 -> the lower run
    curve = [(0.2, top), (0.4, top), (0.5, low), (0.6, top), (0.8, top)]
    assert best_run(curve) == [0.2, 0.4] and pick_beta(curve) == 0.4
    # adjacency is in the sorted grid, whatever order the curve comes in; scores within 1e-12 tie
    curve = [(0.7, top), (0.1, low), (0.5, top - 1e-13), (0.3, top)]
    assert best_run(curve) == [0.3, 0.5, 0.7] and pick_beta(curve) == 0.5
    assert pick_beta([(0.3, 0.2)]) == 0.3
    with pytest.raises(ValueError, match="curve is empty"):
        pick_beta([])


def test_calibrate_refuses_bad_arguments():
    with pytest.raises(ValueError, match="unknown objective 'f1'; choose one of \\['good_f1', 'macro_f1'\\]"):
        calibrate(DEV, DEV_GOLD, LABELS, objective="f1")
    with pytest.raises(ValueError, match="outside"):
        calibrate(DEV, DEV_GOLD, LABELS, betas=[0.5, 1.5])
    with pytest.raises(ValueError, match="betas is empty"):
        calibrate(DEV, DEV_GOLD, LABELS, betas=[])
    with pytest.raises(ValueError, match="gold has 3 items but probs has 4 rows"):
        calibrate(DEV, DEV_GOLD[:3], LABELS)


def test_default_grid():
    assert DEFAULT_BETAS[0] == 0.05 and DEFAULT_BETAS[-1] == 0.95 and len(DEFAULT_BETAS) == 19


def test_docstring_examples_hold():
    import doctest

    import trainers.evaluation.cumpt

    assert doctest.testmod(trainers.evaluation.cumpt).failed == 0
