"""Fits that did not give the model asked for: the warning models raise, and its tally."""

from __future__ import annotations

import re
from collections import Counter

__all__ = ["ModelFitWarning", "count_fit_issues", "merge_fit_issues", "quote_names"]

#: The list of covariate names in an issue sentence, as :func:`quote_names` writes it
#: (typographic quotes, so that the apostrophes of the sentence are not taken for it).
_NAMES = re.compile(r"‘[^’]*’(?:, ‘[^’]*’)*(?: and \d+ more)?")


def quote_names(names, shown: int = 5) -> str:
    """Covariate names for an issue sentence: "‘a’, ‘b’ and 3 more".

    Issue sentences name covariates only through this, so that Study can merge the
    same issue raised on different covariates in different fits.
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
