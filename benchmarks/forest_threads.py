"""Random forest threads vs folds in parallel (issue 15, item 1).

    python -m benchmarks.forest_threads        # one 20k-row fit with n_jobs=1 and 2
    python -m benchmarks.forest_threads cv     # and 5-fold CV: folds in parallel vs threads

Prints the load average before each timing (the machine may be shared).
"""

import os
import sys
import time

import numpy as np

import riskml as rk
from riskml.evaluation import cross_val_predict_risk

c = rk.cohorts.make_hf_registry(20000, random_state=0)
X = c.features[c.predictors]
y = c.outcome
res = {}
for nj in (1, 2):
    m = rk.models.make_model("random_forest", horizon=30, n_jobs=nj)
    print(os.getloadavg()[0], end=" ")
    t = time.perf_counter()
    m.fit(X, y)
    res[nj] = m.predict_risk(X)
    print(f"fit n_jobs={nj}: {time.perf_counter() - t:.1f}s", flush=True)
print("identical", np.array_equal(res[1], res[2]))
if "cv" in sys.argv:
    for fold_jobs, forest_jobs in ((2, 1), (1, 2)):
        m = rk.models.make_model("random_forest", horizon=30, n_jobs=forest_jobs)
        print(os.getloadavg()[0], end=" ")
        t = time.perf_counter()
        r = cross_val_predict_risk(m, X, y, cv=5, random_state=0, horizon=30, n_jobs=fold_jobs)
        print(
            f"5-fold CV folds n_jobs={fold_jobs}, forest n_jobs={forest_jobs}: {time.perf_counter() - t:.1f}s",
            flush=True,
        )
