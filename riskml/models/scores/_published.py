"""A published risk model defined by a coefficient table in a YAML file, with the riskml
model contract and recalibration to a local cohort."""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from numbers import Real

import numpy as np
import pandas as pd
from scipy.special import expit
from sklearn.base import BaseEstimator
from sklearn.utils._param_validation import Interval, StrOptions

from ...outcome import check_outcome
from .._base import RiskEstimatorMixin
from ._definition import load_definition
from ._expressions import NonPositiveLogError
from ._inputs import read_inputs
from .framingham import OutOfRangeWarning, _positions

__all__ = ["PublishedModel", "published_model"]

_METHODS = ("intercept", "slope", "refit", "km")
_LEARNED = (
    "impute_values_",
    "recalibration_",
    "horizon_",
    "calibration_intercept_",
    "calibration_slope_",
    "baseline_survival_",
    "mean_linear_predictor_",
    "refit_coefficients_",
    "n_recalibration_",
)


class PublishedModel(RiskEstimatorMixin, BaseEstimator):
    """A published risk model read from a coefficient table, optionally recalibrated.

    The model file (YAML; format in ``docs/reference_scores.md``) declares the inputs
    with their units and ranges, the terms (``log(age)``, ``(min(sbp, 110) - 110) /
    20``, ``log(age) * log(hdl)``, ``sex == "M"``, ...), the link and one coefficient
    table per equation (e.g. per sex and race). Bundled: ``"pce"`` (Pooled Cohort
    Equations, Goff 2013), ``"prevent_cvd_10y"`` (PREVENT base model, 10-year total
    CVD, Khan 2024) and the Framingham family (``"dagostino2008_lipid"``,
    ``"dagostino2008_bmi"``, ``"atp3_hard_chd"``, ``"wilson1998_tc"``,
    ``"wilson1998_ldl"``, the numbers of :class:`~riskml.models.FraminghamScore`).

    Parameters
    ----------
    model : str, path or mapping, default="pce"
        A bundled name, the path of a ``.yaml`` file or the file's content as a dict.
    inputs : dict, optional
        Maps input names to the columns of ``X``: a column name, or ``{"column": c,
        "equals": v}`` / ``{"column": c, "greater_than": v}`` for a 0/1 flag (for a
        two-level category, the flag means its ``flag_level``, e.g. male), or
        ``{"column": c, "levels": {value: level}}`` for a category. Unmapped inputs
        are read from the column of the same name; mapped inputs the model does not
        use are ignored, so one mapping serves several models.
    units : str or dict, optional
        The unit of input columns that are not in the file's unit, e.g.
        ``{"total_chol": "mmol/L"}``, or one unit for every input that accepts it
        (``"mmol/L"``); only the alternatives the file lists (``units:``) are
        accepted, converted by their factor.
    recalibrate : {False, "intercept", "slope", "refit", "km"}, default=False
        What ``fit`` learns from the training outcome, on the label "event by
        ``horizon``" (patients censored before it are left out; a binary ``y`` is
        used as is). ``"intercept"``: ``expit(a + logit(risk))``, recalibration in
        the large (:func:`~riskml.evaluation.recalibrate_intercept`); ``"slope"``
        (alias ``"logistic"``): ``expit(a + b logit(risk))``
        (:func:`~riskml.evaluation.recalibrate_logistic`, as FraminghamScore's
        ``"logistic"``); ``"refit"``: every coefficient of each equation and an
        intercept re-estimated by unpenalised logistic regression on the model's
        terms (:class:`~riskml.models.LogisticRisk`); ``"km"`` (Cox-type models):
        each equation's baseline survival becomes the cohort's Kaplan-Meier
        survival at ``horizon`` and its mean the cohort's mean linear predictor, as
        FraminghamScore's ``"km"``.
    horizon : float, optional
        Horizon of the recalibrated risk in days; None: the model's own
        (``horizon_years`` x 365.25).
    strict : bool, default=False
        Refuse (ValueError) instead of warning (:class:`OutOfRangeWarning`) about
        inputs outside the ranges the file gives.

    Attributes
    ----------
    impute_values_ : dict
        Median (numbers) or mode (flags, categories) of each input in the training
        data, used for missing values at prediction.
    recalibration_ : {None, "intercept", "slope", "refit", "km"}
    horizon_ : float
        The horizon of the predicted risks, in days.
    calibration_intercept_, calibration_slope_ : float
        ``"intercept"`` and ``"slope"`` only.
    baseline_survival_, mean_linear_predictor_ : dict
        Per equation label (``"km"`` only).
    refit_coefficients_ : dict
        Per equation label, ``{"intercept": a, term: beta, ...}`` (``"refit"`` only).
    n_recalibration_ : int

    Notes
    -----
    Without ``fit`` the published model predicts for complete inputs.
    ``predict_risk`` gives the risk at the model's horizon (published, or
    ``horizon`` when recalibrated) and refuses another horizon. Numbers outside
    the file's ``median_range`` (a column in the wrong unit: mmol/L for mg/dL,
    months for years) are refused, naming the conversion.

    References
    ----------
    Goff DC Jr, Lloyd-Jones DM, Bennett G, et al. 2013 ACC/AHA guideline on the
    assessment of cardiovascular risk. Circulation. 2014;129(25 Suppl 2):S49-S73.

    Khan SS, Matsushita K, Sang Y, et al. Development and validation of the American
    Heart Association's PREVENT equations. Circulation. 2024;149(6):430-449.

    Steyerberg EW. Clinical Prediction Models, 2nd ed. Springer; 2019 (ch. 20,
    updating: recalibration in the large, logistic recalibration, model revision).

    Examples
    --------
    >>> import pandas as pd
    >>> X = pd.DataFrame({"sex": ["F", "F", "M", "M"], "race": ["white", "african_american"] * 2,
    ...                   "age": 55, "total_chol": 213, "hdl": 50, "sbp": 120,
    ...                   "bp_treated": 0, "smoker": 0, "diabetes": 0})
    >>> (100 * published_model("pce").predict_risk(X)).round(1).tolist()
    [2.1, 3.0, 5.4, 6.1]
    """

    outcome_kind = "any"

    _parameter_constraints = {
        "model": "no_validation",  # checked by load_definition
        "inputs": [Mapping, None],
        "units": [str, Mapping, None],
        "recalibrate": ["boolean", StrOptions({*_METHODS, "logistic"})],
        "horizon": [Interval(Real, 0, None, closed="neither"), None],
        "strict": ["boolean"],
    }

    def __init__(
        self, model="pce", inputs=None, units=None, recalibrate=False, horizon=None, strict=False
    ):
        self.model = model
        self.inputs = inputs
        self.units = units
        self.recalibrate = recalibrate
        self.horizon = horizon
        self.strict = strict

    # ---- the definition ---------------------------------------------------------------
    @property
    def definition(self):
        """The checked model file (:class:`ModelDefinition`: inputs, equations, citation)."""
        return load_definition(self.model)

    def input_columns(self) -> list[str]:
        """The columns of ``X`` the model reads, after the ``inputs`` mapping."""
        from ._inputs import input_specs

        specs = input_specs(self.definition, self.inputs)
        columns = [s if isinstance(s, str) else s["column"] for s in specs.values()]
        return list(dict.fromkeys(columns))

    def coefficient_table(self) -> pd.DataFrame:
        """One row per equation and term: ``equation``, ``term``, ``formula``, ``coefficient``.

        The constants (``baseline_survival`` and ``mean``, or ``intercept``) are rows
        too, with an empty formula.
        """
        rows = []
        for equation in self.definition.equations:
            for term, beta in equation.coefficients.items():
                rows.append((equation.label, term, equation.terms[term].text, beta))
            for constant in ("baseline_survival", "mean", "intercept"):
                value = getattr(equation, constant)
                if value is not None:
                    rows.append((equation.label, constant, "", value))
        return pd.DataFrame(rows, columns=["equation", "term", "formula", "coefficient"])

    # ---- reading and evaluating ---------------------------------------------------------
    def _values(self, X, *, impute: bool):
        definition = self.definition
        values, columns = read_inputs(definition, X, self.inputs, self.units)
        if impute and hasattr(self, "impute_values_"):
            values = values.fillna(self.impute_values_)
        missing = values.isna().sum()
        missing = missing[missing > 0]
        if not missing.empty:
            detail = ", ".join(f"{k} ({v} rows)" for k, v in missing.items())
            raise ValueError(
                f"missing inputs of {definition.name!r}: {detail}. The published model needs "
                "complete inputs; fit(X) on a training cohort first to impute medians/modes, or "
                "drop those rows."
            )
        self._check_ranges(values, columns)
        return values

    def _check_ranges(self, values, columns) -> None:
        definition = self.definition
        problems = []
        for name, spec in definition.inputs.items():
            if spec.range is None or name not in values.columns:
                continue
            low, high = spec.range
            outside = (values[name] < low) | (values[name] > high)
            if outside.any():
                problems.append(
                    f"{int(outside.sum())} row(s) have {name} (column {columns[name]!r}) outside "
                    f"{low:g}-{high:g} {spec.unit}, the range of {definition.title}"
                    + (f" ({definition.range_source})" if definition.range_source else "")
                    + f" (first positions {_positions(outside)})."
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

    def _terms(self, values):
        """``(equation index per row, term DataFrame)``: each row's terms under its equation."""
        definition = self.definition
        index = np.full(len(values), -1)
        levels = {n: values[n].to_numpy() for n in definition.categories}
        for position, equation in enumerate(definition.equations):
            mask = np.ones(len(values), dtype=bool)
            for name, allowed in equation.when.items():
                mask &= np.isin(levels[name], allowed)
            index[mask & (index < 0)] = position
        namespace = {n: values[n].to_numpy() for n in values.columns}
        terms = pd.DataFrame(0.0, index=values.index, columns=list(definition.term_names))
        for position, equation in enumerate(definition.equations):
            rows = index == position
            if not rows.any():
                continue
            local = {n: v[rows] for n, v in namespace.items()}
            for name, formula in equation.terms.items():
                try:
                    local[name] = np.broadcast_to(formula.evaluate(local), (int(rows.sum()),))
                except NonPositiveLogError as error:
                    bad = np.zeros(len(values), dtype=bool)
                    bad[np.flatnonzero(rows)[error.mask]] = True
                    raise ValueError(
                        f"term {name!r} = {formula.text} takes the log of a value <= 0 in "
                        f"{int(bad.sum())} row(s) (first positions {_positions(bad)}); "
                        f"{sorted(formula.names)} must be > 0 there."
                    ) from None
                if name in terms.columns:
                    terms.loc[rows, name] = local[name]
        return index, terms

    def _published_parts(self, values):
        """``(equation index, contributions beta * term, offset)``; lp = sum + offset."""
        index, terms = self._terms(values)
        equations = self.definition.equations
        betas = np.array(
            [[e.coefficients.get(t, 0.0) for t in terms.columns] for e in equations]
        ).reshape(len(equations), terms.shape[1])
        contributions = terms * betas[index]
        if self.definition.link == "logistic":
            offset = np.array([e.intercept for e in equations])[index]
        else:
            offset = -np.array([e.mean for e in equations])[index]
        return index, contributions, offset

    def _published_risk(self, index, linear):
        if self.definition.link == "logistic":
            return expit(linear)
        s0 = np.array([e.baseline_survival for e in self.definition.equations])[index]
        return -np.expm1(np.exp(linear) * np.log(s0))

    # ---- public API ---------------------------------------------------------------------
    def fit(self, X, y=None):
        """Learn imputation values and, with ``recalibrate``, the local calibration.

        Parameters
        ----------
        X : pandas.DataFrame
        y : Outcome, structured (event, time) array or 0/1 array, optional
            Needed only with ``recalibrate``.

        Returns
        -------
        self
        """
        from ._recalibrate_published import fit_recalibration

        self._validate_params()
        for attribute in _LEARNED:
            if hasattr(self, attribute):
                delattr(self, attribute)
        raw, _ = read_inputs(self.definition, X, self.inputs, self.units)
        empty = [n for n in raw.columns if raw[n].isna().all()]
        if empty:
            raise ValueError(
                f"input(s) {empty} of {self.definition.name!r} are missing for every patient in "
                "X, so they cannot be imputed. Map them to the right columns with inputs=... ."
            )
        kinds = {n: spec.kind for n, spec in self.definition.inputs.items()}
        self.impute_values_ = {
            n: (float(raw[n].median()) if kinds[n] == "number" else raw[n].mode().iloc[0])
            for n in raw.columns
        }
        method = {True: "km", "logistic": "slope"}.get(self.recalibrate, self.recalibrate)
        self.recalibration_ = method or None
        self.horizon_ = float(self.horizon or self.definition.horizon_days)
        if not method:
            self.horizon_ = self.definition.horizon_days
            return self
        if y is None:
            raise ValueError(
                f"recalibrate={self.recalibrate!r} needs the outcome: fit(X, y) with y "
                "time-to-event (structured array or Outcome) or binary (0/1)."
            )
        outcome = check_outcome(y)
        if len(outcome) != len(X):
            raise ValueError(f"X has {len(X)} rows but y has {len(outcome)}; they must match.")
        values = self._values(X, impute=True)
        fit_recalibration(self, method, outcome, values)
        return self

    def linear_predictor(self, X) -> np.ndarray:
        """The published linear predictor (intercept or ``- mean`` included)."""
        self._validate_params()
        _, contributions, offset = self._published_parts(self._values(X, impute=True))
        return contributions.sum(axis=1).to_numpy() + offset

    def contributions(self, X) -> pd.DataFrame:
        """Per-term ``beta * term`` of the published equations (0 where a term is unused).

        The row sum plus the intercept (logistic link) or minus the ``mean`` (Cox
        link) is :meth:`linear_predictor`.
        """
        self._validate_params()
        return self._published_parts(self._values(X, impute=True))[1]

    def predict_risk(self, X, horizon=None):
        """Risk of the model's outcome by its horizon (a fraction).

        Parameters
        ----------
        X : pandas.DataFrame
        horizon : float, optional
            Days; must be the model's horizon (``horizon_``: the published one, or
            ``horizon`` when recalibrated) or None.

        Returns
        -------
        ndarray of float, shape (n_samples,)
            Higher = higher risk.
        """
        from ._recalibrate_published import recalibrated_risk

        self._validate_params()
        own = getattr(self, "horizon_", self.definition.horizon_days)
        if horizon is not None and not np.isclose(float(horizon), own):
            raise ValueError(
                f"{self.definition.name!r} predicts the risk by {own:g} days "
                f"({own / 365.25:g} years) only; got horizon={horizon!r}. Pass horizon=None, or "
                f"recalibrate to your horizon: PublishedModel({self.definition.name!r}, "
                f"recalibrate='slope', horizon={horizon!r}).fit(X, y)."
            )
        values = self._values(X, impute=True)
        index, contributions, offset = self._published_parts(values)
        linear = contributions.sum(axis=1).to_numpy() + offset
        method = getattr(self, "recalibration_", None)
        if method is None:
            return self._published_risk(index, linear)
        return recalibrated_risk(self, method, index, values, linear)


def published_model(name_or_path="pce", **params) -> PublishedModel:
    """A :class:`PublishedModel` for a bundled name, a ``.yaml`` path or a mapping.

    The file is read and checked now, so a broken file fails here with the key to fix.

    Parameters
    ----------
    name_or_path : str, path or mapping, default="pce"
    **params
        Parameters of :class:`PublishedModel` (``inputs``, ``units``,
        ``recalibrate``, ``horizon``, ``strict``).

    Returns
    -------
    PublishedModel

    Examples
    --------
    >>> published_model("prevent_cvd_10y").definition.title
    'PREVENT base model (Khan 2024): 10-year risk of total cardiovascular disease'
    """
    model = PublishedModel(model=name_or_path, **params)
    load_definition(name_or_path)
    return model
