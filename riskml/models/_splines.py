"""Restricted cubic splines inside the logistic and Cox models: the ``splines=`` parameter,
the likelihood-ratio tests of non-linearity and the partial effects, as rms reports them."""

from __future__ import annotations

from numbers import Integral

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.utils.validation import check_is_fitted

from ..features import RestrictedCubicSpline
from ..utils.parallel import silenced

__all__ = ["CoxSplineTerms", "LogisticSplineTerms", "SplineTermsMixin"]

#: The row of :meth:`SplineTermsMixin.nonlinearity_test` that tests every spline at once.
TOTAL_NONLINEAR = "TOTAL NONLINEAR"


def _reference_value(values: np.ndarray) -> float:
    """rms ``datadist``'s "Adjust to" value of a numeric column.

    The smallest of 2 distinct values (0 of a 0/1 column), the middle one of 3, else the
    median.
    """
    distinct = np.unique(values)
    if distinct.size == 0:  # no values: the model refuses the column itself
        return np.nan
    if distinct.size < 3:
        return float(distinct[0])
    if distinct.size == 3:
        return float(distinct[1])
    return float(np.median(values))


def _display_range(values: np.ndarray) -> tuple[float, float]:
    """rms ``datadist``'s "Low:prediction" and "High:prediction" of a numeric column.

    The quantiles (R's type 7) at ``q`` and ``1 - q`` with ``q = 10 / max(n, 200)``;
    the range for fewer than 4 distinct values or when the two coincide.
    """
    distinct = np.unique(values)
    if distinct.size == 0:
        return np.nan, np.nan
    if distinct.size < 4:
        return float(distinct[0]), float(distinct[-1])
    q = 10 / max(values.size, 200)
    low, high = np.quantile(np.sort(values), [q, 1 - q])
    if low == high:
        return float(distinct[0]), float(distinct[-1])
    return float(low), float(high)


class SplineTermsMixin:
    """The ``splines=`` parameter of :class:`LogisticRisk` and :class:`CoxPH`.

    A model using it calls :meth:`_fit_splines` on its checked input frame in ``fit``
    (and :meth:`_spline_terms` on every frame it predicts), fits itself on the spline
    terms, then calls :meth:`_spline_results` with those terms and the outcome. The
    model provides ``_log_likelihood(terms, outcome)`` (the maximised log-likelihood of its
    fit, or None when no likelihood-ratio test applies, with ``_no_lr_test_reason()``),
    ``_partial_effect_terms(terms)`` (the linear predictor and its standard error) and
    ``_effect_label`` (its scale).
    """

    def _spline_spec(self) -> dict:
        """``splines`` as ``{column: n_knots or knots}``; empty for None."""
        splines = self.splines
        who = f"{type(self).__name__}(splines=...)"
        if splines is None:
            return {}
        if isinstance(splines, str):
            return {splines: 5}
        if isinstance(splines, list | tuple) and all(isinstance(c, str) for c in splines):
            if len(set(splines)) != len(splines):
                raise ValueError(f"{who} names a column twice: {list(splines)}.")
            return dict.fromkeys(splines, 5)
        if isinstance(splines, dict) and all(isinstance(c, str) for c in splines):
            for column, value in splines.items():
                is_count = isinstance(value, Integral) and not isinstance(value, bool)
                if not (is_count or (hasattr(value, "__len__") and not isinstance(value, str))):
                    raise TypeError(
                        f"{who}: the value for {column!r} must be a number of knots (e.g. 4) "
                        f"or a list of knots (e.g. [45, 60, 75]); got {value!r}."
                    )
            return dict(splines)
        raise TypeError(
            f"{who} takes a column name, a list of column names (5 knots each, rms's "
            "default) or a dict {column: number of knots or list of knots}, e.g. "
            f"splines={{'age': 4}}; got {splines!r}."
        )

    def _spline_excluded(self) -> list[str]:
        """Columns that are not covariates (a Cox model's strata): passed through."""
        return []

    def _fit_splines(self, frame: pd.DataFrame) -> pd.DataFrame:
        """``frame`` with the ``splines`` columns replaced by their terms (learned here)."""
        spec = self._spline_spec()
        for name in ("splines_", "nonlinearity_", "adjust_to_", "display_range_"):
            self.__dict__.pop(name, None)  # a refit starts afresh
        if not spec:
            return frame
        excluded = self._spline_excluded()
        clash = [c for c in spec if c in excluded]
        if clash:
            raise ValueError(
                f"{type(self).__name__}: {clash} are strata, not covariates; a spline "
                "applies to a continuous covariate. Remove them from splines or strata."
            )
        covariates = frame.drop(columns=excluded)
        self.splines_ = RestrictedCubicSpline(
            columns=list(spec),
            n_knots={c: v for c, v in spec.items() if isinstance(v, Integral)},
            knots={c: list(v) for c, v in spec.items() if not isinstance(v, Integral)},
        ).fit(covariates)
        values = {c: covariates[c].to_numpy(dtype=float) for c in covariates.columns}
        self.adjust_to_ = pd.Series(
            {c: _reference_value(v[~np.isnan(v)]) for c, v in values.items()}, name="adjust_to"
        )
        self.display_range_ = pd.DataFrame(
            [_display_range(v[~np.isnan(v)]) for v in values.values()],
            index=list(values),
            columns=["low", "high"],
        )
        return self._spline_terms(frame)

    def _spline_terms(self, frame: pd.DataFrame) -> pd.DataFrame:
        """``frame`` expanded by the splines learned in fit (unchanged without splines);
        columns that are not covariates (strata) follow the terms."""
        splines = getattr(self, "splines_", None)
        if splines is None:
            return frame
        excluded = self._spline_excluded()
        terms = splines.transform(frame.drop(columns=excluded))
        return pd.concat([terms, frame[excluded]], axis=1) if excluded else terms

    def _spline_results(self, terms: pd.DataFrame, outcome) -> None:
        """The likelihood-ratio tests of non-linearity (``nonlinearity_``), refitting the
        model without the non-linear terms of each spline, then of all of them."""
        if getattr(self, "splines_", None) is None:
            return
        self.nonlinearity_ = None
        full = self._log_likelihood(terms, outcome)
        if full is None:
            return
        nonlinear = self.splines_.nonlinear_terms()
        tests = dict(nonlinear)
        if len(nonlinear) > 1:
            tests[TOTAL_NONLINEAR] = [t for names in nonlinear.values() for t in names]
        rows = {}
        for variable, dropped in tests.items():
            reduced = clone(self).set_params(splines=None)
            kept = terms.drop(columns=dropped)
            with silenced():  # its fit issues: the main fit's, or a NaN row (a ridge refit)
                reduced.fit(kept, outcome)
            loglik = reduced._log_likelihood(kept, outcome)
            estimable = [t for t in dropped if t not in getattr(self, "aliased_", [])]
            chi2 = np.nan if loglik is None else 2 * (full - loglik)
            rows[variable] = (chi2, len(estimable), loglik)
        from scipy.stats import chi2 as chi2_distribution

        table = pd.DataFrame.from_dict(
            rows, orient="index", columns=["chi2", "df", "loglik_reduced"]
        )
        table.insert(2, "p", chi2_distribution.sf(table["chi2"], table["df"]))
        table.index.name = "variable"
        table.attrs["loglik"] = full
        self.nonlinearity_ = table

    def nonlinearity_test(self) -> pd.DataFrame:
        """Likelihood-ratio tests of non-linearity, one row per spline (rms ``anova``).

        Returns
        -------
        pandas.DataFrame
            Index ``variable`` (each spline column, then ``"TOTAL NONLINEAR"`` when there
            are several); columns ``chi2`` (twice the gain in log-likelihood from the
            non-linear terms), ``df`` (their number, ``k - 2`` for ``k`` knots), ``p``
            (chi-square upper tail) and ``loglik_reduced`` (the log-likelihood without
            them); ``attrs["loglik"]`` is the fit's. The "Nonlinear" rows of rms's
            ``anova(fit, test = "LR")``, or ``lrtest(linear_fit, fit)``: the reduced model
            is refitted on the same training data with the same knots for the other
            splines. A NaN row: the reduced fit needed a ridge refit (no finite
            maximum).

        Raises
        ------
        ValueError
            Without ``splines``, or for a penalised or weighted fit (no likelihood-ratio
            test).

        References
        ----------
        Harrell FE. Regression Modeling Strategies. 2nd ed. Springer; 2015. Sections
        2.7.2 and 5.3.

        Examples
        --------
        >>> from riskml.cohorts import load_heart_failure_clinical_records
        >>> from riskml.models import LogisticRisk
        >>> hf = load_heart_failure_clinical_records()
        >>> X = hf.features[["age", "ejection_fraction", "serum_creatinine", "sex"]]
        >>> splines = {"age": 4, "ejection_fraction": 3, "serum_creatinine": 5}
        >>> fit = LogisticRisk(splines=splines).fit(X, hf.outcome.event.astype(int))
        >>> fit.nonlinearity_test()["chi2"].round(2).tolist()  # rms: 9.70 17.59 6.31 30.61
        [9.7, 17.59, 6.31, 30.61]
        """
        check_is_fitted(self)
        if getattr(self, "splines_", None) is None:
            raise ValueError(
                f"{type(self).__name__} was fitted without splines, so it has no non-linear "
                f"terms to test. Fit {type(self).__name__}(splines={{'age': 4}}) (any "
                "continuous column)."
            )
        if self.nonlinearity_ is None:
            raise ValueError(
                f"no likelihood-ratio test of non-linearity for this fit: "
                f"{self._no_lr_test_reason()}"
            )
        table = self.nonlinearity_.copy()
        table.attrs = dict(self.nonlinearity_.attrs)
        return table

    def partial_effect(self, column: str, n_points: int = 200) -> pd.DataFrame:
        """The fitted effect of one column, the others held at reference values (rms ``Predict``).

        Parameters
        ----------
        column : str
            An input column (spline or not).
        n_points : int, default=200
            Equally spaced values between ``display_range_`` (rms's default 200).

        Returns
        -------
        pandas.DataFrame
            Columns ``column`` (the values), ``effect`` (log odds for the logistic
            model, log relative hazard for Cox: the linear predictor centred at the
            training means, as rms's ``Predict`` on a ``cph`` fit), ``lower`` and
            ``upper`` (95% pointwise Wald limits). The other columns are at
            ``adjust_to_``: rms ``datadist``'s "Adjust to" values (the median of a
            numeric column; the lower of two values, i.e. 0 of a 0/1 column or the
            reference of a one-hot level, where rms takes a factor's most frequent
            level).
        """
        from scipy.stats import norm

        check_is_fitted(self)
        if getattr(self, "splines_", None) is None:
            raise ValueError(
                f"partial_effect needs a {type(self).__name__} fitted with splines=... (its "
                "reference values are kept then); this one has none."
            )
        if column not in self.adjust_to_.index:
            raise ValueError(
                f"partial_effect: {column!r} is not a covariate of this model; choose one of "
                f"{list(self.adjust_to_.index)[:10]}."
            )
        if isinstance(n_points, bool) or not isinstance(n_points, Integral) or n_points < 2:
            raise ValueError(f"n_points must be an int of at least 2; got {n_points!r}.")
        low, high = self.display_range_.loc[column]
        grid = np.linspace(low, high, n_points)
        frame = pd.DataFrame(
            {c: np.full(n_points, v) for c, v in self.adjust_to_.items()}, dtype=float
        )
        frame[column] = grid
        terms = self.splines_.transform(frame)
        effect, se = self._partial_effect_terms(terms)
        half = norm.ppf(0.975) * se
        return pd.DataFrame(
            {column: grid, "effect": effect, "lower": effect - half, "upper": effect + half}
        )

    def plot_partial_effect(self, column: str, ax=None, n_points: int = 200):
        """Plot :meth:`partial_effect`: the effect curve, its 95% band and the knots.

        Parameters
        ----------
        column : str
        ax : matplotlib Axes, optional
            Drawn on a new pyplot figure when None.
        n_points : int, default=200

        Returns
        -------
        matplotlib.axes.Axes
        """
        import matplotlib.pyplot as plt

        table = self.partial_effect(column, n_points=n_points)
        if ax is None:
            _, ax = plt.subplots(figsize=(5, 3.5))
        ax.fill_between(table[column], table["lower"], table["upper"], color="#9ecae1", lw=0)
        ax.plot(table[column], table["effect"], color="#08519c")
        for knot in self.splines_.knots_.get(column, []):
            ax.axvline(knot, color="grey", lw=0.6, ls=":")
        ax.set_xlabel(column)
        ax.set_ylabel(self._effect_label)
        others = [f"{c}={v:g}" for c, v in self.adjust_to_.items() if c != column]
        if others:
            shown = ", ".join(others[:4]) + (", ..." if len(others) > 4 else "")
            ax.set_title(f"Adjusted to {shown}", fontsize="small")
        return ax


class LogisticSplineTerms(SplineTermsMixin):
    """What the splines need from :class:`LogisticRisk`."""

    _effect_label = "log odds"

    def _log_likelihood(self, terms: pd.DataFrame, outcome) -> float | None:
        """The binomial log-likelihood of the unpenalised, unweighted fit (else None)."""
        if self.penalty is not None or self.class_weight is not None:
            return None
        eta = terms[list(self.coef_.index)].to_numpy(dtype=float) @ self.coef_.to_numpy()
        eta = eta + self.intercept_
        event = np.asarray(outcome.event, dtype=bool)
        return float(-np.logaddexp(0, -eta[event]).sum() - np.logaddexp(0, eta[~event]).sum())

    def _no_lr_test_reason(self) -> str:
        return (
            "a likelihood-ratio test needs the unpenalised, unweighted maximum-likelihood fit; "
            f"this one has penalty={self.penalty!r}, class_weight={self.class_weight!r}. Fit "
            "LogisticRisk(splines=...) without them to test non-linearity."
        )

    def _partial_effect_terms(self, terms: pd.DataFrame):
        """Log odds ``b0 + x b`` and its Wald standard error (NaN for the ridge)."""
        design = np.column_stack(
            [np.ones(len(terms)), terms[list(self.coef_.index)].to_numpy(dtype=float)]
        )
        coef = np.concatenate([[self.intercept_], self.coef_.to_numpy(dtype=float)])
        effect = design @ coef
        if self.covariance_ is None:
            return effect, np.full(effect.size, np.nan)
        covariance = self.covariance_.to_numpy(dtype=float)
        keep = np.isfinite(np.diag(covariance))  # aliased columns have no variance
        part = design[:, keep]
        variance = np.einsum("ij,jk,ik->i", part, covariance[np.ix_(keep, keep)], part)
        return effect, np.sqrt(variance)


class CoxSplineTerms(SplineTermsMixin):
    """What the splines need from :class:`CoxPH`."""

    _effect_label = "log relative hazard"

    def _spline_excluded(self) -> list[str]:
        return self._strata()

    def _log_likelihood(self, terms: pd.DataFrame, outcome) -> float | None:
        """Efron's log partial likelihood of the unpenalised fit (else None)."""
        if self.penalizer_used_ != 0:
            return None
        return float(self.lifelines_.log_likelihood_)

    def _no_lr_test_reason(self) -> str:
        return (
            "a likelihood-ratio test needs the unpenalised partial-likelihood fit; this one "
            f"is penalised (penalizer={self.penalizer_used_:g}"
            + (", a ridge refit: see fit_issues_" if self.penalizer == 0 else "")
            + "). Fit CoxPH(splines=...) with penalizer=0 on data with a finite maximum."
        )

    def _partial_effect_terms(self, terms: pd.DataFrame):
        """Log relative hazard ``(x - means) b`` (rms's ``Predict`` on a ``cph`` fit: centred
        at the training means) and its Wald standard error."""
        covariates = list(self.coef_.index)
        centred = terms[covariates].to_numpy(dtype=float) - self.centers_.to_numpy(dtype=float)
        effect = centred @ self.coef_.to_numpy(dtype=float)
        covariance = self.lifelines_.variance_matrix_.loc[covariates, covariates].to_numpy()
        variance = np.einsum("ij,jk,ik->i", centred, covariance, centred)
        return effect, np.sqrt(variance)
