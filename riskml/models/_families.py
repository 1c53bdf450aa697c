"""The built-in model families: one :class:`~riskml.models.ModelSpec` each.

Learned models (XGBoost, random forest, LASSO, ridge and unpenalised logistic
regression, Cox and LASSO Cox, Bayesian networks, the scikit-learn families of
:mod:`._zoo`), the competing-risk models (cause-specific Cox, Fine-Gray and the
Aalen-Johansen null model) and the published scores (Framingham and its relatives, the Pooled
Cohort Equations and PREVENT; recalibrated or not). Importing this module registers them, in the order of
:data:`riskml.models.MODELS`.
"""

from __future__ import annotations

from ._bayes_net import BayesNetRisk
from ._competing import AalenJohansen, CauseSpecificCox
from ._fine_gray import FineGray
from ._forest import RandomForestRisk
from ._lasso import LassoRisk
from ._lasso_cox import LassoCox
from ._linear import LogisticRisk
from ._spec import ModelSpec, _add
from ._xgboost import XGBoostRisk, XGBoostSurvival
from ._zoo import ZOO_SPECS
from .cox import CoxPH
from .scores import FraminghamScore, PublishedModel

__all__ = ["BUILT_IN_SPECS"]


def _xgboost_class_weight(model, class_weight):
    """XGBoost takes class weights as ``scale_pos_weight`` (weight of events / non-events)."""
    if class_weight == "balanced":
        return model.set_params(scale_pos_weight="balanced")
    if isinstance(class_weight, dict):
        ratio = float(class_weight.get(1, 1.0)) / float(class_weight.get(0, 1.0))
        return model.set_params(scale_pos_weight=ratio)
    return None  # not a form XGBoost takes: make_model says what is accepted


_XGBOOST_GRID = {"max_depth": [2, 3, 4], "learning_rate": [0.03, 0.1]}
_LIFELINES_TYPES = (
    "lifelines.fitters.coxph_fitter.CoxPHFitter",
    "lifelines.fitters.coxph_fitter.SemiParametricPHFitter",
    "lifelines.utils.CovariateParameterMappings",
)

_LEARNED = (
    ModelSpec(
        name="xgboost",
        description=(
            "XGBoost (200 trees, depth 3, learning rate 0.05) on imputed features; "
            "P(event by the horizon)."
        ),
        estimator=lambda random_state: XGBoostRisk(random_state=random_state),
        preprocess={"scale": False},
        grid=_XGBOOST_GRID,
        ranks_features=True,
        survival_ranking="xgboost_survival",
        explainer="tree",
        classes=(XGBoostRisk,),
        file_types=("xgboost.core.Booster", "xgboost.sklearn.XGBClassifier"),
        class_weight=_xgboost_class_weight,
    ),
    ModelSpec(
        name="xgboost_survival",
        description=(
            "XGBoost Cox model (survival:cox; 200 trees, depth 3, learning rate 0.05) with a "
            "Breslow baseline hazard, on imputed features; 1 - S(horizon | x)."
        ),
        estimator=lambda random_state: XGBoostSurvival(random_state=random_state),
        outcome_kinds=("survival",),
        preprocess={"scale": False},
        grid=_XGBOOST_GRID,
        ranks_features=True,
        explainer="tree",
        classes=(XGBoostSurvival,),
        file_types=("xgboost.core.Booster", "xgboost.sklearn.XGBRegressor"),
    ),
    ModelSpec(
        name="random_forest",
        description=(
            "Random forest (500 trees, leaves of at least 5 patients, sqrt(p) features per "
            "split) on imputed features; P(event by the horizon)."
        ),
        estimator=lambda random_state: RandomForestRisk(random_state=random_state),
        preprocess={"scale": False},
        grid={"min_samples_leaf": [2, 5, 20], "max_features": ["sqrt", 0.5]},
        ranks_features=True,
        explainer="tree",
        classes=(RandomForestRisk,),
    ),
    ModelSpec(
        name="lasso",
        description=(
            "LASSO logistic regression (L1 penalty chosen by 5-fold CV on AUC) on imputed, "
            "standardised features; P(event by the horizon)."
        ),
        estimator=lambda random_state: LassoRisk(random_state=random_state),
        preprocess={"scale": True},
        ranks_features=True,
        explainer="linear",
        classes=(LassoRisk,),
        coefficients="odds_ratio",
    ),
    ModelSpec(
        name="lasso_cox",
        description=(
            "LASSO Cox model (lifelines; L1 penalty chosen by 3-fold CV on Harrell's C) on "
            "imputed, standardised features; 1 - S(horizon | x) from the step-function "
            "baseline hazard (Efron's tie correction, as R's survfit.coxph)."
        ),
        estimator=lambda random_state: LassoCox(cv=3, n_penalizers=5, random_state=random_state),
        outcome_kinds=("survival",),
        preprocess={"scale": True},
        ranks_features=True,
        explainer="linear",
        classes=(LassoCox,),
        file_types=_LIFELINES_TYPES,
        coefficients="hazard_ratio",
    ),
    ModelSpec(
        name="bayes_net",
        description=(
            "Tree-augmented naive Bayes network (Friedman 1997; pgmpy, BDeu prior) on features "
            "in 5 training-fold quantile bins plus a missing state; P(event by the horizon)."
        ),
        estimator=lambda random_state: BayesNetRisk(structure="tan"),
        preprocess={"scale": False, "impute": False},
        grid={"n_bins": [3, 5, 8], "equivalent_sample_size": [1.0, 5.0, 20.0]},
        explainer="bayes_net",
        classes=(BayesNetRisk,),
    ),
    ModelSpec(
        name="naive_bayes",
        description=(
            "Naive Bayes network (pgmpy, BDeu prior) on features in 5 training-fold quantile "
            "bins plus a missing state; P(event by the horizon)."
        ),
        estimator=lambda random_state: BayesNetRisk(structure="naive"),
        preprocess={"scale": False, "impute": False},
        grid={"n_bins": [3, 5, 8]},
        explainer="bayes_net",
        classes=(BayesNetRisk,),
    ),
    ModelSpec(
        name="logistic",
        description=(
            "Logistic regression (unpenalised maximum likelihood, fitted as R's glm) on "
            "imputed, standardised features; P(event by the horizon)."
        ),
        estimator=lambda random_state: LogisticRisk(random_state=random_state),
        # level vs reference, as R's glm: odds ratios of every level but the reference
        preprocess={"scale": True, "drop_first": True},
        ranks_features=True,
        explainer="linear",
        classes=(LogisticRisk,),
        coefficients="odds_ratio",
    ),
    ModelSpec(
        name="ridge",
        description=(
            "Ridge logistic regression (L2 penalty chosen by 5-fold CV on AUC) on imputed, "
            "standardised features; P(event by the horizon)."
        ),
        estimator=lambda random_state: LogisticRisk(penalty="l2", cv=5, random_state=random_state),
        preprocess={"scale": True},
        ranks_features=True,
        explainer="linear",
        classes=(LogisticRisk,),
        coefficients="odds_ratio",
    ),
    *ZOO_SPECS,
    ModelSpec(
        name="cox",
        description=(
            "Cox proportional-hazards model (unpenalised, Efron ties; refitted with a ridge "
            "penalty of 0.001, and reported, only if the partial likelihood has no finite "
            "maximum) on imputed features in their own units (hazard ratios per unit; "
            "categorical levels vs reference); 1 - S(horizon | x) from the step-function "
            "baseline hazard, as R's survfit.coxph."
        ),
        estimator=lambda random_state: CoxPH(),
        outcome_kinds=("survival",),
        preprocess={"scale": False, "drop_first": True},
        grid={"penalizer": [0.001, 0.01, 0.1]},
        ranks_features=True,
        explainer="linear",
        classes=(CoxPH,),
        file_types=_LIFELINES_TYPES,
        coefficients="hazard_ratio",
    ),
)


_COMPETING = (
    ModelSpec(
        name="cause_specific_cox",
        description=(
            "Cause-specific Cox models (one per event type, Efron ties, the other events "
            "censored) on imputed features in their own units, combined into the cumulative "
            "incidence of the event of interest by the horizon (product-limit, as R "
            "riskRegression's CSC); P(event by the horizon)."
        ),
        estimator=lambda random_state: CauseSpecificCox(),
        outcome_kinds=("competing",),
        preprocess={"scale": False, "drop_first": True},
        explainer="agnostic",
        classes=(CauseSpecificCox,),
    ),
    ModelSpec(
        name="fine_gray",
        description=(
            "Fine-Gray subdistribution hazards model (as R cmprsk's crr) on imputed features "
            "in their own units (subdistribution hazard ratios per unit; categorical levels "
            "vs reference); cumulative incidence of the event of interest, P(event by the "
            "horizon)."
        ),
        estimator=lambda random_state: FineGray(),
        outcome_kinds=("competing",),
        preprocess={"scale": False, "drop_first": True},
        explainer="linear",
        classes=(FineGray,),
        coefficients="hazard_ratio",
    ),
    ModelSpec(
        name="aalen_johansen",
        description=(
            "Aalen-Johansen cumulative incidence of the event of interest in the training "
            "cohort, the same for every patient (the null model); P(event by the horizon)."
        ),
        estimator=lambda random_state: AalenJohansen(),
        outcome_kinds=("competing",),
        preprocess=None,
        explainer="none",
        classes=(AalenJohansen,),
    ),
)


def _score(
    name: str, description: str, equation: str, recalibrate, model=FraminghamScore
) -> ModelSpec:
    return ModelSpec(
        name=name,
        description=description,
        outcome_kinds=("binary", "survival"),
        preprocess=None,
        explainer="equation",
        classes=(model,),
        score=(equation, recalibrate),
    )


_KM_RECALIBRATED = (
    "recalibrated to the training cohort: Kaplan-Meier baseline survival at the horizon and "
    "cohort mean linear predictor."
)

_SCORES = (
    _score(
        "framingham",
        "Framingham general CVD score (D'Agostino 2008, laboratory form), published "
        "coefficients and 10-year baseline.",
        "dagostino2008_lipid",
        False,
    ),
    _score(
        "framingham_recalibrated",
        "Framingham general CVD score (D'Agostino 2008) " + _KM_RECALIBRATED,
        "dagostino2008_lipid",
        True,
    ),
    _score(
        "framingham_bmi",
        "Framingham general CVD score (D'Agostino 2008, non-laboratory BMI form), published "
        "coefficients and 10-year baseline.",
        "dagostino2008_bmi",
        False,
    ),
    _score(
        "framingham_bmi_recalibrated",
        "Framingham general CVD score (D'Agostino 2008, BMI form) " + _KM_RECALIBRATED,
        "dagostino2008_bmi",
        True,
    ),
    _score(
        "atp3_hard_chd",
        "ATP III (NCEP 2001) Framingham 10-year hard CHD equation (MI or coronary death), "
        "published coefficients.",
        "atp3_hard_chd",
        False,
    ),
    _score(
        "atp3_hard_chd_recalibrated",
        "ATP III Framingham hard CHD equation " + _KM_RECALIBRATED,
        "atp3_hard_chd",
        True,
    ),
    _score(
        "wilson1998_tc",
        "Wilson 1998 Framingham CHD score (total-cholesterol and JNC-V blood-pressure "
        "categories), published coefficients and 10-year baseline.",
        "wilson1998_tc",
        False,
    ),
    _score(
        "wilson1998_tc_recalibrated",
        "Wilson 1998 Framingham CHD score " + _KM_RECALIBRATED,
        "wilson1998_tc",
        True,
    ),
    _score(
        "framingham_logistic_recalibrated",
        "Framingham general CVD score (D'Agostino 2008) with logistic recalibration (intercept "
        "and slope of logit risk fitted on the training cohort's label at the horizon).",
        "dagostino2008_lipid",
        "logistic",
    ),
)

_LOGISTIC_RECALIBRATED = (
    "with logistic recalibration (intercept and slope of logit risk fitted on the training "
    "cohort's label at the horizon)."
)

# the published models read from riskml/models/scores/published/*.yaml (PublishedModel)
_PUBLISHED = (
    _score(
        "pce",
        "Pooled Cohort Equations (Goff 2013; sex- and race-specific), published coefficients "
        "and 10-year baseline survival: 10-year risk of hard ASCVD.",
        "pce",
        False,
        PublishedModel,
    ),
    _score(
        "pce_recalibrated",
        "Pooled Cohort Equations (Goff 2013) " + _KM_RECALIBRATED,
        "pce",
        True,
        PublishedModel,
    ),
    _score(
        "pce_logistic_recalibrated",
        "Pooled Cohort Equations (Goff 2013) " + _LOGISTIC_RECALIBRATED,
        "pce",
        "logistic",
        PublishedModel,
    ),
    _score(
        "prevent_cvd_10y",
        "PREVENT base model (Khan 2024; sex-specific logistic equations), published "
        "coefficients: 10-year risk of total cardiovascular disease.",
        "prevent_cvd_10y",
        False,
        PublishedModel,
    ),
    _score(
        "prevent_cvd_10y_recalibrated",
        "PREVENT base model (Khan 2024) " + _LOGISTIC_RECALIBRATED,
        "prevent_cvd_10y",
        "logistic",
        PublishedModel,
    ),
)

#: Every built-in family, in the order of :data:`riskml.models.MODELS`.
BUILT_IN_SPECS = _LEARNED + _COMPETING + _SCORES + _PUBLISHED

for _spec in BUILT_IN_SPECS:
    _add(_spec, built_in=True)
del _spec
