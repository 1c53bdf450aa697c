"""Several fits at a time (``riskml.utils.parallel.run_fits``): cross-validation's folds
and the study's whole-cohort fits on threads by default, with the serial run's numbers."""

import threading
import warnings

import joblib
import numpy as np
import pytest
from sklearn.base import BaseEstimator, clone
from threadpoolctl import threadpool_info

import riskml as rk
from riskml.evaluation import cross_val_predict_risk, cross_validate
from riskml.models import make_model
from riskml.utils import parallel
from riskml.utils.parallel import fit_threads, run_fits, silenced


class ThreadRecorder(BaseEstimator):
    """Records the thread it was fitted on and the threads riskml granted it."""

    outcome_kind = "binary"

    def fit(self, X, y):
        self.thread_ = threading.get_ident()
        self.threads_ = fit_threads(None)
        self.rows_ = len(y)
        warnings.warn(f"fitted on {len(y)} rows", UserWarning, stacklevel=2)
        return self

    def predict_risk(self, X, horizon=None):
        return np.full(len(X), float(self.threads_))


def _recorded(estimator):
    return (estimator.thread_, estimator.threads_, estimator.rows_)


def _default_cv(estimator, X, y, cv, **options):
    """``cross_validate`` with riskml's default ``n_jobs`` (None) and no groups."""
    options.setdefault("random_state", 0)
    return cross_validate(estimator, X, y, cv=cv, groups=None, horizon=None, n_jobs=None, **options)


def _registry(n, seed):
    """Features and 30-day labels of the evaluable patients of ``make_hf_registry(n)``."""
    cohort = rk.cohorts.make_hf_registry(n, random_state=seed)
    label = cohort.outcome.at_horizon(30)
    known = ~np.isnan(label)
    return cohort.features.loc[known, cohort.predictors], label[known].astype(int)


@pytest.fixture
def four_cores(monkeypatch):
    """Pretend the machine has four cores, whatever the test machine has."""
    monkeypatch.setattr(joblib, "cpu_count", lambda *args, **kwargs: 4)


def test_folds_run_on_threads_with_a_share_of_the_cores(four_cores):
    X, y = np.zeros((40, 1)), np.array([0, 1] * 20)
    # two folds and the whole-cohort fit: three fits at a time, one thread each
    with pytest.warns(UserWarning, match="fitted on") as record:
        run = _default_cv(ThreadRecorder(), X, y, cv=2, inspect=_recorded, refit=True)
    fits = [*run.inspected, _recorded(run.refitted)]
    assert {threads for _, threads, _ in fits} == {1}  # 4 cores // 3 fits
    assert threading.get_ident() not in {thread for thread, _, _ in fits}
    assert sorted(rows for _, _, rows in fits) == [20, 20, 40]
    # every fit's warning reaches the caller, raised again after the concurrent fits
    assert sorted(str(r.message) for r in record) == [
        "fitted on 20 rows",
        "fitted on 20 rows",
        "fitted on 40 rows",
    ]
    # two fits at a time on four cores: two threads each
    risk = cross_val_predict_risk(ThreadRecorder(), X, y, cv=2, random_state=0)
    np.testing.assert_array_equal(risk, 2.0)


def test_process_wide_state_is_restored_after_concurrent_fits(four_cores):
    """``warnings`` filters and BLAS thread limits are process-wide: the concurrent fits
    must leave them as they found them (threadpoolctl's own report is the oracle)."""
    X, y = np.zeros((40, 1)), np.array([0, 1] * 20)
    filters, show = list(warnings.filters), warnings.showwarning
    blas = [(pool["filepath"], pool["num_threads"]) for pool in threadpool_info()]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cross_val_predict_risk(ThreadRecorder(), X, y, cv=4, random_state=0)
    assert warnings.filters == filters and warnings.showwarning is show
    assert [(pool["filepath"], pool["num_threads"]) for pool in threadpool_info()] == blas


def test_user_backend_and_nested_calls_decide_for_themselves(four_cores):
    X, y = np.zeros((40, 1)), np.array([0, 1] * 20)
    # under a backend the user chose, joblib runs the folds (as Parallel(n_jobs=None))
    with joblib.parallel_config(backend="threading", n_jobs=2):
        risk = cross_val_predict_risk(ThreadRecorder(), X, y, cv=4, random_state=0)
    np.testing.assert_array_equal(risk, 1.0)  # a joblib worker's fit: one thread
    # a fit that run_fits runs does not start threads of its own
    nested = list(run_fits(parallel._default_workers, [(5,), (5,)]))
    assert [workers for workers, _, _ in nested] == [None, None]
    assert parallel._default_workers(5) == 4 and not parallel.in_fit_thread()


def _warn_twice(k):
    warnings.warn(f"task {k}", UserWarning, stacklevel=2)
    warnings.warn(f"task {k} again", RuntimeWarning, stacklevel=2)
    return k


def test_run_fits_yields_in_task_order_with_seconds_and_each_tasks_warnings(four_cores):
    results = list(run_fits(lambda a, b: a * b, [(k, 2) for k in range(7)]))
    assert [value for value, _, _ in results] == [2 * k for k in range(7)]
    assert all(seconds >= 0 for _, seconds, _ in results)
    # on threads each task's warnings come back with its own result, none raised here
    with warnings.catch_warnings(record=True) as raised:
        warnings.simplefilter("always")
        results = list(run_fits(_warn_twice, [(k,) for k in range(6)]))
    assert raised == []
    for k, (value, _, caught) in enumerate(results):
        assert value == k
        assert caught == [(UserWarning, f"task {k}"), (RuntimeWarning, f"task {k} again")]
    # one at a time (an int n_jobs through joblib): the function records its own
    assert [value for value, _, _ in run_fits(pow, [(2, 3), (3, 2)], n_jobs=1)] == [8, 9]


@pytest.mark.parametrize("name", ["random_forest", "xgboost", "lasso", "bayes_net"])
def test_registry_models_give_the_serial_numbers(name, four_cores):
    """Oracle: the same folds fitted one at a time (``n_jobs=1``), and the whole-cohort
    fit made on its own, as ``Study`` made it before the fits shared the cores."""
    X, y = _registry(1200, seed=3)
    params = {"n_estimators": 30} if name in {"random_forest", "xgboost"} else {}
    model = make_model(name, random_state=0, **params)
    serial = cross_val_predict_risk(model, X, y, cv=3, random_state=1, n_jobs=1)
    run = _default_cv(model, X, y, cv=3, random_state=1, refit=True)
    np.testing.assert_array_equal(run.risk, serial)
    alone = clone(model).fit(X, y)
    np.testing.assert_array_equal(run.refitted.predict_risk(X), alone.predict_risk(X))


def test_a_failing_whole_cohort_fit_is_named_in_study():
    from sklearn.base import ClassifierMixin

    class BrokenOnTheWholeCohort(ClassifierMixin, BaseEstimator):
        def fit(self, X, y):
            if len(y) == 299:  # the whole cohort; the folds' fits succeed
                raise RuntimeError("out of memory")
            self.classes_ = np.array([0, 1])
            return self

        def predict_proba(self, X):
            return np.full((len(X), 2), 0.5)

    hf = rk.cohorts.load_heart_failure_clinical_records()
    binary = rk.Cohort(hf.features, rk.Outcome.binary(hf.outcome.event), hf.metadata)
    with pytest.raises(
        RuntimeError, match=r"model 'mine' failed: .* the whole-cohort fit \(299 training rows\)"
    ):
        rk.Study(binary, models={"mine": BrokenOnTheWholeCohort()}, n_boot=50, progress=False).run()


def _slow_warning(k, seconds):
    import time

    warnings.warn(f"task {k} starts", UserWarning, stacklevel=2)
    time.sleep(seconds)
    warnings.warn(f"task {k} ends", UserWarning, stacklevel=2)
    return k


def test_overlapping_tasks_keep_their_own_warnings(four_cores):
    """Tasks that warn while others are between their warnings: each keeps its own."""
    results = list(run_fits(_slow_warning, [(k, 0.05 * (k % 3)) for k in range(8)]))
    for k, (value, _, caught) in enumerate(results):
        assert value == k
        assert caught == [(UserWarning, f"task {k} starts"), (UserWarning, f"task {k} ends")]


def _fails_or_silences(k):
    import time

    if k == 0:
        time.sleep(0.05)
        raise RuntimeError("task 0 failed")
    with warnings.catch_warnings():  # as lifelines' Cox fit does
        warnings.simplefilter("ignore")
        time.sleep(0.3)
    return k


def test_state_is_restored_after_a_failing_task_even_while_others_run(four_cores):
    """The failure surfaces while the other tasks are inside catch_warnings; run_fits
    waits for them, then restores the filters and the warning hooks (oracle: the
    state before the call, and a warning raised afterwards reaching the caller)."""
    filters, show = list(warnings.filters), warnings.showwarning
    blas = [(pool["filepath"], pool["num_threads"]) for pool in threadpool_info()]
    with pytest.raises(RuntimeError, match="task 0 failed"):
        list(run_fits(_fails_or_silences, [(k,) for k in range(4)]))
    assert warnings.filters == filters and warnings.showwarning is show
    assert [(pool["filepath"], pool["num_threads"]) for pool in threadpool_info()] == blas
    with pytest.warns(UserWarning, match="after the batch"):
        warnings.warn("after the batch", UserWarning, stacklevel=1)
    # and when the caller stops early
    results = run_fits(_slow_warning, [(k, 0.1) for k in range(6)])
    next(results)
    results.close()
    assert warnings.filters == filters and warnings.showwarning is show


def _silences_while_the_other_warns(k, inside, warned):
    if k == 0:
        with silenced(UserWarning):
            inside.set()
            assert warned.wait(5)
            warnings.warn("task 0, silenced", UserWarning, stacklevel=1)
            warnings.warn("task 0, another category", RuntimeWarning, stacklevel=1)
        warnings.warn("task 0, after the block", UserWarning, stacklevel=1)
    else:
        assert inside.wait(5)
        warnings.warn("task 1, while task 0 silences", UserWarning, stacklevel=1)
        warned.set()
    return k


def test_silenced_drops_only_its_own_tasks_warnings(four_cores):
    """On run_fits threads ``silenced`` drops the warnings of its own block only; a
    fit warning beside it keeps its warning (``catch_warnings`` with an "ignore" filter
    would lose it: the filters are process-wide). Oracle: the warnings each task
    raised, by hand."""
    inside, warned = threading.Event(), threading.Event()
    tasks = [(k, inside, warned) for k in range(2)]
    results = list(run_fits(_silences_while_the_other_warns, tasks))
    assert [caught for _, _, caught in results] == [
        [(RuntimeWarning, "task 0, another category"), (UserWarning, "task 0, after the block")],
        [(UserWarning, "task 1, while task 0 silences")],
    ]
    # elsewhere it is catch_warnings: the category is ignored, the filters restored
    filters = list(warnings.filters)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with silenced(FutureWarning):
            warnings.warn("dropped", FutureWarning, stacklevel=1)
            warnings.warn("kept", UserWarning, stacklevel=1)
    assert [str(w.message) for w in caught] == ["kept"]
    assert warnings.filters == filters


def test_a_backend_set_without_n_jobs_decides(four_cores):
    X, y = np.zeros((40, 1)), np.array([0, 1] * 20)
    with joblib.parallel_config(backend="sequential"):
        assert parallel._default_workers(5) is None
        run = _default_cv(ThreadRecorder(), X, y, cv=4, inspect=_recorded)
    assert {thread for thread, _, _ in run.inspected} == {threading.get_ident()}
    assert parallel._default_workers(5) == 4


def test_a_generator_of_tasks_with_its_count(four_cores):
    granted = [t for t, _, _ in run_fits(fit_threads, ((None,) for _ in range(2)), n_tasks=2)]
    assert granted == [2, 2]  # two tasks on four cores: two threads each


def test_a_whole_cohort_xgboost_fit_predicts_with_every_core(four_cores):
    """Fitted among other fits on one thread, the deployed booster still predicts
    (and is explained) on every core."""
    import json

    X, y = _registry(600, seed=0)
    run = _default_cv(make_model("xgboost", n_estimators=5), X, y, cv=3, refit=True)
    booster = run.refitted[-1].model_.get_booster()
    assert json.loads(booster.save_config())["learner"]["generic_param"]["nthread"] == "4"
