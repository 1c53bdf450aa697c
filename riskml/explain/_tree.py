"""Exact path-dependent TreeSHAP: XGBoost's own kernel, and a fast one for scikit-learn trees.

XGBoost models use ``Booster.predict(..., pred_contribs=True)`` (XGBoost's C++
TreeSHAP, the numbers of ``shap.TreeExplainer``). Ensembles of scikit-learn decision
trees (random forest, extra trees, bagging, gradient boosting, a single tree) use
:func:`tree_shap`, a numba kernel that costs O(nodes x Q) per tree and row instead
of TreeSHAP's O(leaves x depth^2), with the same values to rounding error.

How the kernel works. For one row ``x`` and one tree, path-dependent TreeSHAP
(Lundberg et al. 2020, Algorithm 2) gives feature ``j``

    phi_j = sum over leaves l with j on their path of
            v_l (o_lj - z_lj) * integral_0^1 prod_{k on the path, k != j} (z_lk + (o_lk - z_lk) t) dt

where ``z_lk`` is the product of the cover ratios of the splits on feature ``k``
along the path and ``o_lk`` is 1 when ``x`` follows all of them (else 0): the
Shapley weights ``|S|! (d - |S| - 1)! / d!`` are the Beta integrals
``integral t^|S| (1 - t)^(d - |S| - 1) dt``. The integrand is a polynomial of degree
below the path's number of distinct features, so Gauss-Legendre quadrature with
``Q = ceil(depth / 2)`` nodes is exact. One depth-first pass keeps the product at
the quadrature nodes for the current path, sums ``v_l * product`` bottom-up, and
credits each split edge once, subtracting the subtrees in which the same feature
is split again (the idea of Linear TreeSHAP, Yu et al. 2022, with quadrature in
place of polynomial interpolation).
"""

from __future__ import annotations

import numpy as np

__all__ = ["TreeArrays", "sklearn_tree_arrays", "tree_shap", "xgboost_contributions"]

_KERNEL = None


def _kernel_source(
    X,
    left,
    right,
    feature,
    threshold,
    cover,
    value,
    missing_left,
    roots,
    tree_weight,
    t,
    w,
    max_depth,
    out,
    out_sq,
):
    """Add each tree's SHAP values (times its weight) to ``out``; squares to ``out_sq``.

    ``out_sq`` (shape (n_rows, p) or (0, 0)) receives the sum over trees of the
    squared per-tree values (unweighted), for the standard errors of a subsample.
    """
    n_rows, p = X.shape
    n_nodes = t.shape[0]
    size = max_depth + 2
    node = np.empty(size, np.int64)
    state = np.empty(size, np.int64)
    product = np.empty((size, n_nodes))
    below = np.empty((size, n_nodes))
    saved = np.empty((size, n_nodes))
    saved_z = np.empty(size)
    saved_o = np.empty(size)
    zf = np.ones(p)
    of = np.ones(p)
    pending = np.zeros((p, n_nodes))
    track = out_sq.shape[0] > 0
    tree_phi = np.zeros(p)
    for r in range(n_rows):
        x = X[r]
        for k in range(roots.shape[0]):
            if track:
                tree_phi[:] = 0.0
            depth = 0
            node[0] = roots[k]
            state[0] = 0
            for q in range(n_nodes):
                product[0, q] = 1.0
                below[0, q] = 0.0
            while True:
                n = node[depth]
                if left[n] >= 0 and state[depth] < 2:
                    child = left[n] if state[depth] == 0 else right[n]
                    f = feature[n]
                    value_x = x[f]
                    if np.isnan(value_x):
                        goes_left = missing_left[n] == 1
                    else:
                        goes_left = value_x <= threshold[n]
                    o_edge = 1.0 if goes_left == (state[depth] == 0) else 0.0
                    z_edge = cover[child] / cover[n]
                    z_old = zf[f]
                    o_old = of[f]
                    saved_z[depth] = z_old
                    saved_o[depth] = o_old
                    z_new = z_old * z_edge
                    o_new = o_old * o_edge
                    zf[f] = z_new
                    of[f] = o_new
                    for q in range(n_nodes):
                        saved[depth, q] = pending[f, q]
                        pending[f, q] = 0.0
                        product[depth + 1, q] = (
                            product[depth, q]
                            * (z_new + (o_new - z_new) * t[q])
                            / (z_old + (o_old - z_old) * t[q])
                        )
                        below[depth + 1, q] = 0.0
                    node[depth + 1] = child
                    state[depth + 1] = 0
                    depth += 1
                    continue
                if left[n] < 0:
                    leaf_value = value[n]
                    for q in range(n_nodes):
                        below[depth, q] = leaf_value * product[depth, q]
                if depth == 0:
                    break
                parent = depth - 1
                f = feature[node[parent]]
                z_new = zf[f]
                o_new = of[f]
                total = 0.0
                for q in range(n_nodes):
                    total += (
                        w[q] * (below[depth, q] - pending[f, q]) / (z_new + (o_new - z_new) * t[q])
                    )
                phi = (o_new - z_new) * total
                out[r, f] += tree_weight[k] * phi
                if track:
                    tree_phi[f] += phi
                zf[f] = saved_z[parent]
                of[f] = saved_o[parent]
                for q in range(n_nodes):
                    pending[f, q] = saved[parent, q] + below[depth, q]
                    below[parent, q] += below[depth, q]
                state[parent] += 1
                depth = parent
            if track:
                for j in range(p):
                    out_sq[r, j] += tree_phi[j] * tree_phi[j]


def _kernel():
    global _KERNEL
    if _KERNEL is None:
        import numba

        try:
            _KERNEL = numba.njit(cache=True, nogil=True)(_kernel_source)
        except RuntimeError:  # pragma: no cover - no writable cache location
            _KERNEL = numba.njit(nogil=True)(_kernel_source)
    return _KERNEL


class TreeArrays:
    """Trees of scikit-learn estimators flattened into arrays for the kernel.

    Parameters
    ----------
    trees : list of fitted ``sklearn.tree`` estimators
    weights : array of float
        Weight of each tree's output in the ensemble output.
    features : list of array of int, optional
        For each tree, the ensemble column of each of its columns (bagging with
        feature subsets); None: the identity.
    output : {"proba", "raw"}
        Leaf values: the class-1 fraction (classifiers) or the regression value.
    """

    def __init__(self, trees, weights, features=None, output="proba"):
        arrays = {k: [] for k in ("left", "right", "feature", "threshold", "cover", "value", "nan")}
        roots, offset, depth, bases = [], 0, 0, []
        for index, estimator in enumerate(trees):
            tree = estimator.tree_
            left = tree.children_left.astype(np.int64)
            right = tree.children_right.astype(np.int64)
            leaf = left < 0
            feature = np.maximum(tree.feature, 0).astype(np.int64)
            if features is not None:
                feature = np.asarray(features[index], dtype=np.int64)[feature]
            cover = tree.weighted_n_node_samples.astype(float)
            if output == "proba":
                counts = tree.value[:, 0, :]
                value = counts[:, -1] / counts.sum(axis=1) if counts.shape[1] > 1 else counts[:, 0]
                if counts.shape[1] == 1:  # one class seen by this tree
                    value = np.full(tree.node_count, float(estimator.classes_[0] == 1))
            else:
                value = tree.value[:, 0, 0].astype(float)
            nan_left = getattr(tree, "missing_go_to_left", None)
            nan_left = np.zeros(tree.node_count) if nan_left is None else np.asarray(nan_left)
            arrays["left"].append(np.where(leaf, -1, left + offset))
            arrays["right"].append(np.where(leaf, -1, right + offset))
            arrays["feature"].append(feature)
            arrays["threshold"].append(tree.threshold.astype(float))
            arrays["cover"].append(cover)
            arrays["value"].append(value.astype(float))
            arrays["nan"].append(nan_left.astype(np.int64))
            bases.append(float((value[leaf] * cover[leaf]).sum() / cover[0]))
            roots.append(offset)
            offset += tree.node_count
            depth = max(depth, int(tree.max_depth))
        for key, parts in arrays.items():
            setattr(self, key, np.ascontiguousarray(np.concatenate(parts)))
        self.roots = np.asarray(roots, dtype=np.int64)
        self.weights = np.asarray(weights, dtype=float)
        self.tree_bases = np.asarray(bases)
        self.base_value = float(self.weights @ self.tree_bases)
        self.max_depth = depth

    def subset(self, keep):
        """The same arrays restricted to the trees ``keep`` (roots and weights only)."""
        other = object.__new__(TreeArrays)
        other.__dict__.update(self.__dict__)
        other.roots = self.roots[keep]
        other.weights = self.weights[keep]
        other.tree_bases = self.tree_bases[keep]
        other.base_value = float(other.weights @ other.tree_bases)
        return other


def tree_shap(arrays: TreeArrays, X, n_features: int, *, n_jobs=None, squares=False):
    """SHAP values of the rows of ``X`` (float32-rounded, as scikit-learn trees see them).

    Returns ``(values, squares)``: ``values`` of shape (n_rows, n_features), the
    weighted sum over trees, and (when ``squares``) the unweighted sum over trees of
    the squared per-tree values, else None. Chunks of rows run on ``n_jobs`` threads
    (None: every core at the top level, one inside a parallel worker); each row is
    computed alone, so the values do not depend on it.
    """
    from joblib import Parallel, delayed, effective_n_jobs

    from ..utils.parallel import fit_threads

    # scikit-learn trees compare float32 inputs with their thresholds.
    X = np.ascontiguousarray(np.asarray(X, dtype=np.float32), dtype=np.float64)
    n_quad = max(1, int(np.ceil(min(arrays.max_depth, n_features) / 2.0)))
    nodes, node_weights = np.polynomial.legendre.leggauss(n_quad)
    t = (nodes + 1.0) / 2.0
    w = node_weights / 2.0
    kernel = _kernel()

    def run(rows):
        out = np.zeros((rows.shape[0], n_features))
        out_sq = np.zeros((rows.shape[0], n_features) if squares else (0, 0))
        kernel(
            rows,
            arrays.left,
            arrays.right,
            arrays.feature,
            arrays.threshold,
            arrays.cover,
            arrays.value,
            arrays.nan,
            arrays.roots,
            arrays.weights,
            t,
            w,
            arrays.max_depth,
            out,
            out_sq,
        )
        return out, out_sq

    n_chunks = min(max(1, effective_n_jobs(fit_threads(n_jobs))), max(1, X.shape[0]))
    if n_chunks == 1:
        values, sq = run(X)
    else:
        parts = Parallel(n_jobs=n_chunks, prefer="threads")(
            delayed(run)(chunk) for chunk in np.array_split(X, n_chunks)
        )
        values = np.vstack([v for v, _ in parts])
        sq = np.vstack([s for _, s in parts]) if squares else None
    return values, (sq if squares else None)


def sklearn_tree_arrays(model):
    """``(TreeArrays, output)`` for a supported scikit-learn tree model, else None.

    ``output`` is ``"proba"`` (the class-1 probability) or ``"raw"`` (log-odds, for
    gradient boosting, whose constant initial prediction is left out of the trees).
    """
    from sklearn.ensemble import (
        BaggingClassifier,
        ExtraTreesClassifier,
        GradientBoostingClassifier,
        RandomForestClassifier,
    )
    from sklearn.tree import DecisionTreeClassifier

    if isinstance(model, DecisionTreeClassifier):
        return TreeArrays([model], [1.0]), "proba"
    if isinstance(model, RandomForestClassifier | ExtraTreesClassifier):
        trees = list(model.estimators_)
        return TreeArrays(trees, np.full(len(trees), 1.0 / len(trees))), "proba"
    if isinstance(model, BaggingClassifier):
        trees = list(model.estimators_)
        if not all(isinstance(t, DecisionTreeClassifier) for t in trees):
            return None
        if not all(len(t.classes_) == 2 for t in trees):
            return None  # a bootstrap sample with one class: predict_proba pads it
        weights = np.full(len(trees), 1.0 / len(trees))
        return TreeArrays(trees, weights, features=list(model.estimators_features_)), "proba"
    if isinstance(model, GradientBoostingClassifier) and model.estimators_.shape[1] == 1:
        trees = list(model.estimators_[:, 0])
        return TreeArrays(trees, np.full(len(trees), model.learning_rate), output="raw"), "raw"
    return None


def xgboost_contributions(booster, data, n_jobs=None):
    """XGBoost's TreeSHAP: ``(values, base_values)`` on the margin scale."""
    import xgboost

    matrix = xgboost.DMatrix(data, enable_categorical=True, nthread=n_jobs or 1)
    contribs = np.asarray(booster.predict(matrix, pred_contribs=True), dtype=float)
    if contribs.ndim != 2:
        raise ValueError(
            "explain_pipeline supports binary (single-output) XGBoost models; got SHAP "
            f"values of shape {contribs.shape}."
        )
    return contribs[:, :-1], contribs[:, -1]
