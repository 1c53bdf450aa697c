"""Declarative cohort schemas: load them from YAML and validate data against them.

A schema (one YAML file per cohort kind in ``data_schemas/``) lists every column
of a cohort file with its type, canonical unit, hard range (impossible values,
or almost surely a unit error: refused), soft range (rare but possible: warned),
levels, role and the units it may arrive in. :func:`validate` checks a
DataFrame against it in one pass and reports every problem together, so that a
user fixes the file once; :func:`cohort_from_frame` turns the validated frame
into a :class:`~riskml.Cohort`.

Column fields: ``name``, ``type`` (int, float, bool, cat, str, date: ISO
``YYYY-MM-DD``, datetime: ``YYYY-MM-DD HH:MM:SS``), ``unit``, ``hard_range``,
``soft_range``, ``levels``, ``role`` (id, group, predictor, derived, outcome,
context: dates and secondary ids, validated but never features), ``post_index``,
``missing`` (typical share missing), ``required``, ``nullable`` (false: an empty
value is an error, e.g. registry checkboxes), ``summary`` (mean or median, for
Table 1), ``description``, ``accepted_units`` and, for dates, ``date_range``
(``[earliest, latest]``, ISO dates or ``today``; default ``[1901-01-01, today]``:
a date in the future or before 1901 is refused, so a placeholder such as
1900-01-01 or a typo such as 2099 is caught; a source whose dates are shifted for
de-identification, such as MIMIC-III, declares its own range).

Rules: ``less_than``, ``at_most`` and ``equal`` between two columns (numbers or
dates; optional ``tolerance``, in days for dates), ``ordered`` (min <= mean <=
max), ``sum_at_most``, ``horizon_label``, ``flag_matches`` (a 0/1 column is 1
exactly when a condition holds), ``bins_match`` (a category agrees with the bin
of a number), ``composite`` (a composite event flag and its component flags: a
component flagged without the composite, or the composite without any component
when every component column is present, is refused; ``exclusive: true`` also
refuses more than one component, for "first event was" flags). Any rule may carry
``if`` (conditions that select the rows it applies to), ``name`` (shown in the
message) and ``fix``.

The engine follows the data: :mod:`._schema_model` (the dataclasses and
:class:`SchemaError`), :mod:`._schema_parse` (YAML to :class:`Schema`),
:mod:`._schema_validate` with :mod:`._schema_rules` (a table checked against a
schema) and :mod:`._schema_build` (the validated table to a
:class:`~riskml.Cohort`); this module gathers their public names.
"""

from ._schema_build import cohort_from_frame, cohort_from_validated
from ._schema_model import (
    ColumnSpec,
    OutcomeSpec,
    Schema,
    SchemaError,
    SchemaProblem,
    SchemaWarning,
)
from ._schema_parse import load_schema
from ._schema_validate import validate

__all__ = [
    "ColumnSpec",
    "OutcomeSpec",
    "Schema",
    "SchemaError",
    "SchemaProblem",
    "SchemaWarning",
    "cohort_from_frame",
    "cohort_from_validated",
    "load_schema",
    "validate",
]
