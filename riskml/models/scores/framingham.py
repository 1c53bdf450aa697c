"""The Framingham family of published risk equations, with recalibration to a cohort."""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from numbers import Real

import numpy as np
import pandas as pd
from scipy.special import expit, logit
from sklearn.base import BaseEstimator
from sklearn.utils._param_validation import Interval, StrOptions

from ...evaluation import recalibrate_logistic
from ...outcome import check_outcome
from ...utils.deprecation import renamed_attribute, renamed_keyword
from .._base import RiskEstimatorMixin
from ._equations import EQUATIONS, INPUT_UNITS, PLAUSIBLE_RANGES
from ._recalibration import kaplan_meier_survival

__all__ = [
    "COEFFICIENTS",
    "EQUATIONS",
    "FraminghamScore",
    "OutOfRangeWarning",
    "TEN_YEARS_DAYS",
]

#: Published coefficient tables, ``{model: {"M": {...}, "F": {...}}}``; ``s0`` is the
#: 10-year baseline survival and ``mean`` the centering constant of the linear predictor.
COEFFICIENTS = {name: equation.coefficients for name, equation in EQUATIONS.items()}

INPUTS = tuple(INPUT_UNITS)
CONTINUOUS = ("age", "total_chol", "hdl", "ldl", "sbp", "dbp", "bmi")
FLAGS = ("bp_treated", "smoker", "diabetes")
CHOLESTEROL = ("total_chol", "hdl", "ldl")
MMOL_TO_MG_DL = 38.67  # cholesterol, mg/dL per mmol/L
KPA_TO_MMHG = 7.50062
# Medians beyond these are implausible in the declared unit (mg/dL: TC ~ 200, HDL ~ 50,
# LDL ~ 120; in mmol/L they are ~ 5, 1.3 and 3).
_MMOL_LIMITS = {"total_chol": 20.0, "hdl": 5.0, "ldl": 12.0}
TEN_YEARS_DAYS = 3652.5
_SEX_WORDS = {"m": 1.0, "male": 1.0, "man": 1.0, "f": 0.0, "female": 0.0, "woman": 0.0}
_LEARNED = (
    "impute_values_",
    "recalibration_",
    "baseline_survival_",
    "mean_linear_predictor_",
    "calibration_intercept_",
    "calibration_slope_",
    "n_recalibration_",
    "horizon_",
)


class OutOfRangeWarning(UserWarning):
    """Inputs outside the range a published score was derived on.

    Examples
    --------
    >>> import warnings
    >>> import pandas as pd
    >>> from riskml.models import FraminghamScore, OutOfRangeWarning
    >>> woman = pd.DataFrame({"sex": ["F"], "age": [25], "total_chol": [180], "hdl": [47],
    ...                       "sbp": [124], "bp_treated": [0], "smoker": [1], "diabetes": [0]})
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     risk = FraminghamScore().predict_risk(woman)  # derived on ages 30-74
    >>> [w.category.__name__ for w in caught]
    ['OutOfRangeWarning']
    """


def _positions(mask) -> list[int]:
    return np.flatnonzero(np.asarray(mask))[:5].tolist()


class FraminghamScore(RiskEstimatorMixin, BaseEstimator):
    """A published Framingham risk equation, optionally recalibrated to a cohort.

    ``risk = 1 - S0 ** exp(sum(beta * x) - mean)`` with sex-specific coefficients,
    10-year baseline survival ``S0`` and centering constant ``mean``:

    =====================  ===============================================  ==========
    ``model``              published equation (10-year risk of ...)         ages
    =====================  ===============================================  ==========
    "dagostino2008_lipid"  D'Agostino 2008, laboratory form (first CVD)     30-74
    "dagostino2008_bmi"    D'Agostino 2008, non-laboratory BMI form (CVD)   30-74
    "atp3_hard_chd"        ATP III 2001 hard CHD (MI or coronary death)     20-79
    "wilson1998_tc"        Wilson 1998 total CHD, total-cholesterol model   30-74
    "wilson1998_ldl"       Wilson 1998 total CHD, LDL-cholesterol model     30-74
    =====================  ===============================================  ==========

    Inputs (columns of ``X``; rename with ``inputs``): ``sex`` ("M"/"F"), ``age``
    (years), ``total_chol``, ``hdl``, ``ldl`` (mg/dL), ``sbp``, ``dbp`` (mmHg),
    ``bmi`` (kg/m^2), ``bp_treated``, ``smoker``, ``diabetes`` (0/1). Each model reads
    only its own:

    - lipid: sex, age, total_chol, hdl, sbp, bp_treated, smoker, diabetes;
    - BMI: sex, age, sbp, bmi, bp_treated, smoker, diabetes;
    - ATP III: sex, age, total_chol, hdl, sbp, bp_treated, smoker (diabetes is not a
      predictor: ATP III treats it as a coronary risk equivalent). ln(age)
      interacts with ln(total cholesterol) and with smoking (age capped at 70 in
      men and 78 in women in that term), and men have an ln(age)^2 term; the
      published intercept plays the role of ``-mean``;
    - Wilson 1998: sex, age (women also age^2), total_chol (or ldl), hdl, sbp,
      dbp, smoker, diabetes, in NCEP cholesterol and JNC-V blood-pressure
      categories; the blood-pressure category is the higher of the SBP and DBP
      categories; treatment is not a predictor.

    Parameters
    ----------
    model : str, default="dagostino2008_lipid"
        The published equation (table above).
    recalibrate : {False, True, "km", "logistic"}, default=False
        What ``fit`` learns from the training outcome. ``"km"`` (or ``True``):
        each sex's baseline survival becomes the training cohort's Kaplan-Meier
        survival at ``horizon`` (1 - event rate for a binary ``y``) and its
        mean linear predictor the cohort mean (D'Agostino 2001). ``"logistic"``:
        ``risk = expit(a + b * logit(published risk))`` with intercept ``a`` and
        slope ``b`` fitted by maximum likelihood on "event by ``horizon``"
        (patients censored before it are left out; a binary ``y`` is used as is).
    horizon : float, default=3652.5
        Horizon of the recalibrated risks, in days (10 years by default; the Wu
        2020 design uses 1004). Unused without recalibration.
    horizon_days : float
        Deprecated name of ``horizon`` (``FutureWarning`` at fit; removed in the
        next release).
    inputs : dict, optional
        Maps input names to the columns of ``X``: a column name, or
        ``{"column": name, "equals": value}`` / ``{"column": name, "greater_than":
        value}`` for a derived 0/1 flag (for ``sex`` the flag means male).
        Unmapped inputs are read from the column of the same name; mapped inputs
        the model does not use are ignored, so one mapping serves every model.
    units : {"mg/dL", "mmol/L"}, default="mg/dL"
        Unit of the cholesterol columns; mmol/L values are multiplied by 38.67.
        A column whose median looks like the other unit is refused, with the
        conversion.
    strict : bool, default=False
        Refuse (ValueError) instead of warning (:class:`OutOfRangeWarning`) about
        ages outside the model's range and measurements outside riskml's plausible
        ranges (total cholesterol 100-400, HDL 15-120, LDL 30-300 mg/dL; SBP
        80-250, DBP 40-150 mmHg; BMI 15-55 kg/m^2).

    Attributes
    ----------
    impute_values_ : dict
        Median (measurements) or mode (flags, sex) of each input in the training
        data, used for missing values at prediction.
    recalibration_ : {None, "km", "logistic"}
        The recalibration learned in ``fit``.
    baseline_survival_, mean_linear_predictor_ : dict
        ``{"F": ..., "M": ...}`` (``"km"`` only).
    calibration_intercept_, calibration_slope_ : float
        ``a`` and ``b`` (``"logistic"`` only).
    n_recalibration_ : int
        Patients the recalibration was fitted on (evaluable at the horizon).
    horizon_ : float
        The horizon of the predicted risks (``horizon_days_`` is its deprecated
        name).

    Notes
    -----
    Without ``fit`` the published model predicts for complete inputs. ``fit(X)``
    learns imputation only; with recalibration it also needs ``y``: time to event
    or binary. Kaplan-Meier recalibration is sex-specific, as the equations are; a
    sex with no training patients or no events keeps the pooled baseline (and,
    without patients, the published mean), with a warning. Logistic recalibration
    is pooled over the sexes (Steyerberg 2019, ch. 20). ``predict_risk`` returns
    the risk at ``horizon_`` whatever its ``horizon`` argument. Every equation
    was derived on people without cardiovascular (for Wilson and ATP III,
    coronary) disease. ``docs/reference_scores.md`` lists outcomes, populations
    and sources.

    References
    ----------
    D'Agostino RB Sr, Vasan RS, Pencina MJ, et al. General cardiovascular risk
    profile for use in primary care: the Framingham Heart Study. Circulation.
    2008;117(6):743-753. doi:10.1161/CIRCULATIONAHA.107.699579

    Wilson PW, D'Agostino RB, Levy D, et al. Prediction of coronary heart disease
    using risk factor categories. Circulation. 1998;97(18):1837-1847.
    doi:10.1161/01.CIR.97.18.1837

    Expert Panel on Detection, Evaluation, and Treatment of High Blood Cholesterol
    in Adults. Executive summary of the Third Report of the NCEP Adult Treatment
    Panel III. JAMA. 2001;285(19):2486-2497. doi:10.1001/jama.285.19.2486

    D'Agostino RB Sr, Grundy S, Sullivan LM, Wilson P. Validation of the Framingham
    coronary heart disease prediction scores: results of a multiple ethnic groups
    investigation. JAMA. 2001;286(2):180-187.

    Steyerberg EW. Clinical Prediction Models, 2nd ed. Springer; 2019 (ch. 20,
    updating: recalibration in the large and logistic recalibration).

    Wu X, Yuan X, Wang W, et al. Value of a machine learning approach for predicting
    clinical outcomes in young patients with hypertension. Hypertension.
    2020;75(5):1271-1278.

    Examples
    --------
    >>> import pandas as pd
    >>> woman = pd.DataFrame({"sex": ["F"], "age": [61], "total_chol": [180], "hdl": [47],
    ...                       "sbp": [124], "bp_treated": [0], "smoker": [1], "diabetes": [0]})
    >>> round(float(FraminghamScore().predict_risk(woman)[0]), 4)
    0.1048
    >>> man = pd.DataFrame({"sex": ["M"], "age": [55], "total_chol": [250], "hdl": [39],
    ...                     "sbp": [146], "dbp": [88], "smoker": [1], "diabetes": [0]})
    >>> round(float(FraminghamScore(model="wilson1998_tc").predict_risk(man)[0]), 4)
    0.3336
    """

    outcome_kind = "any"

    _parameter_constraints = {
        "model": [StrOptions(set(EQUATIONS))],
        "recalibrate": ["boolean", StrOptions({"km", "logistic"})],
        "horizon": [Interval(Real, 0, None, closed="neither")],
        "horizon_days": [Interval(Real, 0, None, closed="neither"), StrOptions({"deprecated"})],
        "inputs": [Mapping, None],
        "units": [StrOptions({"mg/dL", "mmol/L"})],
        "strict": ["boolean"],
    }

    def __init__(
        self,
        model="dagostino2008_lipid",
        recalibrate=False,
        horizon=TEN_YEARS_DAYS,
        inputs=None,
        units="mg/dL",
        strict=False,
        horizon_days="deprecated",
    ):
        self.model = model
        self.recalibrate = recalibrate
        self.horizon = horizon
        self.inputs = inputs
        self.units = units
        self.strict = strict
        self.horizon_days = horizon_days

    @property
    def horizon_days_(self):
        """Deprecated name of ``horizon_``."""
        renamed_attribute("FraminghamScore", "horizon_days_", "horizon_")
        return self.horizon_

    def _fit_horizon(self) -> float:
        old = None if isinstance(self.horizon_days, str) else self.horizon_days
        return float(
            renamed_keyword(
                self.horizon, old, "horizon", "horizon_days", "FraminghamScore", TEN_YEARS_DAYS
            )
        )

    @property
    def _equation(self):
        return EQUATIONS[self.model]

    def _method(self) -> str | None:
        if self.recalibrate is True or self.recalibrate == "km":
            return "km"
        return "logistic" if self.recalibrate == "logistic" else None

    # ---- reading the inputs -------------------------------------------------------

    def input_columns(self) -> list[str]:
        """The columns of ``X`` the score reads, after the ``inputs`` mapping.

        For checking a table before any fit (``Study`` does so for every published score).
        """
        specs = self._specs()
        columns = [s if isinstance(s, str) else s["column"] for s in specs.values()]
        return list(dict.fromkeys(columns))

    def _specs(self) -> dict:
        """The column spec of each input the model uses, validated."""
        given = {} if self.inputs is None else dict(self.inputs)
        unknown = [k for k in given if k not in INPUTS]
        if unknown:
            raise ValueError(
                f"inputs has unknown key(s) {unknown}; the Framingham inputs are {list(INPUTS)}."
            )
        specs = {}
        for name in self._equation.inputs:
            spec = given.get(name, name)
            if isinstance(spec, Mapping):
                keys = set(spec)
                rules = keys & {"equals", "greater_than"}
                if "column" not in keys or len(rules) != 1 or keys - {"column"} - rules:
                    raise ValueError(
                        f"inputs[{name!r}] must be a column name or a dict with 'column' and "
                        f"exactly one of 'equals' or 'greater_than'; got {dict(spec)!r}."
                    )
                if name in CONTINUOUS:
                    raise ValueError(
                        f"inputs[{name!r}] must be a column name: {name} is a measurement, "
                        f"not a 0/1 flag; got {dict(spec)!r}."
                    )
            elif not isinstance(spec, str):
                raise TypeError(
                    f"inputs[{name!r}] must be a column name (str) or a dict; got "
                    f"{type(spec).__name__}."
                )
            specs[name] = spec
        return specs

    def _read(self, X) -> tuple[pd.DataFrame, dict]:
        """The model's inputs as floats (sex: 1 = male), unit-checked, NaN where missing."""
        if not isinstance(X, pd.DataFrame):
            raise TypeError(
                f"FraminghamScore needs a pandas DataFrame with named columns; got "
                f"{type(X).__name__}."
            )
        specs = self._specs()
        columns = {n: (s if isinstance(s, str) else s["column"]) for n, s in specs.items()}
        absent = sorted({c for c in columns.values() if c not in X.columns})
        if absent:
            raise ValueError(
                f"X lacks the column(s) {absent} needed by the Framingham score "
                f"{self.model!r} (inputs {list(self._equation.inputs)}). Map the inputs to "
                "your column names, e.g. FraminghamScore(inputs={'total_chol': 'TC', "
                "'smoker': {'column': 'smoking', 'equals': 'current'}})."
            )
        values = pd.DataFrame(index=X.index)
        for name, spec in specs.items():
            column = X[columns[name]]
            if isinstance(spec, Mapping):
                values[name] = _derived_flag(column, spec)
            elif name == "sex":
                values[name] = _read_sex(column, columns[name])
            elif name in FLAGS:
                values[name] = _read_flag(column, name, columns[name])
            else:
                values[name] = _read_number(column, name, columns[name])
        for name in specs:
            if name in CONTINUOUS:
                values[name] = self._check_unit(values[name], name, columns[name])
        return values, columns

    def _check_unit(self, series: pd.Series, name: str, column: str) -> pd.Series:
        observed = series.dropna()
        if observed.empty:
            return series
        median = float(observed.median())
        where = f"{name} (column {column!r})"
        if name == "age" and median > 130:
            raise ValueError(
                f"{where} looks like months or days: median {median:.3g} > 130. The "
                "Framingham equations take years: years = months / 12 = days / 365.25."
            )
        if name in ("sbp", "dbp") and median < 30:
            raise ValueError(
                f"{where} looks like kPa: median {median:.3g} < 30. The Framingham "
                f"equations take mmHg: mmHg = kPa x {KPA_TO_MMHG}."
            )
        if name not in CHOLESTEROL:
            return series
        limit = _MMOL_LIMITS[name]
        if self.units == "mg/dL" and median < limit:
            raise ValueError(
                f"{where} looks like mmol/L: median {median:.3g} < {limit:g}. The "
                "Framingham equations take mg/dL. Declare units='mmol/L' (values are "
                f"multiplied by {MMOL_TO_MG_DL}) or convert the column: mg/dL = mmol/L "
                f"x {MMOL_TO_MG_DL}."
            )
        if self.units == "mmol/L":
            if median > limit:
                raise ValueError(
                    f"{where} looks like mg/dL: median {median:.3g} > {limit:g}, although "
                    "units='mmol/L'. Pass units='mg/dL'."
                )
            return series * MMOL_TO_MG_DL
        return series

    def _prepare(self, X, *, impute: bool) -> pd.DataFrame:
        values, columns = self._read(X)
        if impute and hasattr(self, "impute_values_"):
            values = values.fillna(self.impute_values_)
        missing = values.isna().sum()
        missing = missing[missing > 0]
        if not missing.empty:
            detail = ", ".join(f"{k} ({v} rows)" for k, v in missing.items())
            raise ValueError(
                f"missing Framingham inputs: {detail}. The published equation needs complete "
                "inputs; fit(X) on a training cohort first to impute medians/modes, or drop "
                "those rows."
            )
        measured = [n for n in values.columns if n in CONTINUOUS]
        nonpositive = (values.loc[:, measured] <= 0).any(axis=1)
        if nonpositive.any():
            raise ValueError(
                f"{', '.join(measured)} must be > 0 (measurements; most enter as "
                f"logarithms); {int(nonpositive.sum())} row(s) are not (first positions "
                f"{_positions(nonpositive)})."
            )
        self._check_ranges(values, columns)
        return values

    def _check_ranges(self, values: pd.DataFrame, columns: dict) -> None:
        equation = self._equation
        problems = []
        low, high = equation.age_range
        outside = (values["age"] < low) | (values["age"] > high)
        if outside.any():
            problems.append(
                f"{int(outside.sum())} row(s) have age outside {low:g}-{high:g} years, the "
                f"range of the {equation.title} (first positions {_positions(outside)})."
            )
        for name in values.columns:
            if name not in PLAUSIBLE_RANGES:
                continue
            low, high = PLAUSIBLE_RANGES[name]
            outside = (values[name] < low) | (values[name] > high)
            if outside.any():
                problems.append(
                    f"{int(outside.sum())} row(s) have {name} (column {columns[name]!r}) "
                    f"outside {low:g}-{high:g} {INPUT_UNITS[name]}, riskml's plausible range "
                    f"(first positions {_positions(outside)})."
                )
        if not problems:
            return
        if self.strict:
            raise ValueError(
                " ".join(problems) + " Drop those rows, or pass strict=False to extrapolate."
            )
        for problem in problems:
            warnings.warn(
                problem + " Their risks are extrapolations; strict=True refuses them.",
                OutOfRangeWarning,
                stacklevel=4,
            )

    # ---- the equation ---------------------------------------------------------------

    def _published_risk(self, values: pd.DataFrame, linear: np.ndarray) -> np.ndarray:
        male = values["sex"].to_numpy() == 1.0
        s0_m, mean_m = self._equation.constants("M")
        s0_f, mean_f = self._equation.constants("F")
        s0 = np.where(male, s0_m, s0_f)
        mean = np.where(male, mean_m, mean_f)
        return 1.0 - np.power(s0, np.exp(linear - mean))

    # ---- public API -----------------------------------------------------------------

    def fit(self, X, y=None):
        """Learn imputation values and, with ``recalibrate``, the local calibration.

        Parameters
        ----------
        X : pandas.DataFrame
            With the input columns.
        y : Outcome, structured (event, time) array or 0/1 array, optional
            Needed only with ``recalibrate``.

        Returns
        -------
        self
        """
        self._validate_params()
        for attribute in _LEARNED:
            if hasattr(self, attribute):
                delattr(self, attribute)
        raw, _ = self._read(X)
        empty = [n for n in raw.columns if raw[n].isna().all()]
        if empty:
            raise ValueError(
                f"Framingham input(s) {empty} are missing for every patient in X, so they "
                "cannot be imputed. Map them to the right columns with inputs=... ."
            )
        impute = {}
        for name in raw.columns:
            column = raw[name]
            impute[name] = float(column.median() if name in CONTINUOUS else column.mode().iloc[0])
        self.impute_values_ = impute
        method = self._method()
        self.recalibration_ = method
        if method is None:
            self.horizon_ = TEN_YEARS_DAYS
            return self
        if y is None:
            raise ValueError(
                f"recalibrate={self.recalibrate!r} needs the outcome: fit(X, y) with y "
                "time-to-event (structured array or Outcome) or binary (0/1)."
            )
        outcome = check_outcome(y)
        if len(outcome) != len(X):
            raise ValueError(f"X has {len(X)} rows but y has {len(outcome)}; they must match.")
        values = self._prepare(X, impute=True)
        linear = self._equation.contributions(values).sum(axis=1).to_numpy()
        self.horizon_ = self._fit_horizon()
        if method == "km":
            self._fit_kaplan_meier(outcome, values, linear)
        else:
            self._fit_logistic(outcome, values, linear)
        return self

    def _fit_kaplan_meier(self, outcome, values, linear) -> None:
        male = values["sex"].to_numpy() == 1.0
        pooled = kaplan_meier_survival(outcome, self.horizon_)
        if pooled is None:
            raise ValueError(
                "recalibration needs events: y has no event"
                + (f" by horizon={self.horizon_:g}" if outcome.is_survival else "")
                + ". Use the published model (recalibrate=False) or a longer horizon."
            )
        baseline, means = {}, {}
        for sex, mask in (("F", ~male), ("M", male)):
            s0 = kaplan_meier_survival(outcome[mask], self.horizon_) if mask.any() else None
            if s0 is None:
                warnings.warn(
                    f"no training patients of sex {sex}"
                    + (" with an event" if mask.any() else "")
                    + "; their recalibrated baseline survival is the pooled one.",
                    UserWarning,
                    stacklevel=3,
                )
                s0 = pooled
            baseline[sex] = s0
            means[sex] = (
                float(linear[mask].mean()) if mask.any() else self._equation.constants(sex)[1]
            )
        self.baseline_survival_ = baseline
        self.mean_linear_predictor_ = means
        self.n_recalibration_ = len(outcome)

    def _fit_logistic(self, outcome, values, linear) -> None:
        if outcome.is_survival:
            label = outcome.at_horizon(self.horizon_)
        else:
            label = outcome.event.astype(float)
        keep = ~np.isnan(label)
        if not keep.any():
            raise ValueError(
                f"logistic recalibration needs patients evaluable at horizon="
                f"{self.horizon_:g}: all {len(label)} were censored before it. Choose a "
                "shorter horizon."
            )
        label = label[keep]
        if label.min() == label.max():
            raise ValueError(
                "logistic recalibration needs events and non-events"
                + (f" by horizon={self.horizon_:g}" if outcome.is_survival else "")
                + f"; the {label.size} evaluable training patients all have outcome "
                f"{int(label[0])}. Use recalibrate='km' or another horizon."
            )
        risk = self._published_risk(values, linear)[keep]
        tiny = np.finfo(float).eps
        try:
            fitted = recalibrate_logistic(label, np.clip(risk, tiny, 1.0 - tiny))
        except ValueError as error:
            raise ValueError(
                "logistic recalibration did not converge: the published score separates the "
                "training events from the non-events (or is constant), so the slope has no "
                "finite maximum-likelihood estimate. Use recalibrate='km', or a larger "
                "training cohort."
            ) from error
        self.calibration_intercept_ = fitted.intercept_
        self.calibration_slope_ = fitted.slope_
        self.n_recalibration_ = int(label.size)

    def contributions(self, X) -> pd.DataFrame:
        """Per-factor terms ``beta * x`` of the published linear predictor.

        Parameters
        ----------
        X : pandas.DataFrame

        Returns
        -------
        pandas.DataFrame
            One column per term, index of ``X``. ``dagostino2008_lipid``: ``age``,
            ``total_chol``, ``hdl``, ``sbp`` (beta * ln value; ``sbp`` with the
            treated or untreated slope), ``smoker``, ``diabetes``;
            ``dagostino2008_bmi``: ``age``, ``bmi``, ``sbp``, ``smoker``,
            ``diabetes``; ``atp3_hard_chd``: ``age``, ``age_squared`` (men),
            ``total_chol``, ``hdl``, ``sbp``, ``bp_treated``, ``smoker``,
            ``age_x_total_chol``, ``age_x_smoker``; ``wilson1998_*``: ``age``,
            ``age_squared`` (women), ``total_chol`` or ``ldl``, ``hdl``, ``bp``
            (the category betas), ``diabetes``, ``smoker``. The row sum minus the
            centering constant (``mean``) is the log relative hazard.
        """
        self._validate_params()
        return self._equation.contributions(self._prepare(X, impute=True))

    def predict_risk(self, X, horizon=None):
        """Risk of the model's outcome by ``horizon_`` (a fraction).

        Parameters
        ----------
        X : pandas.DataFrame
        horizon : float, optional
            Ignored: the risk is at the model's own horizon (10 years published;
            ``horizon`` when recalibrated).

        Returns
        -------
        ndarray of float, shape (n_samples,)
            Higher = higher risk.
        """
        self._validate_params()
        return self._risk_from_values(self._prepare(X, impute=True))

    def _risk_from_values(self, values: pd.DataFrame) -> np.ndarray:
        """``predict_risk`` from the prepared inputs (``_prepare``: floats, sex 1 = male,
        imputed), one column per input; each input is read from its own column of X, so
        the explainer evaluates the equation on mixtures of prepared rows directly."""
        linear = self._equation.linear_predictor(values)
        method = getattr(self, "recalibration_", None)
        if method == "logistic":
            risk = self._published_risk(values, linear)
            return expit(self.calibration_intercept_ + self.calibration_slope_ * _logit(risk))
        if method == "km":
            male = values["sex"].to_numpy() == 1.0
            s0 = np.where(male, self.baseline_survival_["M"], self.baseline_survival_["F"])
            mean = np.where(
                male, self.mean_linear_predictor_["M"], self.mean_linear_predictor_["F"]
            )
            return 1.0 - np.power(s0, np.exp(linear - mean))
        return self._published_risk(values, linear)


def _logit(risk: np.ndarray) -> np.ndarray:
    """logit, with risks of exactly 0 or 1 (underflow) kept finite."""
    tiny = np.finfo(float).eps
    return logit(np.clip(risk, tiny, 1.0 - tiny))


def _derived_flag(column: pd.Series, spec: Mapping) -> pd.Series:
    if "equals" in spec:
        flag = (column == spec["equals"]).astype(float)
    else:
        if not pd.api.types.is_numeric_dtype(column):
            raise TypeError(
                f"'greater_than' needs a numeric column; column {column.name!r} has dtype "
                f"{column.dtype}. Use 'equals' for a categorical column."
            )
        flag = (column > spec["greater_than"]).astype(float)
    return flag.where(column.notna())


def _read_sex(column: pd.Series, name: str) -> pd.Series:
    if pd.api.types.is_numeric_dtype(column) or pd.api.types.is_bool_dtype(column):
        raise ValueError(
            f"the sex column {name!r} is numeric ({sorted(column.dropna().unique())[:4]}), so "
            f"which value means male is ambiguous. Say it: inputs={{'sex': {{'column': "
            f"{name!r}, 'equals': <value for male>}}}}."
        )
    words = column.astype("object").where(column.notna())
    # one lookup per distinct value (explanations call this on millions of rows)
    lookup = {v: _SEX_WORDS.get(str(v).strip().lower(), -1.0) for v in pd.unique(words.dropna())}
    coded = words.map(lookup)
    bad = coded == -1.0
    if bad.any():
        raise ValueError(
            f"the sex column {name!r} holds values other than M/F (male/female): "
            f"{sorted(map(str, column[bad].unique()))[:5]} at positions {_positions(bad)}. Map "
            f"it with inputs={{'sex': {{'column': {name!r}, 'equals': <value for male>}}}}."
        )
    return coded.astype(float)


def _read_flag(column: pd.Series, name: str, source: str) -> pd.Series:
    if pd.api.types.is_bool_dtype(column) or pd.api.types.is_numeric_dtype(column):
        numbers = column.astype(float)
        bad = numbers.notna() & ~numbers.isin((0.0, 1.0))
        if not bad.any():
            return numbers
    raise ValueError(
        f"{name} (column {source!r}) must hold 0/1 or True/False; got values like "
        f"{sorted(map(str, column.dropna().unique()))[:5]}. Derive the flag with "
        f"inputs={{{name!r}: {{'column': {source!r}, 'equals': <yes value>}}}} or "
        "'greater_than'."
    )


def _read_number(column: pd.Series, name: str, source: str) -> pd.Series:
    if pd.api.types.is_bool_dtype(column) or not pd.api.types.is_numeric_dtype(column):
        raise TypeError(
            f"{name} (column {source!r}) must be numeric; got dtype {column.dtype}. Convert "
            "it, e.g. pandas.to_numeric(column)."
        )
    return column.astype(float)
