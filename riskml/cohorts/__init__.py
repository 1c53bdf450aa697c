"""Cohorts: schema-checked loaders, synthetic generators and bundled datasets.

Every loader returns a :class:`Cohort` built from a table checked against a
declarative schema (``data_schemas/*.yaml``): types, levels, dates, hard ranges
(refused, with a unit diagnosis), soft ranges (warned), duplicate ids and
cross-field rules, all reported together.

Sources: the MIMIC-III acute myocardial infarction extract built from the raw
v1.4 tables (:func:`load_mimic3_ami`, :func:`make_mimic3_ami`), heart-failure
registry exports (:func:`load_hf_registry`, :func:`make_hf_registry`), the
bundled heart-failure clinical records (:func:`load_heart_failure_clinical_records`)
and young-hypertension cohorts (:func:`load_young_hypertension`,
:func:`make_young_hypertension`).
"""

from ._ccta_registry import make_ccta_registry
from ._cohort import MAX_TABLE_LEVELS, REPORT_MIN_COUNT, Cohort
from ._guards import check_predictors
from ._heart_failure import load_heart_failure_clinical_records
from ._hf_registry import load_hf_registry, make_hf_registry
from ._hypertension import load_young_hypertension
from ._mimic3 import load_mimic3_ami
from ._mimic3_synthetic import make_mimic3_ami
from ._mimic4 import load_mimic4_ami
from ._omop import build_omop_cohort, load_omop_cohort
from ._omop_concepts import ConceptSet
from ._omop_source import OmopSource
from ._profile import input_profile, profile_level
from ._sample import sample_csv_path
from ._schema import (
    Schema,
    SchemaError,
    SchemaWarning,
    cohort_from_frame,
    load_schema,
    validate,
)
from ._synthetic import make_young_hypertension
from ._tables import TableReadError, read_table

__all__ = [
    "MAX_TABLE_LEVELS",
    "REPORT_MIN_COUNT",
    "Cohort",
    "Schema",
    "SchemaError",
    "SchemaWarning",
    "TableReadError",
    "check_predictors",
    "cohort_from_frame",
    "input_profile",
    "load_heart_failure_clinical_records",
    "load_hf_registry",
    "load_mimic3_ami",
    "load_mimic4_ami",
    "load_schema",
    "load_young_hypertension",
    "make_ccta_registry",
    "make_hf_registry",
    "make_mimic3_ami",
    "make_young_hypertension",
    "read_table",
    "validate",
    "profile_level",
    "sample_csv_path",
    "ConceptSet",
    "OmopSource",
    "build_omop_cohort",
    "load_omop_cohort",
]
