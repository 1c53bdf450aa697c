"""Any scikit-learn classifier as a riskml binary risk model."""

from __future__ import annotations

from numbers import Integral

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, clone, is_classifier, is_regressor
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.validation import check_is_fitted
from threadpoolctl import threadpool_limits

from ._base import BinaryRiskMixin

__all__ = ["SklearnRiskClassifier", "check_classifier"]


def _kind(estimator) -> str:
    if is_regressor(estimator):
        return "a regressor"
    if hasattr(estimator, "transform") and not hasattr(estimator, "predict"):
        return "a transformer"
    return "not a classifier"


def check_classifier(estimator, who: str = "SklearnRiskClassifier"):
    """Raise a TypeError unless ``estimator`` is a scikit-learn classifier.

    A classifier is an estimator tagged as one (``sklearn.base.is_classifier``;
    a ``Pipeline`` is one when its last step is) with ``fit`` and either
    ``predict_proba`` or ``decision_function``.
    """
    has_scores = hasattr(estimator, "predict_proba") or hasattr(estimator, "decision_function")
    # A Pipeline hides predict_proba when its final step (e.g. SVC()) has none,
    # so test the final step's class for decision_function as well.
    final = estimator.steps[-1][1] if hasattr(estimator, "steps") and estimator.steps else None
    if final is not None and hasattr(final, "decision_function"):
        has_scores = True
    if is_classifier(estimator) and hasattr(estimator, "fit") and has_scores:
        return estimator
    raise TypeError(
        f"{who} needs a scikit-learn classifier (an estimator with fit and predict_proba or "
        "decision_function, e.g. KNeighborsClassifier(), SVC() or a Pipeline ending in one) "
        f"for a binary risk model; got {type(estimator).__name__}, which is "
        f"{_kind(estimator)}. Regression models do not predict a risk: use a classifier on "
        "the event label, or a riskml survival model such as 'cox' for time-to-event data."
    )


class SklearnRiskClassifier(BinaryRiskMixin, ClassifierMixin, BaseEstimator):
    """A scikit-learn classifier as a riskml binary risk model.

    ``predict_risk(X)`` is the classifier's ``predict_proba(X)[:, 1]``, P(event).
    Inside a :class:`~riskml.models.RiskPipeline` with a ``horizon`` the model is
    trained on the label "event by the horizon" derived from a time-to-event
    outcome (``outcome_kind`` is ``"binary"``), so any classifier works on
    survival cohorts too. :func:`~riskml.models.make_model` wraps a classifier
    passed by the user this way, after the standard preprocessing.

    Parameters
    ----------
    estimator : scikit-learn classifier
        Any estimator tagged as a classifier with ``predict_proba`` or
        ``decision_function`` (e.g. ``KNeighborsClassifier()``, ``SVC()``, a
        ``Pipeline`` ending in one). Cloned in ``fit``.
    calibration : {"auto", "sigmoid", "isotonic"} or None, default="auto"
        Whether the probabilities are calibrated by
        :class:`sklearn.calibration.CalibratedClassifierCV` with ``cv`` internal
        folds of the training data. ``"auto"``: only when the estimator has no
        ``predict_proba`` (e.g. ``SVC()``), by Platt's sigmoid;
        ``"sigmoid"``/``"isotonic"``: always, by that method; None: never (an
        estimator without ``predict_proba`` is then refused).
    cv : int, default=5
        Internal folds of the calibration (``StratifiedKFold``, shuffled with
        ``random_state``): each fold's classifier is fitted on the other folds and
        its calibrator on the held-out fold; the risk is the mean over folds.
    random_state : int, optional
        Seed of the calibration folds (the estimator keeps its own).
    n_threads : int, optional
        Limit of the OpenMP/BLAS threads of ``fit`` and ``predict_proba``
        (threadpoolctl); None leaves the libraries' defaults. The registry sets 1
        for the families that thread internally, as riskml parallelises over
        folds instead (measured: one histogram-boosting fit on 240 patients took
        7.1 s with 2 contended threads and 0.17 s with 1).

    Attributes
    ----------
    estimator_ : classifier
        The fitted estimator, a ``CalibratedClassifierCV`` around it when
        calibrated.
    calibrated_ : bool
        Whether ``estimator_`` is a calibration wrapper.
    classes_ : ndarray, ``[0, 1]``
    feature_names_in_ : ndarray of str
    n_features_in_ : int
    feature_importances_, coef_ : ndarray
        The fitted estimator's, where it has them (for feature elimination).

    Notes
    -----
    Everything the calibration learns is learned from the rows passed to
    ``fit``; in cross-validation those are the training fold's, so no test
    patient informs the calibration (unlike ``SVC(probability=True)``, whose
    in-built Platt scaling is not seeded by riskml and whose probabilities may
    disagree with its own decision function). ``class_weight`` is reported to
    the pipeline's recalibration (see :class:`~riskml.models.RiskPipeline`)
    only without calibration: a calibrator fitted on unweighted held-out rows
    already maps the risks back to the training event rate.

    References
    ----------
    Platt J. Probabilistic outputs for support vector machines and comparisons to
    regularized likelihood methods. In: Advances in Large Margin Classifiers. MIT
    Press; 1999:61-74.

    Niculescu-Mizil A, Caruana R. Predicting good probabilities with supervised
    learning. Proc ICML 2005:625-632.

    Examples
    --------
    >>> import riskml as rk
    >>> cohort = rk.cohorts.load_heart_failure_clinical_records()
    >>> X, y = cohort.features, cohort.outcome.event
    >>> from sklearn.neighbors import KNeighborsClassifier
    >>> model = SklearnRiskClassifier(KNeighborsClassifier(n_neighbors=25))
    >>> model.fit(X, y).predict_risk(X)[:3].round(2)
    array([0.4 , 0.36, 0.32])
    """

    accepts_text = True  # the wrapped classifier judges its own input

    def _allows_missing(self) -> bool:
        return True  # the wrapped classifier judges its own input

    _parameter_constraints = {
        "estimator": [HasMethods(["fit"])],
        "calibration": [StrOptions({"auto", "sigmoid", "isotonic"}), None],
        "cv": [Interval(Integral, 2, None, closed="left")],
        "random_state": ["random_state"],
        "n_threads": [Interval(Integral, 1, None, closed="left"), None],
    }

    def __init__(self, estimator, *, calibration="auto", cv=5, random_state=None, n_threads=None):
        self.estimator = estimator
        self.calibration = calibration
        self.cv = cv
        self.random_state = random_state
        self.n_threads = n_threads

    def _calibrates(self) -> bool:
        if self.calibration in ("sigmoid", "isotonic"):
            return True
        has_proba = hasattr(self.estimator, "predict_proba")
        if self.calibration is None and not has_proba:
            raise TypeError(
                f"{type(self.estimator).__name__} has no predict_proba and calibration=None; "
                "set calibration='auto' (Platt scaling on internal folds of the training "
                "data), or configure the estimator to predict probabilities."
            )
        return not has_proba

    def fit(self, X, y, **fit_params):
        """Fit the classifier (and its calibration) on a binary outcome.

        Parameters
        ----------
        X : pandas.DataFrame or array-like of shape (n_samples, n_features)
        y : array-like of 0/1 or Outcome
            Binary. A time-to-event ``y`` is refused: put the model in a
            :class:`~riskml.models.RiskPipeline` with a ``horizon``.
        **fit_params
            Passed to the estimator's ``fit``.

        Returns
        -------
        self
        """
        from sklearn.calibration import CalibratedClassifierCV
        from sklearn.model_selection import StratifiedKFold

        self._validate_params()
        check_classifier(self.estimator)
        outcome = self._check_outcome(y)
        frame = self._check_X(X, reset=True)
        label = outcome.event.astype(int)
        if np.unique(label).size < 2:
            raise ValueError(
                f"y has only one class ({int(label[0])}) among {label.size} patients; a "
                "classifier needs events and non-events."
            )
        estimator = clone(self.estimator)
        self.calibrated_ = self._calibrates()
        if self.calibrated_:
            method = "sigmoid" if self.calibration == "auto" else self.calibration
            folds = StratifiedKFold(self.cv, shuffle=True, random_state=self.random_state)
            estimator = CalibratedClassifierCV(estimator, method=method, cv=folds)
        with threadpool_limits(limits=self.n_threads):
            estimator.fit(frame, label, **fit_params)
        if sorted(np.asarray(estimator.classes_).tolist()) != [0, 1]:
            raise ValueError(  # pragma: no cover - sklearn keeps the labels it was given
                f"{type(self.estimator).__name__} learned classes {estimator.classes_}; "
                "expected [0, 1]."
            )
        self.estimator_ = estimator
        self.classes_ = np.array([0, 1])
        return self

    def predict_proba(self, X):
        """``[P(no event), P(event)]`` per patient.

        Parameters
        ----------
        X : pandas.DataFrame or array-like
            With the columns seen in ``fit``.

        Returns
        -------
        ndarray of shape (n_samples, 2)
        """
        check_is_fitted(self, "estimator_")
        frame = self._check_X(X, reset=False)
        with threadpool_limits(limits=self.n_threads):
            proba = np.asarray(self.estimator_.predict_proba(frame), dtype=float)
        event = int(np.flatnonzero(np.asarray(self.estimator_.classes_) == 1)[0])
        risk = np.clip(proba[:, event], 0.0, 1.0)
        return np.column_stack([1.0 - risk, risk])

    @property
    def class_weight(self):
        """The estimator's class weights as seen by the pipeline's recalibration.

        None when the probabilities are calibrated on held-out rows (already on
        the training event rate) or the estimator has no ``class_weight``.
        """
        if self.calibration in ("sigmoid", "isotonic") or not hasattr(
            self.estimator, "predict_proba"
        ):
            return None
        return getattr(self.estimator, "class_weight", None)

    @property
    def feature_importances_(self):
        """The fitted estimator's ``feature_importances_`` (AttributeError if none)."""
        return self._fitted_attribute("feature_importances_")

    @property
    def coef_(self):
        """The fitted estimator's ``coef_`` (AttributeError if none)."""
        return self._fitted_attribute("coef_")

    def _fitted_attribute(self, name):
        check_is_fitted(self, "estimator_")
        estimator = self.estimator_
        if hasattr(estimator, "steps"):
            estimator = estimator.steps[-1][1]
        if not hasattr(estimator, name):
            raise AttributeError(f"{type(estimator).__name__} has no {name}.")
        return getattr(estimator, name)
