"""Fits that did not give the model asked for: the warning models raise, and its tally."""

from __future__ import annotations

from collections import Counter

__all__ = ["ModelFitWarning", "count_fit_issues"]


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
    """


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
