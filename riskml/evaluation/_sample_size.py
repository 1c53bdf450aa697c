"""Minimum sample size for developing a prediction model (Riley et al. 2019, 2020, 2021).

The criteria of Riley et al. for binary and time-to-event outcomes: (1) expected
shrinkage of predictor effects of at most 10%, (2) a small difference (0.05) between
the apparent and adjusted Nagelkerke R², and (3) a precise estimate of the overall
risk — the average outcome proportion for a binary outcome (margin of error 0.05),
and for a time-to-event outcome the precision of the overall risk at a time point,
reported at the size the first two criteria need (as R's pmsampsize does).

The anticipated Cox-Snell R² comes from the user (``r2_cs``, ``r2_nagelkerke``), from
the conservative default (Nagelkerke R² 0.15), or, for a binary outcome, from an
anticipated C-statistic and the outcome proportion (Riley, Van Calster & Collins 2021):
by their simulation, reproduced draw for draw (R's Mersenne-Twister and inversion
``rnorm``, in :mod:`riskml.evaluation._sample_size_r_random`) so that the number equals
pmsampsize's, or by the exact population value.
"""

from __future__ import annotations

import functools
import numbers
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import integrate, special

from ..utils.validation import check_option
from ._sample_size_r_random import (  # noqa: F401
    _qnorm_as241,
    _r_mersenne_twister,
    _r_rnorm,
    _r_unif_rand,
)

__all__ = ["SampleSizeResult", "cox_snell_r2_from_c_statistic", "minimum_sample_size"]

#: Nagelkerke R² assumed when nothing is known of the model's expected performance
#: (Riley et al. 2020 suggest 15% of the maximum Cox-Snell R²: conservative).
DEFAULT_NAGELKERKE = 0.15

#: pmsampsize's defaults for the C-statistic route: seed and simulated patients.
PMSAMPSIZE_SEED = 123456
SIMULATED_PATIENTS = 1_000_000

_C_METHODS = ("simulation", "exact")


@dataclass(frozen=True)
class SampleSizeResult:
    """The minimum sample size and how it was reached.

    Attributes
    ----------
    criteria : pandas.DataFrame
        One row per criterion: ``criterion``, ``n`` (patients needed, NaN for the
        time-to-event precision criterion, which is reported, not solved for),
        ``shrinkage``, ``events`` and ``events_per_parameter`` at that size.
    n_required : int
        The largest ``n`` of the criteria.
    events_required : float
        Expected events at ``n_required``.
    n_parameters : int
    r2_cs : float
        The anticipated Cox-Snell R² used (for the C-statistic route, the R² derived
        from the C-statistic, rounded to 4 decimals by the simulation method as
        pmsampsize does).
    max_r2_cs : float
        The largest Cox-Snell R² the outcome frequency allows.
    risk_interval : tuple of float or None
        Time-to-event only: the overall risk at the time point and its 95% interval
        at ``n_required`` (exponential survival).
    route : {"r2_cs", "r2_nagelkerke", "default_nagelkerke", "c_statistic"}
        Where ``r2_cs`` came from: given directly, from a given Nagelkerke R², from
        the default Nagelkerke R² of 0.15, or from an anticipated C-statistic.
    c_statistic : float or None
        The anticipated C-statistic (C-statistic route only).
    c_statistic_method : {"simulation", "exact"} or None
        How the C-statistic was converted (C-statistic route only).
    random_state : int or None
        The seed of the simulation (``c_statistic_method="simulation"`` only).

    Examples
    --------
    >>> from riskml.evaluation import minimum_sample_size
    >>> result = minimum_sample_size("binary", 24, prevalence=0.174, r2_cs=0.288)
    >>> result.n_required, result.n_parameters
    (662, 24)
    >>> result.criteria["criterion"].tolist()  # doctest: +NORMALIZE_WHITESPACE
    ['1: shrinkage of predictor effects', '2: apparent vs adjusted Nagelkerke R2',
     '3: precise overall risk']
    """

    criteria: pd.DataFrame
    n_required: int
    events_required: float
    n_parameters: int
    r2_cs: float
    max_r2_cs: float
    risk_interval: tuple | None = None
    route: str = "r2_cs"
    c_statistic: float | None = None
    c_statistic_method: str | None = None
    random_state: int | None = None

    @property
    def r2_nagelkerke(self) -> float:
        """The anticipated Nagelkerke R²: ``r2_cs / max_r2_cs``."""
        return self.r2_cs / self.max_r2_cs

    @property
    def r2_source(self) -> str:
        """One sentence saying where the anticipated Cox-Snell R² came from."""
        value = f"anticipated Cox-Snell R² {self.r2_cs:.4g}"
        if self.route == "r2_cs":
            return f"{value}, as given"
        if self.route == "r2_nagelkerke":
            return f"{value}, from the given Nagelkerke R² {self.r2_nagelkerke:.4g}"
        if self.route == "default_nagelkerke":
            return (
                f"{value}, from the default Nagelkerke R² {DEFAULT_NAGELKERKE:g} "
                "(Riley et al. 2020; conservative)"
            )
        if self.c_statistic_method == "simulation":
            how = (
                f"simulation of {SIMULATED_PATIENTS:,} patients with seed "
                f"{self.random_state}, as R's pmsampsize"
            )
        else:
            how = "exact population value"
        return (
            f"{value}, from the anticipated C-statistic {self.c_statistic:g} and outcome "
            f"proportion (Riley, Van Calster & Collins 2021; {how})"
        )


# -- from a C-statistic to a Cox-Snell R² --------------------------------------------


def _logistic_lr_statistic(non_events: np.ndarray, events: np.ndarray) -> float:
    """Null deviance minus deviance of the maximum-likelihood logistic regression of
    the outcome on one predictor (Newton-Raphson to convergence; R's glm stops at a
    relative deviance change below 1e-8, a difference of order 1e-9 in R²)."""
    n0, n1 = non_events.size, events.size
    total = n0 + n1
    null_deviance = -2.0 * (n1 * np.log(n1 / total) + n0 * np.log(n0 / total))
    x = np.concatenate([non_events, events])
    y = np.concatenate([np.zeros(n0), np.ones(n1)])
    # -2 log-likelihood = 2 sum log(1 + exp(sign × eta)): sign -1 for events, +1 for others
    sign = 1.0 - 2.0 * y
    # start at the binormal model's log-odds (equal variances): a few steps from the MLE
    mean0, mean1 = non_events.mean(), events.mean()
    slope = mean1 - mean0
    beta = np.array([np.log(n1 / n0) - slope * (mean0 + mean1) / 2.0, slope])
    previous_beta, previous = beta, np.inf
    for _ in range(100):
        eta = beta[0] + beta[1] * x
        deviance = 2.0 * np.logaddexp(0.0, sign * eta).sum()
        if abs(previous - deviance) <= 1e-13 * (deviance + 0.1):
            return float(null_deviance - min(deviance, previous))
        if deviance > previous:  # overshoot (not expected for this model): halve the step
            beta = (beta + previous_beta) / 2.0
            continue
        p = special.expit(eta)
        w = p * (1.0 - p)
        residual = y - p
        wx = w * x
        hessian = np.array([[w.sum(), wx.sum()], [wx.sum(), (wx * x).sum()]])
        gradient = np.array([residual.sum(), (residual * x).sum()])
        previous_beta, previous = beta, deviance
        beta = beta + np.linalg.solve(hessian, gradient)
    raise ValueError(
        "the logistic regression of the C-statistic simulation did not converge (the "
        "simulated outcome may be separated: a C-statistic very close to 1); pass "
        "c_statistic_method='exact' instead."
    )


@functools.lru_cache(maxsize=64)
def _r2_simulated(c_statistic: float, prevalence: float, seed: int) -> float:
    """The simulation of Riley et al. (2021) as pmsampsize runs it, unrounded."""
    n = float(SIMULATED_PATIENTS)
    mu = float(np.sqrt(2.0) * _qnorm_as241(np.array([c_statistic]))[0])
    # R's rnorm() and rep() truncate a fractional count: the two groups may sum to
    # 999,999 patients; the R² still divides by 1e6, as pmsampsize does.
    first, second = int(prevalence * n), int((1.0 - prevalence) * n)
    if first < 1 or second < 1:
        raise ValueError(
            f"prevalence={prevalence!r} leaves the C-statistic simulation of "
            f"{SIMULATED_PATIENTS:,} patients without {'events' if first < 1 else 'non-events'}; "
            "pass c_statistic_method='exact' instead."
        )
    bit_generator = _r_mersenne_twister(seed)
    # pmsampsize's order and labels: the prevalence-sized group first, drawn from
    # N(0, 1) and labelled 0; then N(mu, 1), labelled 1. Swapping the labels (and
    # reflecting the predictor) leaves the R² unchanged.
    group0 = _r_rnorm(bit_generator, first, 0.0)
    group1 = _r_rnorm(bit_generator, second, mu)
    lr = _logistic_lr_statistic(group0, group1)
    return float(1.0 - np.exp(-lr / n))


@functools.lru_cache(maxsize=64)
def _r2_population(c_statistic: float, prevalence: float) -> float:
    """The large-sample Cox-Snell R² of the binormal model: ``1 - exp(-2 I)``."""
    mu = np.sqrt(2.0) * special.ndtri(c_statistic)
    # events ~ N(mu, 1), non-events ~ N(0, 1): the log-odds of the event is
    # alpha + mu x, so the logistic model is exact and the expected log-likelihood
    # ratio per patient is the mutual information I of outcome and predictor.
    alpha = special.logit(prevalence) - mu**2 / 2.0
    density = 1.0 / np.sqrt(2.0 * np.pi)

    def events(x):
        return (
            density
            * np.exp(-((x - mu) ** 2) / 2.0)
            * (-np.logaddexp(0.0, -(alpha + mu * x)) - np.log(prevalence))
        )

    def non_events(x):
        return (
            density
            * np.exp(-(x**2) / 2.0)
            * (-np.logaddexp(0.0, alpha + mu * x) - np.log1p(-prevalence))
        )

    options = {"epsabs": 1e-15, "epsrel": 1e-12, "limit": 200}
    info = (
        prevalence * integrate.quad(events, -np.inf, np.inf, **options)[0]
        + (1.0 - prevalence) * integrate.quad(non_events, -np.inf, np.inf, **options)[0]
    )
    return float(1.0 - np.exp(-2.0 * info))


def _check_c_statistic(value, function: str) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(
            f"The 'c_statistic' parameter of {function} must be a number in (0.5, 1). "
            f"Got {value!r} instead."
        )
    value = float(value)
    if not (0.5 < value < 1.0):
        raise ValueError(
            f"The 'c_statistic' parameter of {function} must be above 0.5 and below 1 "
            f"(0.5 is no discrimination, so a Cox-Snell R² of 0; 1 is perfect). Got "
            f"{value!r} instead; for a model that ranks the wrong way round pass "
            "1 - C."
        )
    return value


def _check_seed(value, function: str) -> int:
    message = (
        f"The 'random_state' parameter of {function} must be an int in the range "
        f"[-2147483647, 2147483647] (it is R's set.seed() seed, so that the simulation "
        f"draws what pmsampsize draws). Got {value!r} instead."
    )
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(message)
    if not -2147483647 <= value <= 2147483647:
        raise ValueError(message)
    return int(value)


def cox_snell_r2_from_c_statistic(
    c_statistic: float,
    prevalence: float,
    *,
    method: str = "simulation",
    random_state: int = PMSAMPSIZE_SEED,
) -> float:
    """The Cox-Snell R² a binary-outcome model with this C-statistic would have.

    Riley, Van Calster & Collins (2021): assume the linear predictor is normal with
    variance 1 in events and non-events, with means ``sqrt(2) Φ⁻¹(C)`` apart (the
    binormal model, whose C-statistic is then ``C``), and the outcome proportion
    ``prevalence``; the Cox-Snell R² of the logistic regression of the outcome on
    that predictor is the anticipated R².

    Parameters
    ----------
    c_statistic : float
        The anticipated C-statistic (area under the ROC curve), in (0.5, 1); ideally
        an optimism-adjusted or externally validated one.
    prevalence : float
        The anticipated outcome proportion, in (0, 1).
    method : {"simulation", "exact"}, default="simulation"
        ``"simulation"``: the published method as R's pmsampsize (>= 1.1.0) runs it —
        1,000,000 simulated patients drawn with R's generator after
        ``set.seed(random_state)``, a logistic regression fitted to them, the R²
        rounded to 4 decimals — so the value equals pmsampsize's. ``"exact"``: the
        value that simulation estimates (its limit as the number of simulated
        patients grows), by numerical integration; not rounded.
    random_state : int, default=123456
        The seed of the simulation, as R's ``set.seed()`` takes it (pmsampsize's
        ``seed=``, default 123456). Ignored by ``method="exact"``.

    Returns
    -------
    float

    Notes
    -----
    Under the binormal model the log-odds of the event is linear in the predictor
    (``logit(prevalence) - mu²/2 + mu x``), so the logistic model is exact and the
    expected log-likelihood ratio per patient is the mutual information ``I`` of the
    outcome and the predictor: the population value is ``R²cs = 1 - exp(-2 I)``.

    The simulation reproduces R's draws exactly: R's seed scrambling into numpy's
    MT19937, R's ``unif_rand()`` and its inversion ``norm_rand()`` (two uniforms per
    normal draw, AS 241 quantile), and pmsampsize's group sizes (``prevalence × 10⁶``
    and ``(1 - prevalence) × 10⁶``, each truncated, so 999,999 patients for some
    prevalences), labels (the prevalence-sized group is drawn from N(0, 1) and labelled
    0 — the R² does not change when the labels are swapped) and divisor (10⁶). The
    logistic regression is solved to full convergence, where R's ``glm`` stops at a
    relative change of 1e-8 in the deviance: the unrounded R² agree to about 1e-9, so
    the 4-decimal value differs only within 1e-9 of a rounding boundary.

    The simulation's own error, against the exact value, was up to 0.0012 in R² (and
    up to 1.6% of it) over the 11 scenarios of ``tests/data/sample_size_cstatistic.csv``,
    which moved the minimum sample size by up to 1.5%. Across 30 seeds the simulated R²
    had a standard deviation of 0.00054 (0.2%) at C = 0.89, prevalence 0.174, and of
    0.00018 (1.8%) at C = 0.65, prevalence 0.035, where the minimum sample size for 20
    parameters ranged from 17,208 to 18,650 with the seed (exact value: 18,036). The
    smaller the R², the more the seed matters; ``method="exact"`` has no such error
    but will not match the number pmsampsize prints, which is why it is not the
    default.

    References
    ----------
    .. [1] Riley RD, Van Calster B, Collins GS. A note on estimating the Cox-Snell R2
       from a reported C statistic (AUROC) to inform sample size calculations for
       developing a prediction model with a binary outcome. Stat Med
       2021;40(4):859-864.
    .. [2] Ensor J, Martin EC, Riley RD. pmsampsize: calculates the minimum sample
       size required for developing a multivariable prediction model. R package
       version 1.1.3, 2023 (function ``cstat2rsq``).
    .. [3] Wichura MJ. Algorithm AS 241: the percentage points of the normal
       distribution. Appl Stat 1988;37:477-484.

    Examples
    --------
    >>> from riskml.evaluation._sample_size import cox_snell_r2_from_c_statistic
    >>> cox_snell_r2_from_c_statistic(0.89, 0.174)
    0.2902
    >>> round(cox_snell_r2_from_c_statistic(0.89, 0.174, method="exact"), 4)
    0.291
    """
    function = "cox_snell_r2_from_c_statistic"
    c_statistic = _check_c_statistic(c_statistic, function)
    prevalence = _check_positive(prevalence, "prevalence", 1.0, function)
    check_option(method, "method", _C_METHODS, function)
    if method == "exact":
        return _r2_population(c_statistic, prevalence)
    seed = _check_seed(random_state, function)
    return round(_r2_simulated(c_statistic, prevalence, seed), 4)


# -- the criteria ----------------------------------------------------------------


def _shrinkage_n(n_parameters: int, r2_cs: float, shrinkage: float) -> int:
    # Riley et al. 2019 (Stat Med), equation 11
    return int(np.ceil(n_parameters / ((shrinkage - 1) * np.log(1 - r2_cs / shrinkage))))


def _check_positive(
    value, name: str, upper: float | None = None, function: str = "minimum_sample_size"
) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        raise ValueError(f"{name} of {function} must be a number; got {value!r}.")
    value = float(value)
    if not np.isfinite(value) or value <= 0 or (upper is not None and value >= upper):
        bound = f" and below {upper:g}" if upper is not None else ""
        hint = (
            f" If it is a percentage, pass {name}={value / 100:g}."
            if upper == 1.0 and 1 < value < 100
            else ""
        )
        raise ValueError(f"{name} of {function} must be above 0{bound}; got {value!r}.{hint}")
    return value


def minimum_sample_size(
    outcome_kind: str,
    n_parameters: int,
    *,
    prevalence: float | None = None,
    rate: float | None = None,
    timepoint: float | None = None,
    mean_followup: float | None = None,
    r2_cs: float | None = None,
    r2_nagelkerke: float | None = None,
    c_statistic: float | None = None,
    c_statistic_method: str = "simulation",
    random_state: int = PMSAMPSIZE_SEED,
    shrinkage: float = 0.9,
    r2_difference: float = 0.05,
    margin: float = 0.05,
) -> SampleSizeResult:
    """Minimum sample size to develop a prediction model (Riley et al. 2019, 2020).

    Parameters
    ----------
    outcome_kind : {"binary", "survival"}
    n_parameters : int
        Candidate predictor *parameters* (a categorical predictor with k levels
        counts k - 1; a spline counts its degrees of freedom).
    prevalence : float, binary outcomes
        The anticipated outcome proportion.
    rate, timepoint, mean_followup : float, time-to-event outcomes
        The anticipated event rate per unit of time, the time point of interest and
        the mean follow-up, all in the same unit (e.g. days, or years).
    r2_cs : float, optional
        The anticipated Cox-Snell R² of the model.
    r2_nagelkerke : float, optional
        Or the anticipated Nagelkerke R² (Cox-Snell scaled by its maximum).
    c_statistic : float, optional, binary outcomes
        Or the anticipated C-statistic (e.g. the optimism-adjusted C of an existing
        model), in (0.5, 1): converted with ``prevalence`` into the anticipated
        Cox-Snell R² by :func:`cox_snell_r2_from_c_statistic` (Riley, Van Calster &
        Collins 2021; pmsampsize's ``cstatistic=``). When none of ``r2_cs``,
        ``r2_nagelkerke`` and ``c_statistic`` is given, Nagelkerke R² = 0.15, the
        conservative default Riley et al. (2020) suggest; give at most one.
    c_statistic_method : {"simulation", "exact"}, default="simulation"
        How the C-statistic becomes an R²: ``"simulation"`` reproduces pmsampsize's
        number exactly (1,000,000 simulated patients, R's generator seeded with
        ``random_state``, R² rounded to 4 decimals); ``"exact"`` is the population
        value that simulation estimates, by numerical integration.
    random_state : int, default=123456
        Seed of that simulation, as R's ``set.seed()`` (pmsampsize's ``seed=``,
        same default). Used only with ``c_statistic`` and ``"simulation"``.
    shrinkage : float, default=0.9
        Criterion 1: the largest acceptable expected shrinkage factor.
    r2_difference : float, default=0.05
        Criterion 2: the largest acceptable difference between apparent and
        adjusted Nagelkerke R².
    margin : float, default=0.05
        Criterion 3: margin of error of the overall risk (binary outcomes).

    Returns
    -------
    SampleSizeResult
        With ``route`` saying where the anticipated R² came from, and
        ``r2_source`` a sentence for a report.

    Notes
    -----
    Criterion 1 is ``n = p / ((S - 1) ln(1 - R²cs / S))``; criterion 2 applies it
    with ``S = R²cs / (R²cs + δ max(R²cs))``; ``max(R²cs) = 1 - exp(2 lnL0 / n)``
    with the null log-likelihood of a Bernoulli outcome, or of an exponential
    survival model (``lnL0 = E ln(E / n) - E`` with ``E = rate × mean_followup × n``).
    Criterion 3 for a binary outcome is ``n = (1.96 / margin)² φ (1 - φ)``; for a
    time-to-event outcome the interval of the overall risk at ``timepoint`` is
    reported at the size of criteria 1 and 2, as in R's pmsampsize.

    Differences from pmsampsize: a Nagelkerke R² is converted without pmsampsize's
    rounding of the Cox-Snell R² to 3 decimals; the C-statistic route equals
    pmsampsize's (see :func:`cox_snell_r2_from_c_statistic` for how exactly);
    ``c_statistic_method="exact"`` removes the simulation's Monte-Carlo error (up
    to 0.0012 in R² and 1.5% in the sample size over the scenarios tested).

    References
    ----------
    .. [1] Riley RD, Snell KIE, Ensor J, et al. Minimum sample size for developing
       a multivariable prediction model: part II - binary and time-to-event
       outcomes. Stat Med 2019;38:1276-1296.
    .. [2] Riley RD, Ensor J, Snell KIE, et al. Calculating the sample size required
       for developing a clinical prediction model. BMJ 2020;368:m441.
    .. [3] Riley RD, Van Calster B, Collins GS. A note on estimating the Cox-Snell R2
       from a reported C statistic (AUROC) to inform sample size calculations for
       developing a prediction model with a binary outcome. Stat Med
       2021;40(4):859-864.

    Examples
    --------
    >>> from riskml.evaluation import minimum_sample_size
    >>> minimum_sample_size("binary", 24, prevalence=0.174, r2_cs=0.288).n_required
    662
    >>> result = minimum_sample_size("binary", 24, prevalence=0.174, c_statistic=0.89)
    >>> result.r2_cs, result.n_required
    (0.2902, 661)
    """
    _check_design(outcome_kind, n_parameters, r2_cs, r2_nagelkerke, c_statistic)
    shrinkage = _check_positive(shrinkage, "shrinkage", 1.0)
    margin = _check_positive(margin, "margin", 1.0)
    r2_difference = _check_positive(r2_difference, "r2_difference", 1.0)
    if outcome_kind == "binary":
        prevalence, max_r2 = _binary_frequency(prevalence)
        per_patient = prevalence  # events per patient
    else:
        rate, timepoint, mean_followup = _survival_frequency(rate, timepoint, mean_followup)
        per_patient = rate * mean_followup  # expected events per patient
        # lnL0 / n = per_patient (ln per_patient - 1) for the exponential null model
        max_r2 = 1 - np.exp(2 * per_patient * (np.log(per_patient) - 1))
    route, r2_cs, c_statistic, seed = _anticipated_r2(
        r2_cs, r2_nagelkerke, c_statistic, c_statistic_method, random_state, prevalence, max_r2
    )
    if shrinkage <= r2_cs:
        raise ValueError(f"shrinkage must exceed r2_cs ({r2_cs:g}); got {shrinkage:g}.")
    n1 = _shrinkage_n(n_parameters, r2_cs, shrinkage)
    s2 = r2_cs / (r2_cs + r2_difference * max_r2)
    n2 = _shrinkage_n(n_parameters, r2_cs, s2)
    rows = [
        ("1: shrinkage of predictor effects", n1, shrinkage),
        ("2: apparent vs adjusted Nagelkerke R2", n2, s2),
    ]
    risk_interval = None
    if outcome_kind == "binary":
        n3 = int(np.ceil((1.96 / margin) ** 2 * prevalence * (1 - prevalence)))
        rows.append(("3: precise overall risk", n3, np.nan))
        n_required = max(n1, n2, n3)
    else:
        n_required = max(n1, n2)
        risk_interval = _overall_risk_interval(rate, timepoint, mean_followup * n_required)
        rows.append(("3: precise overall risk at the time point (reported)", np.nan, np.nan))
    criteria = pd.DataFrame(rows, columns=["criterion", "n", "shrinkage"])
    criteria["events"] = [n * per_patient for n in criteria["n"]]
    criteria["events_per_parameter"] = criteria["events"] / n_parameters
    return SampleSizeResult(
        criteria=criteria,
        n_required=int(n_required),
        events_required=float(n_required * per_patient),
        n_parameters=int(n_parameters),
        r2_cs=float(r2_cs),
        max_r2_cs=float(max_r2),
        risk_interval=risk_interval,
        route=route,
        c_statistic=c_statistic,
        c_statistic_method=c_statistic_method if c_statistic is not None else None,
        random_state=seed,
    )


def _check_design(outcome_kind, n_parameters, r2_cs, r2_nagelkerke, c_statistic) -> None:
    """The outcome kind, the number of parameters, and at most one anticipated performance."""
    if outcome_kind not in ("binary", "survival"):
        raise ValueError(
            f"outcome_kind of minimum_sample_size must be 'binary' or 'survival'; got "
            f"{outcome_kind!r}."
        )
    if (
        isinstance(n_parameters, bool)
        or not isinstance(n_parameters, int | np.integer)
        or n_parameters < 1
    ):
        raise ValueError(
            f"n_parameters of minimum_sample_size must be a positive int (the number of "
            "candidate predictor parameters: one per continuous predictor, one per level "
            f"beyond the first of a categorical one), e.g. n_parameters=10; got "
            f"{n_parameters!r}."
        )
    given = [
        name
        for name, value in (
            ("r2_cs", r2_cs),
            ("r2_nagelkerke", r2_nagelkerke),
            ("c_statistic", c_statistic),
        )
        if value is not None
    ]
    if len(given) > 1:
        raise ValueError(
            f"minimum_sample_size takes one anticipated performance: r2_cs=, "
            f"r2_nagelkerke= or c_statistic=; got {' and '.join(f'{g}=' for g in given)}. "
            "Keep the one your evidence reports."
        )
    if c_statistic is not None and outcome_kind != "binary":
        raise ValueError(
            "c_statistic= is for binary outcomes (the conversion of Riley et al. 2021 "
            "assumes a logistic model); for a time-to-event outcome pass r2_cs= or "
            "r2_nagelkerke=."
        )


def _binary_frequency(prevalence) -> tuple[float, float]:
    """The checked prevalence and the largest Cox-Snell R² it allows."""
    if prevalence is None:
        raise ValueError("minimum_sample_size for a binary outcome needs prevalence=.")
    prevalence = _check_positive(prevalence, "prevalence", 1.0)
    phi = prevalence
    return prevalence, 1 - (phi**phi * (1 - phi) ** (1 - phi)) ** 2


def _survival_frequency(rate, timepoint, mean_followup) -> tuple[float, float, float]:
    """The checked event rate, time point and mean follow-up of a time-to-event outcome."""
    missing = [
        name
        for name, value in (
            ("rate", rate),
            ("timepoint", timepoint),
            ("mean_followup", mean_followup),
        )
        if value is None
    ]
    if missing:
        raise ValueError(
            f"minimum_sample_size for a time-to-event outcome needs {', '.join(missing)}= "
            "(the event rate per unit time, the time point and the mean follow-up)."
        )
    return (
        _check_positive(rate, "rate"),
        _check_positive(timepoint, "timepoint"),
        _check_positive(mean_followup, "mean_followup"),
    )


def _anticipated_r2(
    r2_cs, r2_nagelkerke, c_statistic, c_statistic_method, random_state, prevalence, max_r2
):
    """``(route, r2_cs, c_statistic, seed)``: the anticipated Cox-Snell R², checked
    against ``max_r2``, from whichever of ``r2_cs``, ``r2_nagelkerke`` and
    ``c_statistic`` was given (Nagelkerke R² = 0.15 when none was)."""
    seed = None
    if c_statistic is not None:
        route = "c_statistic"
        function = "minimum_sample_size"
        c_statistic = _check_c_statistic(c_statistic, function)
        check_option(c_statistic_method, "c_statistic_method", _C_METHODS, function)
        if c_statistic_method == "simulation":
            seed = _check_seed(random_state, function)
            r2_cs = round(_r2_simulated(c_statistic, prevalence, seed), 4)
        else:
            r2_cs = _r2_population(c_statistic, prevalence)
        if r2_cs >= max_r2:
            raise ValueError(
                f"the C-statistic {c_statistic:g} with prevalence {prevalence:g} gives a "
                f"Cox-Snell R² of {r2_cs:g}, at the largest this outcome frequency allows "
                f"({max_r2:.4f}): no finite sample size follows; check the C-statistic."
            )
    elif r2_cs is None:
        route = "default_nagelkerke" if r2_nagelkerke is None else "r2_nagelkerke"
        nagelkerke = DEFAULT_NAGELKERKE if r2_nagelkerke is None else r2_nagelkerke
        nagelkerke = _check_positive(nagelkerke, "r2_nagelkerke", 1.0)
        r2_cs = nagelkerke * max_r2
    else:
        route = "r2_cs"
    r2_cs = _check_positive(r2_cs, "r2_cs", 1.0)
    if r2_cs > max_r2:
        raise ValueError(
            f"r2_cs={r2_cs:g} is above the largest Cox-Snell R² this outcome frequency "
            f"allows ({max_r2:.4f}); pass a smaller value, or r2_nagelkerke= instead."
        )
    return route, r2_cs, c_statistic, seed


def _overall_risk_interval(rate: float, timepoint: float, person_time: float):
    """The overall risk at ``timepoint`` of an exponential model and its 95% interval
    from the rate's standard error over ``person_time`` (criterion 3, reported)."""
    se = np.sqrt(rate / person_time)
    risk = 1 - np.exp(-rate * timepoint)
    return (
        float(risk),
        float(1 - np.exp(-(rate - 1.96 * se) * timepoint)),
        float(1 - np.exp(-(rate + 1.96 * se) * timepoint)),
    )
