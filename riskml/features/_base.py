"""What the riskml selectors share: a fitted ``support_`` and DataFrame output."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.feature_selection import SelectorMixin
from sklearn.utils.validation import check_is_fitted

__all__ = ["DataFrameSelectorMixin"]


class DataFrameSelectorMixin(SelectorMixin):
    """A selector whose ``fit`` sets ``support_``, ``selected_features_`` (str names)
    and ``n_features_in_``, and whose ``transform`` returns a DataFrame."""

    def _get_support_mask(self):
        check_is_fitted(self, "support_")
        return self.support_

    def transform(self, X):
        """The selected columns of ``X``, as a DataFrame.

        Parameters
        ----------
        X : pandas.DataFrame or array-like
            With the columns seen in ``fit``.

        Returns
        -------
        pandas.DataFrame
        """
        check_is_fitted(self, "support_")
        if isinstance(X, pd.DataFrame):
            # Selected names are stored as str, so compare against str column names.
            frame = X.set_axis([str(c) for c in X.columns], axis=1)
            missing = [c for c in self.selected_features_ if c not in frame.columns]
            if missing:
                raise ValueError(
                    f"X lacks {len(missing)} selected column(s) seen in fit: {missing[:5]}. "
                    "Pass the same columns as in fit."
                )
            return frame.loc[:, self.selected_features_]
        array = np.asarray(X)
        if array.ndim != 2 or array.shape[1] != self.n_features_in_:
            raise ValueError(
                f"X must have {self.n_features_in_} columns as in fit; got shape {array.shape}."
            )
        return pd.DataFrame(array[:, self.support_], columns=self.selected_features_)
