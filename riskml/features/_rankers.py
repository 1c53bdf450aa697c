"""Ranking estimators by name, for feature selectors used on their own.

The features layer sits below the models layer, so it cannot build a model family from
its name itself. :mod:`riskml.models` installs the resolver when it is imported (its
:func:`~riskml.models.ranking_estimator`), and :func:`~riskml.models.make_model` resolves
a selector's name before the selector ever sees it; a selector fitted on its own asks
the resolver here.
"""

from __future__ import annotations

from collections.abc import Callable

__all__ = ["named_ranking_estimator", "set_ranking_resolver"]

_resolver: Callable | None = None


def set_ranking_resolver(resolver: Callable) -> None:
    """Install ``resolver(name, *, survival, random_state) -> unfitted estimator``.

    :mod:`riskml.models` calls it once, when it is imported.
    """
    global _resolver
    _resolver = resolver


def named_ranking_estimator(name: str, survival: bool, random_state):
    """The unfitted ranking model of a model family's name.

    Raises
    ------
    ValueError
        When no model family is known yet (:mod:`riskml.models` not imported), with
        the one-line fix; or, from the resolver, for a name that cannot rank.
    """
    if _resolver is None:
        raise ValueError(
            f"estimator={name!r} names a model family, and the model families are known "
            "once riskml.models is imported. Add `import riskml.models` before fitting, or "
            f"pass the estimator itself: estimator=riskml.models.ranking_estimator({name!r})."
        )
    seed = 0 if random_state is None else random_state
    return _resolver(name, survival=survival, random_state=seed)
