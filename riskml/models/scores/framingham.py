"""The Framingham general cardiovascular risk score (D'Agostino 2008), with recalibration."""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from numbers import Real

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator
from sklearn.utils._param_validation import Interval, StrOptions

from ...outcome import check_outcome
from .._base import RiskEstimatorMixin

__all__ = ["FraminghamScore", "OutOfRangeWarning", "COEFFICIENTS"]

#: Published coefficients (D'Agostino 2008, Table 2 / FHS "Primary Model"), by sex.
#: ``s0`` is the 10-year baseline survival, ``mean`` the mean of the sum of beta * x.
COEFFICIENTS = {
    "dagostino2008_lipid": {
        "M": {
            "age": 3.06117,
            "total_chol": 1.12370,
            "hdl": -0.93263,
            "sbp_untreated": 1.93303,
            "sbp_treated": 1.99881,
            "smoker": 0.65451,
            "diabetes": 0.57367,
            "s0": 0.88936,
            "mean": 23.9802,
        },
        "F": {
            "age": 2.32888,
            "total_chol": 1.20904,
            "hdl": -0.70833,
            "sbp_untreated": 2.76157,
            "sbp_treated": 2.82263,
            "smoker": 0.52873,
            "diabetes": 0.69154,
            "s0": 0.95012,
            "mean": 26.1931,
        },
    }
}

INPUTS = ("sex", "age", "total_chol", "hdl", "sbp", "bp_treated", "smoker", "diabetes")
CONTINUOUS = ("age", "total_chol", "hdl", "sbp")
FLAGS = ("bp_treated", "smoker", "diabetes")
TERMS = ("age", "total_chol", "hdl", "sbp", "smoker", "diabetes")
MMOL_TO_MG_DL = 38.67  # cholesterol, mg/dL per mmol/L
# Medians beyond these are implausible in the declared unit (mg/dL: TC ~ 200, HDL ~ 50).
_MMOL_LIMITS = {"total_chol": 20.0, "hdl": 5.0}
AGE_RANGE = (30.0, 74.0)
TEN_YEARS_DAYS = 3652.5
_SEX_WORDS = {"m": 1.0, "male": 1.0, "man": 1.0, "f": 0.0, "female": 0.0, "woman": 0.0}


class OutOfRangeWarning(UserWarning):
    """Inputs outside the range a published score was derived on."""


def _positions(mask) -> list[int]:
    return np.flatnonzero(np.asarray(mask))[:5].tolist()


class FraminghamScore(RiskEstimatorMixin, BaseEstimator):
    """D'Agostino 2008 general cardiovascular risk (laboratory form), optionally recalibrated.

    ``risk = 1 - S0 ** exp(sum(beta * x) - mean)`` with sex-specific coefficients on
    ln(age), ln(total cholesterol), ln(HDL), ln(SBP) (treated or untreated
    slope), current smoking and diabetes.

    Parameters
    ----------
    model : {"dagostino2008_lipid"}, default="dagostino2008_lipid"
        The published equation.
    recalibrate : bool, default=False
        In ``fit``, replace each sex's baseline survival by the training cohort's
        Kaplan-Meier survival at ``horizon_days`` and its mean linear predictor by
        the cohort's mean (D'Agostino 2001; Wu 2020).
    horizon_days : float, default=3652.5
        Horizon of the recalibrated risks, in days (10 years by default; the Wu
        2020 design uses 1004).
    inputs : dict, optional
        Maps the Framingham inputs (``sex``, ``age``, ``total_chol``, ``hdl``,
        ``sbp``, ``bp_treated``, ``smoker``, ``diabetes``) to the columns of ``X``:
        a column name, or ``{"column": name, "equals": value}`` /
        ``{"column": name, "greater_than": value}`` for a derived 0/1 flag (for
        ``sex`` the flag means male). Unmapped inputs are read from the column of
        the same name. ``sex`` columns hold "M"/"F" (or male/female).
    units : {"mg/dL", "mmol/L"}, default="mg/dL"
        Unit of the cholesterol columns; mmol/L values are multiplied by 38.67.
    strict : bool, default=False
        Refuse (ValueError) instead of warning about ages outside 30-74 years.

    Attributes
    ----------
    impute_values_ : dict
        Median (continuous inputs) or mode (flags, sex) of each input in the
        training data, used for missing values at prediction.
    baseline_survival_ : dict
        ``{"F": S0, "M": S0}`` at ``horizon_days_``.
    mean_linear_predictor_ : dict
        ``{"F": mean, "M": mean}``.
    horizon_days_ : float
        The horizon of the predicted risks.

    Notes
    -----
    Without ``fit`` the published model predicts for complete inputs. ``fit(X)``
    learns imputation only; with ``recalibrate=True`` it also needs ``y``: time to
    event (Kaplan-Meier at ``horizon_days``) or a binary outcome (baseline survival
    1 - event rate). Recalibration is sex-specific, as the equations are; a sex
    with no training patients or no events keeps the pooled baseline (and, without
    patients, the published mean), with a warning. ``predict_risk`` returns the
    risk at ``horizon_days_`` whatever its ``horizon`` argument. The equation was
    derived on ages 30-74 without cardiovascular disease.

    References
    ----------
    D'Agostino RB Sr, Vasan RS, Pencina MJ, et al. General cardiovascular risk
    profile for use in primary care: the Framingham Heart Study. Circulation.
    2008;117(6):743-753. doi:10.1161/CIRCULATIONAHA.107.699579

    D'Agostino RB Sr, Grundy S, Sullivan LM, Wilson P. Validation of the Framingham
    coronary heart disease prediction scores: results of a multiple ethnic groups
    investigation. JAMA. 2001;286(2):180-187.

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
    """

    outcome_kind = "any"

    _parameter_constraints = {
        "model": [StrOptions(set(COEFFICIENTS))],
        "recalibrate": ["boolean"],
        "horizon_days": [Interval(Real, 0, None, closed="neither")],
        "inputs": [Mapping, None],
        "units": [StrOptions({"mg/dL", "mmol/L"})],
        "strict": ["boolean"],
    }

    def __init__(
        self,
        model="dagostino2008_lipid",
        recalibrate=False,
        horizon_days=TEN_YEARS_DAYS,
        inputs=None,
        units="mg/dL",
        strict=False,
    ):
        self.model = model
        self.recalibrate = recalibrate
        self.horizon_days = horizon_days
        self.inputs = inputs
        self.units = units
        self.strict = strict

    # ---- reading the inputs -------------------------------------------------------

    def _specs(self) -> dict:
        """Each input's column spec, validated."""
        given = {} if self.inputs is None else dict(self.inputs)
        unknown = [k for k in given if k not in INPUTS]
        if unknown:
            raise ValueError(
                f"inputs has unknown key(s) {unknown}; the Framingham inputs are {list(INPUTS)}."
            )
        specs = {}
        for name in INPUTS:
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

    def _read(self, X) -> pd.DataFrame:
        """The eight inputs as floats (sex: 1 = male), unit-checked, NaN where missing."""
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
                f"X lacks the column(s) {absent} needed by the Framingham score. Map the "
                "inputs to your column names, e.g. FraminghamScore(inputs={'total_chol': "
                "'TC', 'smoker': {'column': 'smoking', 'equals': 'current'}})."
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
        for name in ("total_chol", "hdl"):
            values[name] = self._convert_cholesterol(values[name], name, columns[name])
        return values

    def _convert_cholesterol(self, series: pd.Series, name: str, column: str) -> pd.Series:
        observed = series.dropna()
        if observed.empty:
            return series
        median = float(observed.median())
        limit = _MMOL_LIMITS[name]
        if self.units == "mg/dL" and median < limit:
            raise ValueError(
                f"{name} (column {column!r}) looks like mmol/L: median {median:.3g} < {limit:g}. "
                "The D'Agostino 2008 equation takes mg/dL. Declare units='mmol/L' (values "
                f"are multiplied by {MMOL_TO_MG_DL}) or convert the column: mg/dL = mmol/L "
                f"x {MMOL_TO_MG_DL}."
            )
        if self.units == "mmol/L":
            if median > limit:
                raise ValueError(
                    f"{name} (column {column!r}) looks like mg/dL: median {median:.3g} > "
                    f"{limit:g}, although units='mmol/L'. Pass units='mg/dL'."
                )
            return series * MMOL_TO_MG_DL
        return series

    def _prepare(self, X, *, impute: bool) -> pd.DataFrame:
        values = self._read(X)
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
        nonpositive = (values.loc[:, list(CONTINUOUS)] <= 0).any(axis=1)
        if nonpositive.any():
            raise ValueError(
                f"age, total_chol, hdl and sbp must be > 0 (they enter as logarithms); "
                f"{int(nonpositive.sum())} row(s) are not (first positions "
                f"{_positions(nonpositive)})."
            )
        low, high = AGE_RANGE
        outside = (values["age"] < low) | (values["age"] > high)
        if outside.any():
            message = (
                f"{int(outside.sum())} row(s) have age outside {low:g}-{high:g} years, the "
                f"range the D'Agostino 2008 equation was derived on (first positions "
                f"{_positions(outside)})."
            )
            if self.strict:
                raise ValueError(message + " Drop them, or pass strict=False to extrapolate.")
            warnings.warn(
                message + " Their risks are extrapolations; strict=True refuses them.",
                OutOfRangeWarning,
                stacklevel=3,
            )
        return values

    # ---- the equation ---------------------------------------------------------------

    def _terms(self, values: pd.DataFrame) -> pd.DataFrame:
        table = COEFFICIENTS[self.model]
        male = values["sex"].to_numpy() == 1.0
        treated = values["bp_treated"].to_numpy() == 1.0

        def beta(term):
            return np.where(male, table["M"][term], table["F"][term])

        sbp_beta = np.where(treated, beta("sbp_treated"), beta("sbp_untreated"))
        return pd.DataFrame(
            {
                "age": beta("age") * np.log(values["age"].to_numpy()),
                "total_chol": beta("total_chol") * np.log(values["total_chol"].to_numpy()),
                "hdl": beta("hdl") * np.log(values["hdl"].to_numpy()),
                "sbp": sbp_beta * np.log(values["sbp"].to_numpy()),
                "smoker": beta("smoker") * values["smoker"].to_numpy(),
                "diabetes": beta("diabetes") * values["diabetes"].to_numpy(),
            },
            index=values.index,
        )

    def _baseline(self) -> tuple[dict, dict]:
        if hasattr(self, "baseline_survival_"):
            return self.baseline_survival_, self.mean_linear_predictor_
        table = COEFFICIENTS[self.model]
        return (
            {s: table[s]["s0"] for s in ("F", "M")},
            {s: table[s]["mean"] for s in ("F", "M")},
        )

    # ---- public API -----------------------------------------------------------------

    def fit(self, X, y=None):
        """Learn imputation values and, with ``recalibrate=True``, the local baseline.

        Parameters
        ----------
        X : pandas.DataFrame
            With the input columns.
        y : Outcome, structured (event, time) array or 0/1 array, optional
            Needed only with ``recalibrate=True``.

        Returns
        -------
        self
        """
        self._validate_params()
        for attribute in ("baseline_survival_", "mean_linear_predictor_", "impute_values_"):
            if hasattr(self, attribute):
                delattr(self, attribute)
        raw = self._read(X)
        empty = [n for n in INPUTS if raw[n].isna().all()]
        if empty:
            raise ValueError(
                f"Framingham input(s) {empty} are missing for every patient in X, so they "
                "cannot be imputed. Map them to the right columns with inputs=... ."
            )
        impute = {n: float(raw[n].median()) for n in CONTINUOUS}
        for name in ("sex", *FLAGS):
            impute[name] = float(raw[name].mode().iloc[0])
        self.impute_values_ = impute
        _, published_mean = self._baseline()
        if not self.recalibrate:
            self.horizon_days_ = TEN_YEARS_DAYS
            return self
        if y is None:
            raise ValueError(
                "recalibrate=True needs the outcome: fit(X, y) with y time-to-event "
                "(structured array or Outcome) or binary (0/1)."
            )
        outcome = check_outcome(y)
        if len(outcome) != len(X):
            raise ValueError(f"X has {len(X)} rows but y has {len(outcome)}; they must match.")
        values = self._prepare(X, impute=True)
        linear = self._terms(values).sum(axis=1).to_numpy()
        male = values["sex"].to_numpy() == 1.0
        pooled = self._baseline_survival(outcome)
        if pooled is None:
            raise ValueError(
                "recalibration needs events: y has no event"
                + (f" by horizon_days={self.horizon_days}" if outcome.is_survival else "")
                + ". Use the published model (recalibrate=False) or a longer horizon."
            )
        baseline, means = {}, {}
        for sex, mask in (("F", ~male), ("M", male)):
            s0 = self._baseline_survival(outcome[mask]) if mask.any() else None
            if s0 is None:
                warnings.warn(
                    f"no training patients of sex {sex}"
                    + (" with an event" if mask.any() else "")
                    + "; their recalibrated baseline survival is the pooled one.",
                    UserWarning,
                    stacklevel=2,
                )
                s0 = pooled
            baseline[sex] = s0
            means[sex] = float(linear[mask].mean()) if mask.any() else published_mean[sex]
        self.baseline_survival_ = baseline
        self.mean_linear_predictor_ = means
        self.horizon_days_ = float(self.horizon_days)
        return self

    def _baseline_survival(self, outcome) -> float | None:
        """Kaplan-Meier S(horizon_days) (or 1 - event rate); None without events."""
        if len(outcome) == 0:
            return None
        if not outcome.is_survival:
            rate = float(outcome.event.mean())
            return None if rate == 0.0 else 1.0 - rate
        if not (outcome.event & (outcome.time <= self.horizon_days)).any():
            return None
        from lifelines import KaplanMeierFitter

        km = KaplanMeierFitter().fit(outcome.time, outcome.event)
        return float(km.survival_function_at_times(self.horizon_days).iloc[0])

    def contributions(self, X) -> pd.DataFrame:
        """Per-factor terms beta * x of the linear predictor.

        Parameters
        ----------
        X : pandas.DataFrame

        Returns
        -------
        pandas.DataFrame
            Columns ``age``, ``total_chol``, ``hdl``, ``sbp`` (beta * ln value;
            ``sbp`` uses the treated or untreated slope), ``smoker`` and
            ``diabetes``; index of ``X``. Their row sum minus the mean linear
            predictor is the log relative hazard.
        """
        self._validate_params()
        return self._terms(self._prepare(X, impute=True))

    def predict_risk(self, X, horizon=None):
        """Risk of a first cardiovascular event by ``horizon_days_`` (a fraction).

        Parameters
        ----------
        X : pandas.DataFrame
        horizon : float, optional
            Ignored: the risk is at the model's own horizon (10 years published;
            ``horizon_days`` when recalibrated).

        Returns
        -------
        ndarray of float, shape (n_samples,)
            Higher = higher risk.
        """
        self._validate_params()
        values = self._prepare(X, impute=True)
        linear = self._terms(values).sum(axis=1).to_numpy()
        baseline, means = self._baseline()
        male = values["sex"].to_numpy() == 1.0
        s0 = np.where(male, baseline["M"], baseline["F"])
        mean = np.where(male, means["M"], means["F"])
        return 1.0 - np.power(s0, np.exp(linear - mean))


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
    coded = words.map(lambda v: _SEX_WORDS.get(str(v).strip().lower(), -1.0) if pd.notna(v) else v)
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
