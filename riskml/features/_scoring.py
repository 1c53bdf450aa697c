"""Where :func:`c_statistic_scorer` lived before it moved to :mod:`riskml.evaluation`.

Model files written before the move name ``riskml.features._scoring.c_statistic_scorer``
(a tuned model's ``scoring``); this alias keeps them loadable.
"""

from ..evaluation import c_statistic, c_statistic_scorer

__all__ = ["c_statistic", "c_statistic_scorer"]
