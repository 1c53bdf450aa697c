"""The scikit-learn model families of the registry: SVM, k-NN, MLP, trees, bagging, boosting.

Each family is a scikit-learn classifier wrapped in
:class:`~riskml.models.SklearnRiskClassifier`, with defaults sized for clinical
cohorts of a few hundred to tens of thousands of patients, the preprocessing it
needs (scaling for the distance- and gradient-based families) and a search grid
for ``make_model(name, tune=True)``.

References
----------
Cortes C, Vapnik V. Support-vector networks. Mach Learn. 1995;20:273-297.

Breiman L. Bagging predictors. Mach Learn. 1996;24:123-140.

Freund Y, Schapire RE. A decision-theoretic generalization of on-line learning and
an application to boosting. J Comput Syst Sci. 1997;55(1):119-139.

Ke G, Meng Q, Finley T, et al. LightGBM: a highly efficient gradient boosting
decision tree. Adv Neural Inf Process Syst. 2017;30:3146-3154.
"""

from __future__ import annotations

from functools import partial

from sklearn.ensemble import (
    AdaBoostClassifier,
    BaggingClassifier,
    HistGradientBoostingClassifier,
)
from sklearn.neighbors import KNeighborsClassifier
from sklearn.neural_network import MLPClassifier
from sklearn.svm import SVC
from sklearn.tree import DecisionTreeClassifier

from ._sklearn import SklearnRiskClassifier
from ._spec import ModelSpec

__all__ = ["ZOO_SPECS", "zoo_model"]

#: Families that need standardised features (distances, margins, gradients) get
#: ``_SCALED``; the tree families see the imputed features in their own units.
_SCALED = {"scale": True}
_UNSCALED = {"scale": False}


def _classifier(name: str, random_state):
    if name == "svm":
        return SVC(kernel="rbf", C=1.0, gamma="scale", random_state=random_state)
    if name == "knn":
        return KNeighborsClassifier(n_neighbors=25, weights="uniform")
    if name == "mlp":
        return MLPClassifier(
            hidden_layer_sizes=(16,),
            alpha=10.0,
            solver="lbfgs",
            max_iter=1000,
            random_state=random_state,
        )
    if name == "decision_tree":
        return DecisionTreeClassifier(max_depth=4, min_samples_leaf=10, random_state=random_state)
    if name == "bagging":
        return BaggingClassifier(
            DecisionTreeClassifier(min_samples_leaf=5),
            n_estimators=200,
            n_jobs=1,
            random_state=random_state,
        )
    if name == "gradient_boosting":
        return HistGradientBoostingClassifier(
            learning_rate=0.05,
            max_iter=200,
            max_depth=3,
            min_samples_leaf=20,
            early_stopping=False,
            random_state=random_state,
        )
    if name == "adaboost":
        return AdaBoostClassifier(
            DecisionTreeClassifier(max_depth=1),
            n_estimators=200,
            learning_rate=0.5,
            random_state=random_state,
        )
    raise ValueError(f"unknown model family {name!r}; choose one of {[s.name for s in ZOO_SPECS]}.")


def zoo_model(name: str, random_state) -> SklearnRiskClassifier:
    """The unfitted risk model of a zoo family (the SVM calibrated on internal folds)."""
    return SklearnRiskClassifier(
        _classifier(name, random_state),
        calibration="sigmoid" if name == "svm" else "auto",
        cv=5,
        random_state=random_state,
        n_threads=1,
    )


def _zoo_spec(name, description, grid, classes, *, scaled, explainer, **options) -> ModelSpec:
    return ModelSpec(
        name=name,
        description=description,
        estimator=partial(zoo_model, name),
        preprocess=_SCALED if scaled else _UNSCALED,
        grid=grid,
        explainer=explainer,
        classes=classes,
        **options,
    )


#: The scikit-learn families, each with its defaults, preprocessing and search grid
#: (parameters of the wrapped scikit-learn classifier).
ZOO_SPECS = (
    _zoo_spec(
        "svm",
        "Support vector machine (RBF kernel, C = 1, gamma 'scale'; scikit-learn SVC) on "
        "imputed, standardised features, its decision values mapped to P(event by the "
        "horizon) by Platt scaling fitted on 5 internal folds of the training data.",
        {"C": [0.1, 1.0, 10.0], "gamma": ["scale", 0.01, 0.1]},
        (SVC,),
        scaled=True,
        explainer="agnostic",
    ),
    _zoo_spec(
        "knn",
        "k-nearest neighbours (k = 25, Euclidean distance) on imputed, standardised features; "
        "P(event by the horizon) as the share of the 25 most similar training patients with "
        "the event.",
        {"n_neighbors": [10, 25, 50], "weights": ["uniform", "distance"]},
        (KNeighborsClassifier,),
        scaled=True,
        explainer="agnostic",
    ),
    _zoo_spec(
        "mlp",
        "Multilayer perceptron (one hidden layer of 16 ReLU units, L2 penalty alpha = 10, L-BFGS "
        "solver; scikit-learn MLPClassifier) on imputed, standardised features; P(event by the "
        "horizon).",
        {"hidden_layer_sizes": [(8,), (16,), (32,)], "alpha": [1.0, 10.0, 30.0]},
        (MLPClassifier,),
        scaled=True,
        explainer="agnostic",
    ),
    _zoo_spec(
        "decision_tree",
        "Classification tree (CART, Gini impurity, depth at most 4, leaves of at least 10 "
        "patients) on imputed features; P(event by the horizon) as the event share of a "
        "patient's leaf.",
        {"max_depth": [2, 3, 4, 6], "min_samples_leaf": [5, 10, 20]},
        (DecisionTreeClassifier,),
        scaled=False,
        explainer="tree",
        ranks_features=True,
    ),
    _zoo_spec(
        "bagging",
        "Bagged classification trees (Breiman 1996; 200 bootstrap trees with leaves of at least "
        "5 patients) on imputed features; P(event by the horizon) as the mean over trees.",
        {"max_samples": [0.5, 1.0], "max_features": [0.5, 1.0]},
        (BaggingClassifier,),
        scaled=False,
        explainer="tree",
    ),
    _zoo_spec(
        "gradient_boosting",
        "Histogram gradient boosting (scikit-learn HistGradientBoostingClassifier; 200 trees "
        "of depth 3, learning rate 0.05, leaves of at least 20 patients, no early stopping) on "
        "imputed features; P(event by the horizon).",
        {"max_depth": [2, 3, 4], "learning_rate": [0.03, 0.1]},
        (HistGradientBoostingClassifier,),
        scaled=False,
        explainer="tree",
        file_types=(
            "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor",
            "sklearn.ensemble._hist_gradient_boosting.binning._BinMapper",
        ),
    ),
    _zoo_spec(
        "adaboost",
        "AdaBoost (SAMME; 200 decision stumps, learning rate 0.5) on imputed features; "
        "P(event by the horizon) from the boosted score, which is not calibrated (pass "
        "calibration='sigmoid' for Platt scaling on internal folds).",
        {"n_estimators": [100, 300], "learning_rate": [0.1, 0.5, 1.0]},
        (AdaBoostClassifier,),
        scaled=False,
        explainer="agnostic",
        ranks_features=True,
    ),
)
