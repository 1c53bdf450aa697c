"""Utilities shared by every riskml package: argument checks (:mod:`riskml.utils.validation`),
threads of a model fit (:mod:`riskml.utils.parallel`), deprecations."""

from .parallel import fit_threads
from .validation import (
    check_confidence,
    check_event_array,
    check_file,
    check_fraction,
    check_int,
    check_n_jobs,
    check_one_dimensional,
    check_option,
    check_random_state,
    check_same_length,
)

__all__ = [
    "check_confidence",
    "check_event_array",
    "check_file",
    "check_fraction",
    "check_int",
    "check_n_jobs",
    "check_one_dimensional",
    "check_option",
    "check_random_state",
    "check_same_length",
    "fit_threads",
]
