"""ROC AUC and Harrell's C against brute-force, sklearn, lifelines and published values."""

import doctest
import itertools

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from riskml.evaluation import _discrimination, concordance_index, roc_auc
from riskml.evaluation._discrimination import _concordance_pairs, _ConcordanceKernel


# -- brute-force references (O(n^2), written from the definitions) --------------------
def brute_force_auc(y, s):
    """P(score of an event > score of a non-event) + P(equal) / 2 over all pairs."""
    pos, neg = s[y == 1], s[y == 0]
    wins = sum(float(a > b) + 0.5 * float(a == b) for a in pos for b in neg)
    return wins / (len(pos) * len(neg))


def brute_force_pairs(time, event, risk):
    """R survival's concordance(reverse=TRUE) counts, pair by pair.

    For each unordered pair: the patient with the shorter time must have had the
    event; at equal times an event and a censoring are comparable (the censored one
    outlived the event) and two events are not (R's tied.y). Concordant when the
    earlier event has the higher risk; equal risks are tied.x.
    """
    concordant = discordant = tied = comparable = 0
    for i, j in itertools.combinations(range(len(time)), 2):
        if time[i] == time[j]:
            if event[i] == event[j]:
                continue  # two events (tied.y) or two censorings: not comparable
            early, late = (i, j) if event[i] else (j, i)
        else:
            early, late = (i, j) if time[i] < time[j] else (j, i)
            if not event[early]:
                continue
        comparable += 1
        if risk[early] > risk[late]:
            concordant += 1
        elif risk[early] == risk[late]:
            tied += 1
        else:
            discordant += 1
    return concordant, discordant, tied, comparable


def random_survival(seed, n, n_times, n_risks):
    """Random data with tied times (n_times distinct), tied risks and censoring."""
    rng = np.random.default_rng(seed)
    time = rng.integers(1, n_times + 1, n).astype(float)
    event = rng.random(n) < 0.5
    event[0] = True
    risk = rng.integers(0, n_risks, n) / 7.0
    return time, event, risk


# -- ROC AUC --------------------------------------------------------------------------
@pytest.mark.parametrize(
    "seed,n,levels",
    [(0, 30, 4), (1, 200, 10), (2, 500, 1000)],
    ids=["n30-heavy-ties", "n200-ties", "n500-few-ties"],
)
def test_roc_auc_matches_sklearn_and_brute_force(seed, n, levels):
    """Oracles: sklearn.metrics.roc_auc_score and a brute-force O(n^2) pair count."""
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < 0.3).astype(int)
    y[:2] = [0, 1]
    s = rng.integers(0, levels, n) + y * rng.integers(0, 3, n)
    assert roc_auc(y, s) == pytest.approx(roc_auc_score(y, s), abs=1e-12)
    assert roc_auc(y, s) == pytest.approx(brute_force_auc(y, s), abs=1e-12)


def test_roc_auc_hanley_mcneil_1982_rating_data():
    """Oracle: Hanley & McNeil, Radiology 1982;143:29, Table 1 CT ratings (area 0.8932).

    58 normal and 51 abnormal images rated 1-5. Checked by brute force here: the
    trapezoidal area with ties 1/2 is 1321/1479 = 0.893171, i.e. 0.8932 as published.
    """
    normal = (33, 6, 6, 11, 2)
    abnormal = (3, 2, 2, 11, 33)
    ratings = np.arange(1, 6)
    y = np.r_[np.zeros(sum(normal)), np.ones(sum(abnormal))]
    s = np.r_[np.repeat(ratings, normal), np.repeat(ratings, abnormal)]
    assert roc_auc(y, s) == pytest.approx(0.8932, abs=1e-4)
    assert roc_auc(y, s) == pytest.approx(1321 / 1479, abs=1e-12)


def test_roc_auc_accepts_bool_labels_and_list_input():
    """Oracle: hand count; events 0.35, 0.8 against non-events 0.1, 0.4 win 3 of 4 pairs."""
    assert roc_auc([False, False, True, True], [0.1, 0.4, 0.35, 0.8]) == 0.75


@pytest.mark.parametrize(
    "y,s,error,match",
    [
        (
            [1, 1, 1],
            [0.1, 0.2, 0.3],
            ValueError,
            r"undefined when y_true holds one class only; got 3 event",
        ),
        (
            [0, 1, 0],
            [0.1, np.nan, np.nan],
            ValueError,
            r"has 2 NaN value\(s\) \(first positions \[1, 2\]\)",
        ),
        (
            [0, 1],
            [0.1, 0.2, 0.3],
            ValueError,
            r"one value per patient; got lengths y_true=2, y_score=3",
        ),
        ([0, 1], ["a", "b"], TypeError, r"y_score of roc_auc must be numeric"),
        ([0, 1], [[0.1], [0.2]], ValueError, r"y_score of roc_auc must be one-dimensional"),
        ([0, 2], [0.1, 0.2], ValueError, r"y_true of roc_auc must hold only 0 and 1"),
    ],
    ids=["one-class", "nan-score", "lengths", "non-numeric", "2-d", "label-2"],
)
def test_roc_auc_input_errors(y, s, error, match):
    """Every message of roc_auc's input checks (no oracle: error contract)."""
    with pytest.raises(error, match=match):
        roc_auc(y, s)


# -- Harrell's C ----------------------------------------------------------------------
@pytest.mark.parametrize(
    "seed,n,n_times,n_risks",
    [(0, 40, 5, 4), (1, 60, 60, 3), (2, 80, 6, 80), (3, 300, 40, 300), (4, 2, 1, 1), (5, 25, 1, 5)],
    ids=["ties-both", "risk-ties", "time-ties", "n300-9-bits", "n2", "one-time"],
)
def test_concordance_matches_brute_force(seed, n, n_times, n_risks):
    """Oracle: brute-force O(n^2) pair count implementing R survival's convention."""
    time, event, risk = random_survival(seed, n, n_times, n_risks)
    expected = brute_force_pairs(time, event, risk)
    assert _concordance_pairs(time, event, risk) == expected
    concordant, _, tied, comparable = expected
    if comparable:
        c = concordance_index(time, event, risk)
        assert c == pytest.approx((concordant + tied / 2) / comparable, abs=1e-12)


def test_concordance_weighted_kernel_equals_repeated_rows():
    """Oracle: brute force on the data with each row repeated by its integer weight."""
    time, event, risk = random_survival(7, 30, 6, 5)
    weights = np.random.default_rng(7).integers(0, 4, size=(3, 30))
    counts = _ConcordanceKernel(time, event, risk).counts(weights)
    for b in range(3):
        rows = np.repeat(np.arange(30), weights[b])
        expected = brute_force_pairs(time[rows], event[rows], risk[rows])
        assert tuple(float(count[b]) for count in counts) == pytest.approx(expected, abs=1e-9)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_concordance_matches_lifelines_with_negated_risk(seed):
    """Oracle: lifelines.utils.concordance_index(time, -risk, event).

    lifelines scores "higher = longer survival", so it gets -risk. Its tie handling
    is R's (two events at one time not comparable; event vs censoring at one time
    comparable; tied predictions 1/2): on data with all three kinds of ties the two
    agree to rounding, no convention difference found.
    """
    from lifelines.utils import concordance_index as lifelines_c

    time, event, risk = random_survival(seed, 400, 30, 12)
    assert concordance_index(time, event, risk) == pytest.approx(
        lifelines_c(time, -risk, event), abs=1e-12
    )


def test_concordance_tie_conventions_on_hand_cases():
    """Oracle: R survival's rules applied by hand to two-patient cohorts."""
    # event and censoring at the same time: comparable, the event is the earlier one
    assert _concordance_pairs(
        np.array([5.0, 5.0]), np.array([True, False]), np.array([2.0, 1.0])
    ) == (1, 0, 0, 1)
    # two events at the same time: not comparable
    assert _concordance_pairs(
        np.array([5.0, 5.0]), np.array([True, True]), np.array([2.0, 1.0])
    ) == (0, 0, 0, 0)
    # tied risk on a comparable pair counts 1/2
    assert concordance_index([1.0, 2.0], [1, 0], [0.3, 0.3]) == 0.5
    # higher risk = earlier event is concordant
    assert concordance_index([1.0, 2.0, 3.0], [1, 1, 1], [3.0, 2.0, 1.0]) == 1.0


def test_concordance_invariant_to_order_and_monotone_transform():
    """Oracle: C is a rank statistic of (time, event, risk) rows, whatever their order."""
    time, event, risk = random_survival(8, 120, 15, 30)
    perm = np.random.default_rng(8).permutation(120)
    c = concordance_index(time, event, risk)
    assert concordance_index(time[perm], event[perm], risk[perm]) == pytest.approx(c, abs=1e-12)
    assert concordance_index(time, event, np.exp(risk) - 5) == pytest.approx(c, abs=1e-12)


@pytest.mark.parametrize(
    "time,event,risk,error,match",
    [
        ([1, 2, 3], [0, 0, 0], [0.1, 0.2, 0.3], ValueError, r"no patient has an event"),
        (
            [1, 2, 3],
            [1, 0, 0],
            [0.1, np.nan, 0.3],
            ValueError,
            r"risk of concordance_index has 1 NaN value\(s\) \(first positions \[1\]\)",
        ),
        ([1, 2, 3], [1, 0, 0], [0.1, 0.2], ValueError, r"got lengths time=3, event=3, risk=2"),
        ([1, 1, 1], [1, 1, 1], [0.1, 0.2, 0.3], ValueError, r"no pair of patients is comparable"),
        ([1, 2], [1, 0], ["a", "b"], TypeError, r"risk of concordance_index must be numeric"),
        ([1, np.nan], [1, 0], [0.1, 0.2], ValueError, r"time of concordance_index has 1 missing"),
    ],
    ids=["no-events", "nan-risk", "lengths", "no-comparable", "non-numeric", "nan-time"],
)
def test_concordance_input_errors(time, event, risk, error, match):
    """Every message of concordance_index's input checks (no oracle: error contract)."""
    with pytest.raises(error, match=match):
        concordance_index(time, event, risk)


def test_docstring_examples_run():
    """Oracle: the hand-computed values in the numpydoc Examples."""
    result = doctest.testmod(_discrimination, raise_on_error=False)
    assert result.attempted > 0
    assert result.failed == 0
