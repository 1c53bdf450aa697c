"""Cohorts: schema-checked loaders, synthetic generators and bundled datasets.

Every loader returns a :class:`Cohort` built by :func:`cohort_from_frame` from a
table checked against a declarative schema (``data_schemas/*.yaml``): types,
levels, hard ranges (refused, with a unit diagnosis), soft ranges (warned),
duplicate ids and cross-field rules, all reported together.
"""

from ._cohort import Cohort
from ._heart_failure import load_heart_failure_clinical_records
from ._hypertension import load_young_hypertension
from ._schema import (
    Schema,
    SchemaError,
    SchemaWarning,
    cohort_from_frame,
    load_schema,
    validate,
)
from ._synthetic import make_young_hypertension

__all__ = [
    "Cohort",
    "Schema",
    "SchemaError",
    "SchemaWarning",
    "cohort_from_frame",
    "load_heart_failure_clinical_records",
    "load_schema",
    "load_young_hypertension",
    "make_young_hypertension",
    "validate",
]
