"""Restricted cubic splines: Harrell's default knots and the ``rcs()`` basis, learned in fit."""

from __future__ import annotations

import warnings
from numbers import Integral

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import _check_feature_names_in, check_is_fitted

from ._frame_checks import check_feature_frame

__all__ = ["RestrictedCubicSpline", "rcs_basis", "rcs_knots"]

#: Hmisc's ``fractied``: an extreme value held by at least this share of the values (while
#: no interior value is) gives its neighbour as the outer knot.
FRACTIED = 0.05


def _r_quantile(sorted_values: np.ndarray, probs) -> np.ndarray:
    """R's ``quantile(x, probs)`` (type 7), computed as R computes it."""
    n = sorted_values.size
    index = 1 + max(n - 1, 0) * np.asarray(probs, dtype=float)
    lo = np.floor(index).astype(int)
    hi = np.ceil(index).astype(int)
    qs = sorted_values[lo - 1].astype(float)
    upper = sorted_values[hi - 1]
    between = (index > lo) & (upper != qs)
    h = (index - lo)[between]
    qs[between] = (1 - h) * qs[between] + h * upper[between]
    return qs


def _r_seq(start: float, stop: float, length: int) -> np.ndarray:
    """R's ``seq(start, stop, length.out = length)``: exact end points."""
    if length == 1:
        return np.array([start])
    step = (stop - start) / (length - 1)
    return np.concatenate([[start], start + np.arange(1, length - 1) * step, [stop]])


def _r_assign(values: np.ndarray, position: int, value: float) -> np.ndarray:
    """R's ``x[position] <- value`` (0-based here): a vector too short grows, NA-filled."""
    if position >= values.size:
        values = np.concatenate([values, np.full(position + 1 - values.size, np.nan)])
    values[position] = value
    return values


def _check_values(x, who: str) -> np.ndarray:
    values = np.asarray(x)
    if values.ndim != 1 or values.dtype.kind not in "biuf":
        raise TypeError(
            f"{who} needs a 1-D array of numbers; got {values.dtype} values of shape "
            f"{values.shape}."
        )
    values = values.astype(float)
    if np.isinf(values).any():
        raise ValueError(
            f"{who}: x holds {int(np.isinf(values).sum())} infinite value(s); a predictor must "
            "be a finite number (NaN for a missing one)."
        )
    return values


def _check_n_knots(n_knots, who: str) -> int:
    if isinstance(n_knots, bool) or not isinstance(n_knots, Integral) or n_knots < 3:
        raise ValueError(
            f"{who}: n_knots must be an int of at least 3 (a restricted cubic spline with k "
            f"knots has k - 1 terms, so 3 knots is the least non-linear one); got {n_knots!r}."
        )
    return int(n_knots)


def rcs_knots(x, n_knots: int = 5, *, fractied: float = FRACTIED) -> np.ndarray:
    """Harrell's default knots of a restricted cubic spline (Hmisc's ``rcspline.eval``).

    Parameters
    ----------
    x : array-like of float, shape (n_samples,)
        The predictor; NaN values are ignored.
    n_knots : int, default=5
        Knots asked for (rms's ``rcs(x)`` default is 5).
    fractied : float, default=0.05
        Hmisc's ``fractied`` (see Notes).

    Returns
    -------
    ndarray of float
        The knots, increasing (fewer than ``n_knots`` when ``x`` has few values).

    Warns
    -----
    UserWarning
        When ``x`` has too few distinct values for ``n_knots`` knots (as Hmisc warns).

    Notes
    -----
    The knots are the quantiles of ``x`` (R's type 7) at ``n_knots`` equally spaced
    probabilities from ``outer`` to ``1 - outer``, with ``outer`` 0.10 for 3 knots,
    0.05 for 4 to 6 and 0.025 for 7 or more: for 3 knots .10 .5 .90; 4 knots .05 .35
    .65 .95; 5 knots .05 .275 .5 .725 .95 (Harrell 2015, Table 2.3). Then, as Hmisc's
    ``rcspline.eval`` (which ``rms::rcs`` calls):

    - with fewer than 100 non-missing values the outer knots are the 5th smallest and
      5th largest values;
    - when the smallest (largest) value is held by at least ``fractied`` of the values
      and no interior value is, the next value up (down) becomes the first (last) knot
      and the quantiles are taken of the values between them, one knot fewer;
    - with ``n_knots`` or fewer distinct values besides the minimum and maximum, the
      knots are those interior values (with a warning);
    - when the quantiles coincide, Hmisc's alternate rule (twice as many quantiles)
      applies, with a warning; fewer than 3 distinct knots is an error.

    References
    ----------
    Harrell FE. Regression Modeling Strategies. 2nd ed. Springer; 2015. Section 2.4.6.

    Stone CJ, Koo CY. Additive splines in statistics. Proceedings of the Statistical
    Computing Section, American Statistical Association; 1985:45-48.

    Examples
    --------
    >>> import numpy as np
    >>> rcs_knots(np.arange(1.0, 201.0), n_knots=4)
    array([ 10.95,  70.65, 130.35, 190.05])
    """
    who = "rcs_knots"
    values = _check_values(x, who)
    nk = _check_n_knots(n_knots, who)
    xx = np.sort(values[~np.isnan(values)])
    n = xx.size
    if n < 6:
        raise ValueError(
            f"{who}: x has {n} non-missing value(s); default knots need at least 6 (give the "
            "knots yourself, or fewer knots on more data)."
        )
    xu, counts = np.unique(xx, return_counts=True)
    if xu.size - 2 <= nk:
        warnings.warn(
            f"{nk} knots requested with {xu.size} unique values of x; knots set to the "
            f"{xu.size - 2} interior values (as Hmisc's rcspline.eval).",
            UserWarning,
            stacklevel=2,
        )
        return _checked_knots(xu[1:-1], values, who)
    outer = 0.025 if nk > 6 else (0.05 if nk > 3 else 0.1)
    nke = nk
    first, last = [], []
    if 0 < fractied < 1:
        share = counts / n
        if share[1:-1].max() < fractied:
            if share[0] >= fractied:
                first = [xx[xx > xx.min()].min()]
                xx = xx[xx > first[0]]
                nke -= 1
            if share[-1] >= fractied:
                last = [xx[xx < xx.max()].max()]
                xx = xx[xx < last[0]]
                nke -= 1
    knots = _interior_knots(xx, nke, xu, outer, first, last)
    return _checked_knots(np.concatenate([first, knots, last]), values, who)


def _interior_knots(xx, nke, xu, outer, first, last) -> np.ndarray:
    """Hmisc's knots between any tie-moved outer knots (``first``, ``last``)."""
    if nke == 1:
        return np.array([np.median(xx)])
    if xu.size <= nke:
        return xu.astype(float)
    probs = _r_seq(0.5, 1 - outer, nke) if nke == 2 else _r_seq(outer, 1 - outer, nke)
    knots = _r_quantile(xx, probs)
    if np.unique(knots).size < min(nke, 3):
        knots = _r_quantile(xx, _r_seq(outer, 1 - outer, 2 * nke))
        if first and np.unique(knots).size < 3:
            middle = (first[0] + last[0]) / 2 if last else np.median(xx)
            end = last[0] if last else _r_quantile(xx, [1 - outer])[0]
            knots = np.sort([first[0], middle, end])
        distinct = np.unique(knots).size
        if distinct < 3:
            raise ValueError(
                f"rcs_knots: fewer than 3 distinct knots from {xu.size} distinct values; a "
                "restricted cubic spline needs 3. Give the knots, or model the variable as "
                "categorical."
            )
        warnings.warn(
            f"could not obtain {nke} interior knots with the default algorithm; used Hmisc's "
            f"alternate algorithm to obtain {distinct} knots.",
            UserWarning,
            stacklevel=3,
        )
    if xx.size < 100:  # the outer knots at the 5th smallest and largest values
        if not first:
            knots = _r_assign(knots, 0, xx[4])
        if not last:
            knots = _r_assign(knots, nke - 1, xx[xx.size - 5])
    return knots


def _checked_knots(knots, values, who: str) -> np.ndarray:
    knots = np.unique(np.asarray(knots, dtype=float)[~np.isnan(knots)])
    if knots.size < 3:
        raise ValueError(
            f"{who}: fewer than 3 distinct knots ({knots.tolist()}) from "
            f"{np.unique(values[~np.isnan(values)]).size} distinct values; a restricted "
            "cubic spline needs 3. Give the knots, or model the variable as categorical."
        )
    return knots


def rcs_basis(x, knots) -> np.ndarray:
    """The restricted cubic spline basis: ``x`` and its ``k - 2`` non-linear terms.

    Hmisc's ``rcspline.eval(x, knots, inclx = TRUE)`` with its default ``norm = 2``
    (the columns of ``rms::rcs``): term ``j`` (``j = 1 .. k - 2``) is

    ``(x - t_j)_+^3 - ((t_k - t_j) (x - t_{k-1})_+^3 - (t_{k-1} - t_j) (x - t_k)_+^3)
    / (t_k - t_{k-1})``, divided by ``(t_k - t_1)^2``,

    linear beyond the outer knots. NaN in ``x`` gives NaN in every column.

    Parameters
    ----------
    x : array-like of float, shape (n_samples,)
    knots : array-like of float
        At least 3 increasing knots (e.g. from :func:`rcs_knots`).

    Returns
    -------
    ndarray of float, shape (n_samples, n_knots - 1)

    References
    ----------
    Harrell FE. Regression Modeling Strategies. 2nd ed. Springer; 2015. Equation 2.25.

    Examples
    --------
    >>> rcs_basis([0.0, 5.0, 10.0], [1.0, 4.0, 9.0])
    array([[ 0.   ,  0.   ],
           [ 5.   ,  0.975],
           [10.   ,  6.   ]])
    """
    values = np.asarray(x, dtype=float)
    t = np.asarray(knots, dtype=float)
    if t.ndim != 1 or t.size < 3 or not np.all(np.isfinite(t)) or np.any(np.diff(t) <= 0):
        raise ValueError(
            f"rcs_basis: knots must be at least 3 finite, strictly increasing numbers; got "
            f"{t.tolist()}."
        )
    scale = (t[-1] - t[0]) ** (2 / 3)  # Hmisc divides before cubing: / (t_k - t_1)^2
    columns = [values]
    with np.errstate(invalid="ignore"):
        last = np.maximum((values - t[-1]) / scale, 0) ** 3
        before_last = np.maximum((values - t[-2]) / scale, 0) ** 3
        for knot in t[:-2]:
            term = np.maximum((values - knot) / scale, 0) ** 3 + (
                (t[-2] - knot) * last - (t[-1] - knot) * before_last
            ) / (t[-1] - t[-2])
            columns.append(term)
    return np.column_stack(columns)


def spline_term_names(column: str, n_knots: int) -> list[str]:
    """rms's names of the ``n_knots - 1`` spline terms: ``age``, ``age'``, ``age''``..."""
    return [column + "'" * j for j in range(n_knots - 1)]


class RestrictedCubicSpline(TransformerMixin, BaseEstimator):
    """Replace chosen columns by their restricted cubic spline basis (rms's ``rcs()``).

    The knots are learned in ``fit`` (Harrell's default quantiles, :func:`rcs_knots`),
    so in a :class:`~riskml.models.RiskPipeline` they come from each training fold.

    Parameters
    ----------
    columns : str or list of str, optional
        Continuous columns to expand; the keys of ``knots`` (and of ``n_knots`` given as
        a dict) are added.
    n_knots : int or dict of {str: int}, default=5
        Knots per column (rms's default 5); a dict gives each column its own number.
    knots : dict of {str: list of float}, optional
        Fixed knots for some columns (as ``rcs(age, c(45, 60, 75))``), not learned.

    Attributes
    ----------
    knots_ : dict of {str: ndarray}
        The knots of each expanded column.
    feature_names_in_ : ndarray of str
    n_features_in_ : int

    Notes
    -----
    ``transform`` returns a DataFrame in which each chosen column is replaced, in
    place, by ``k - 1`` columns named as rms names them: ``age`` (the linear term),
    then ``age'``, ``age''``, ... (the ``k - 2`` non-linear terms, :func:`rcs_basis`).
    A model fitted on them (``lrm(y ~ rcs(age, 4))``) is linear in ``age`` when the
    coefficients of the primed columns are 0: their joint test is the test of
    non-linearity. Missing values stay missing in every term.

    References
    ----------
    Harrell FE. Regression Modeling Strategies. 2nd ed. Springer; 2015. Section 2.4.5.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> X = pd.DataFrame({"age": np.arange(30.0, 90.0), "sex": np.tile([0, 1], 30)})
    >>> spline = RestrictedCubicSpline(columns="age", n_knots=3).fit(X)
    >>> spline.knots_["age"]  # under 100 values: outer knots at the 5th smallest and largest
    array([34. , 59.5, 85. ])
    >>> list(spline.get_feature_names_out())
    ['age', "age'", 'sex']
    """

    def __init__(self, columns=None, n_knots=5, knots=None):
        self.columns = columns
        self.n_knots = n_knots
        self.knots = knots

    def _spline_columns(self) -> list[str]:
        """Every expanded column: ``columns``, then the keys of the dicts."""
        who = "RestrictedCubicSpline"
        if self.columns is None:
            named = []
        elif isinstance(self.columns, str):
            named = [self.columns]
        elif isinstance(self.columns, list | tuple) and all(
            isinstance(c, str) for c in self.columns
        ):
            named = list(self.columns)
        else:
            raise TypeError(
                f"{who}: columns must be a column name or a list of names, e.g. "
                f"columns=['age', 'ejection_fraction']; got {self.columns!r}."
            )
        for name, given in (("n_knots", self.n_knots), ("knots", self.knots)):
            if name == "knots" and given is None:
                continue
            if isinstance(given, dict):
                named += [c for c in given if c not in named]
            elif name == "knots":
                raise TypeError(
                    f"{who}: knots must be a dict {{column: [knot, ...]}}, e.g. "
                    f"knots={{'age': [45, 60, 75]}}; got {type(given).__name__}."
                )
        if not named:
            raise ValueError(
                f"{who} has no column to expand: name them, e.g. columns=['age'], or give "
                "knots={'age': [45, 60, 75]}."
            )
        return named

    def _knots_asked(self, column: str) -> int:
        n_knots = self.n_knots
        if isinstance(n_knots, dict):
            n_knots = n_knots.get(column, 5)
        return _check_n_knots(n_knots, f"RestrictedCubicSpline (column {column!r})")

    def fit(self, X, y=None):
        """Learn the knots of each chosen column.

        Parameters
        ----------
        X : pandas.DataFrame
            The chosen columns must be numeric.
        y : ignored

        Returns
        -------
        self
        """
        who = "RestrictedCubicSpline"
        columns = self._spline_columns()
        X = check_feature_frame(X, who)
        absent = [c for c in columns if c not in X.columns]
        if absent:
            raise ValueError(
                f"{who}: column(s) {absent} are not in X, whose columns are "
                f"{list(X.columns)[:10]}. Name columns of X (after any preprocessing)."
            )
        text = [c for c in columns if X[c].dtype.kind not in "biuf"]
        if text:
            raise TypeError(
                f"{who}: a spline needs a continuous numeric column; {text} are "
                f"{[str(X[c].dtype) for c in text]}. Leave categorical columns out of the "
                "splines."
            )
        given = self.knots or {}
        self.knots_ = {}
        for column in columns:
            values = X[column].to_numpy(dtype=float)
            if column in given:
                knots = np.asarray(given[column], dtype=float)
                self.knots_[column] = _checked_given_knots(knots, column)
            else:
                self.knots_[column] = rcs_knots(values, self._knots_asked(column))
        self.feature_names_in_ = np.asarray([str(c) for c in X.columns], dtype=object)
        self.n_features_in_ = X.shape[1]
        return self

    def transform(self, X):
        """``X`` with each chosen column replaced by its spline terms.

        Parameters
        ----------
        X : pandas.DataFrame
            The columns seen in ``fit``.

        Returns
        -------
        pandas.DataFrame
            Columns in the order of :meth:`get_feature_names_out`, index of ``X``.
        """
        check_is_fitted(self, "knots_")
        X = check_feature_frame(
            X, "RestrictedCubicSpline", fitted_columns=list(self.feature_names_in_)
        )
        parts = []
        for column in self.feature_names_in_:
            if column in self.knots_:
                knots = self.knots_[column]
                basis = rcs_basis(X[column].to_numpy(dtype=float), knots)
                names = spline_term_names(column, knots.size)
                parts.append(pd.DataFrame(basis, columns=names, index=X.index))
            else:
                parts.append(X[[column]])
        return pd.concat(parts, axis=1)

    def get_feature_names_out(self, input_features=None):
        """The output column names: each chosen column's terms in its place."""
        check_is_fitted(self, "knots_")
        names = _check_feature_names_in(self, input_features)
        out = []
        for column in names:
            if column in self.knots_:
                out += spline_term_names(column, self.knots_[column].size)
            else:
                out.append(column)
        return np.asarray(out, dtype=object)

    def nonlinear_terms(self) -> dict[str, list[str]]:
        """The non-linear (primed) term names of each chosen column."""
        check_is_fitted(self, "knots_")
        return {c: spline_term_names(c, k.size)[1:] for c, k in self.knots_.items()}


def _checked_given_knots(knots: np.ndarray, column: str) -> np.ndarray:
    if (
        knots.ndim != 1
        or knots.size < 3
        or not np.all(np.isfinite(knots))
        or np.any(np.diff(knots) <= 0)
    ):
        raise ValueError(
            f"RestrictedCubicSpline: knots[{column!r}] must be at least 3 finite, strictly "
            f"increasing numbers, e.g. [45, 60, 75]; got {knots.tolist()}."
        )
    return knots
