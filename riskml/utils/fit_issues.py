"""Fits that did not give the model asked for: the warning models raise, and its tally."""

from __future__ import annotations

import re
from collections import Counter

__all__ = [
    "ModelFitWarning",
    "count_fit_issues",
    "fit_issue_records",
    "merge_fit_issues",
    "quote_names",
]

#: The list of covariate names in an issue sentence, as :func:`quote_names` writes it
#: (typographic quotes, so that the apostrophes of the sentence are not taken for it).
_NAMES = re.compile(r"‘[^’]*’(?:, ‘[^’]*’)*(?: and \d+ more)?")


def quote_names(names, shown: int = 5) -> str:
    """Covariate names for an issue sentence: "‘a’, ‘b’ and 3 more".

    Issue sentences name covariates only through this, so that Study can merge the
    same issue raised on different covariates in different fits.

    Examples
    --------
    >>> from riskml.utils.fit_issues import quote_names
    >>> quote_names(["age", "bmi", "sbp", "hdl", "ldl", "smoker", "diabetes"])
    '‘age’, ‘bmi’, ‘sbp’, ‘hdl’, ‘ldl’ and 2 more'
    """
    names = [str(n) for n in names]
    text = ", ".join(f"‘{n}’" for n in names[:shown])
    return text + (f" and {len(names) - shown} more" if len(names) > shown else "")


class ModelFitWarning(UserWarning):
    """A fit that did not give the model asked for, or gave it without converging.

    Separation (complete or quasi-complete in a logistic model, monotone
    likelihood in a Cox model), non-convergence, and any fallback fit (such as a
    ridge refit) raise exactly one ``ModelFitWarning`` per issue per fit, whose
    text is the sentence also stored in the estimator's ``fit_issues_``.
    Cross-validation and internal validation count them over the folds and the
    bootstrap replicates; :class:`~riskml.Study` adds the whole-cohort fit, warns
    once per issue with the counts, and records them in ``StudyResult.fit_issues``,
    the summary, the model descriptions and the report.

    Examples
    --------
    >>> import warnings
    >>> import numpy as np, pandas as pd
    >>> from riskml.models import LogisticRisk, ModelFitWarning
    >>> X = pd.DataFrame({"x": [0.0, 1, 2, 3, 4, 5]})
    >>> y = np.array([0, 0, 0, 1, 1, 1])  # x separates the outcome completely
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     model = LogisticRisk().fit(X, y)
    >>> [w.category.__name__ for w in caught]
    ['ModelFitWarning']
    >>> model.fit_issues_[0][:11]
    'separation:'
    """


def fit_issue_records(estimator, raised=()) -> list:
    """A fit's warnings with its fit issues taken from the fitted estimator, each once.

    The estimator's ``fit_issues_`` sentences are the source of truth wherever a step
    of it has that attribute: they survive any backend, while the warnings a fit
    raised can be lost in a worker process, or mixed with another fit's in the
    threads of an in-process Dask worker (the ``warnings`` module's state is
    process-wide). Its :class:`ModelFitWarning` records are then replaced by those
    sentences; an estimator without the attribute (a user's own) keeps its warnings.
    The estimator is searched through pipeline steps and the fitted inner estimator of
    a wrapper (``best_estimator_``, ``estimator_``).

    Parameters
    ----------
    estimator : fitted estimator or None
        None: only remove repeated fit-issue records from ``raised``.
    raised : list of (category, message)
        The warnings the fit raised.

    Returns
    -------
    list of (category, message)

    Examples
    --------
    >>> import warnings
    >>> import numpy as np, pandas as pd
    >>> from riskml.models import LogisticRisk
    >>> from riskml.utils.fit_issues import fit_issue_records
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     model = LogisticRisk().fit(pd.DataFrame({"x": [0.0, 1, 2, 3]}), np.array([0, 0, 1, 1]))
    >>> [(category.__name__, text[:11]) for category, text in fit_issue_records(model)]
    [('ModelFitWarning', 'separation:')]
    """
    sentences = _issues_of(estimator, depth=0)
    records, seen = [], set()
    for category, message in raised:
        if isinstance(category, type) and issubclass(category, ModelFitWarning):
            if sentences is not None or str(message) in seen:
                continue
            seen.add(str(message))
        records.append((category, message))
    for sentence in dict.fromkeys(sentences or []):
        records.append((ModelFitWarning, sentence))
    return records


def _issues_of(estimator, depth: int) -> list | None:
    """Every ``fit_issues_`` sentence in the estimator; None when no step has one."""
    if estimator is None or depth > 5:
        return None
    own = getattr(estimator, "fit_issues_", None)
    found = None if own is None else [str(s) for s in own]
    inner = [step for _, step in getattr(estimator, "steps", None) or []]
    inner += [
        getattr(estimator, name, None)
        for name in ("best_estimator_", "estimator_")
        if getattr(estimator, name, None) is not estimator
    ]
    for step in inner:
        sentences = _issues_of(step, depth + 1)
        if sentences is not None:
            found = (found or []) + sentences
    return found


def count_fit_issues(records) -> Counter:
    """How many fits raised each :class:`ModelFitWarning` sentence.

    Parameters
    ----------
    records : iterable of iterables of (category, message)
        One entry per fit: the warnings that fit raised.

    Returns
    -------
    collections.Counter
        Sentence -> number of fits that raised it (a fit raising a sentence twice
        counts once).

    Examples
    --------
    >>> from riskml.models import ModelFitWarning
    >>> from riskml.utils.fit_issues import count_fit_issues
    >>> fold_warnings = [[(ModelFitWarning, "separation on x")],
    ...                  [(ModelFitWarning, "separation on x"), (UserWarning, "other")], []]
    >>> count_fit_issues(fold_warnings)
    Counter({'separation on x': 2})
    """
    counts: Counter = Counter()
    for fit in records:
        counts.update(
            {
                str(message)
                for category, message in fit
                if isinstance(category, type) and issubclass(category, ModelFitWarning)
            }
        )
    return counts


def merge_fit_issues(counts: dict, whole=()) -> list[tuple[str, int, bool]]:
    """One entry per kind of issue, whatever covariates each fit named.

    The same issue (monotone likelihood, separation) names the covariate that caused
    it, which can differ between folds or replicates; sentences that differ only in
    their covariate names (:func:`quote_names`) are one issue, counted over all their
    fits, and the merged sentence names every covariate seen ("‘a’, ‘b’ (depending on
    the fit)").

    Parameters
    ----------
    counts : dict
        Sentence -> number of fits (folds or replicates) that raised it.
    whole : iterable of str
        The sentences of one more fit (the whole-cohort fit).

    Returns
    -------
    list of (sentence, fits, in_whole)
        In order of first appearance, the whole-cohort fit's first.

    Examples
    --------
    >>> from riskml.utils.fit_issues import merge_fit_issues
    >>> merge_fit_issues({"no convergence": 2}, whole=["no convergence"])
    [('no convergence', 3, True)]
    """
    groups: dict = {}
    for sentence, count, in_whole in [(s, 1, True) for s in whole] + [
        (s, int(c), False) for s, c in counts.items()
    ]:
        key = _NAMES.sub("\0", sentence)
        group = groups.setdefault(key, {"sentences": [], "fits": 0, "whole": False})
        if sentence not in group["sentences"]:
            group["sentences"].append(sentence)
        group["fits"] += count
        group["whole"] |= in_whole
    merged = []
    for key, group in groups.items():
        sentences = group["sentences"]
        if len(sentences) == 1:
            text = sentences[0]
        else:
            names = []
            for sentence in sentences:
                for listed in _NAMES.findall(sentence):
                    for name in re.findall(r"‘([^’]*)’", listed):
                        if name not in names:
                            names.append(name)
            shown = quote_names(names, shown=8)
            text = key.replace("\0", f"{shown} (depending on the fit)", 1).replace("\0", "")
        merged.append((text, group["fits"], group["whole"]))
    return merged
