"""The MIMIC-IV acute myocardial infarction extract, built from the raw v2.x tables.

One row per hospital admission with an AMI code in any position (ICD-9 410.x or
411.0; ICD-10 I21.x, I22.x or I24.1) and an ICU stay; t0 is the intime of the
admission's first ICU stay: Barrett et al.'s (2019) design, as
:func:`load_mimic3_ami` builds it on MIMIC-III, with the same item ids, windows,
sanity bounds and code lists (ICD-10 counterparts added).

chartevents (over 300M rows), labevents (over 100M) and omr are scanned by DuckDB
with the item ids, the cohort's admissions (or patients) and the time windows pushed
into the scan, under a memory cap; only the rows that pass reach pandas.

This module is the loader and the order of the build's steps; the steps live in
:mod:`._mimic4_cohort` (admissions selected, outcomes), :mod:`._mimic4_features`
(predictors), :mod:`._mimic4_codes` (ICD-10 lists) and :mod:`._mimic4_tables` (where
the tables are and what they hold).
"""

from __future__ import annotations

import warnings

import numpy as np

from ._cohort import Cohort
from ._mimic3 import _StepBar
from ._mimic3_cohort import _Flow
from ._mimic3_tables import LAB_LABELS
from ._mimic4_cohort import (
    _admission_steps,
    _index_diagnoses,
    _label_steps,
    _outcomes,
    _patient_steps,
    _read_core,
    _with_icu_stay_and_age,
)
from ._mimic4_features import _demographics, _event_tables, _wide
from ._mimic4_tables import MISSING_TABLE_EFFECT, Mimic4Tables
from ._schema import cohort_from_frame, load_schema
from ._tables import RawChecker, connect, numbers, remove_spill, warn_if_no_events

__all__ = ["LABELS", "load_mimic4_ami"]

SOURCE = (
    "MIMIC-IV Clinical Database v2.x (Johnson AEW, Bulgarelli L, Shen L, et al. Sci Data "
    "2023;10:1; PhysioNet, doi:10.13026/07hj-2a80)"
)
LABELS = ("death_1yr_from_admit", "death_1yr_post_discharge", "hospital_expire_flag", "death")
BUILD_STEPS = (
    "AMI diagnoses",
    "admissions",
    "chartevents",
    "labevents",
    "omr, codes, prescriptions",
    "features",
)
_OUTCOMES = {
    "death_1yr_from_admit": {
        "kind": "binary",
        "event": "death_1yr_from_admit",
        "name": "death_1yr_from_admit",
    },
    "death_1yr_post_discharge": {
        "kind": "binary",
        "event": "death_1yr_post_discharge",
        "name": "death_1yr_post_discharge",
    },
    "hospital_expire_flag": {
        "kind": "binary",
        "event": "hospital_expire_flag",
        "name": "hospital_death",
    },
    "death": {
        "kind": "survival",
        "event": "death_event",
        "time": "death_time_days",
        "horizon_days": 365.0,
        "name": "death",
    },
}


def _check_options(primary_only, exclude_subsequent_episode, first_admission_only, label, ids):
    for name, value in (
        ("primary_only", primary_only),
        ("exclude_subsequent_episode", exclude_subsequent_episode),
        ("first_admission_only", first_admission_only),
    ):
        if not isinstance(value, bool | np.bool_):
            raise TypeError(f"{name} must be True or False; got {value!r}.")
    if label not in LABELS:
        raise ValueError(
            f"label must be one of {list(LABELS)}; got {label!r}. 'death' is the time to death "
            "with censoring; the others are binary."
        )
    if ids is None:
        return set()
    try:
        return {int(v) for v in ids}
    except (TypeError, ValueError):
        raise TypeError(
            f"exclude_hadm_ids must be a list of hadm_id integers; got {ids!r}."
        ) from None


def _import_duckdb():
    try:
        import duckdb
    except ImportError as error:  # a core dependency; a broken environment can lack it
        raise ImportError(
            "load_mimic4_ami scans the MIMIC-IV tables with DuckDB, which is not installed. "
            "Fix: pip install 'duckdb>=1.0' (or reinstall riskml)."
        ) from error
    return duckdb


def load_mimic4_ami(
    directory,
    *,
    primary_only=False,
    exclude_subsequent_episode=False,
    first_admission_only=False,
    label="death_1yr_from_admit",
    exclude_hadm_ids=None,
    memory_limit="2GB",
    threads=None,
    progress=True,
) -> Cohort:
    """Build the MIMIC-IV acute myocardial infarction cohort from the raw v2.x tables.

    Parameters
    ----------
    directory : str or path-like
        The MIMIC-IV folder, which holds ``hosp/`` (patients, admissions,
        diagnoses_icd, procedures_icd, prescriptions, labevents, omr and optionally
        d_labitems) and ``icu/`` (icustays, chartevents), as ``.csv.gz`` or ``.csv``,
        file names in any case; a folder holding every table side by side also
        works. Files are only read. patients, admissions, diagnoses_icd and icustays
        are needed; each other table that is absent (or has no rows) leaves its
        predictors out, with a warning (the MIMIC-IV demo has no chartevents).
    primary_only : bool, default=False
        Keep admissions whose principal diagnosis (seq_num 1) is an AMI code. By
        default a code in any position qualifies.
    exclude_subsequent_episode : bool, default=False
        Ignore the codes of a subsequent episode (ICD-9 410.x2, within 8 weeks of an
        earlier MI; ICD-10 I22.x, within 4 weeks); an admission with only such codes
        is left out.
    first_admission_only : bool, default=False
        Keep each patient's first qualifying admission only.
    label : {"death_1yr_from_admit", "death_1yr_post_discharge", "hospital_expire_flag", \
"death"}, default="death_1yr_from_admit"
        The outcome. ``death_1yr_from_admit``: a death within 365 days of
        admission, in-hospital deaths included (binary, as in Barrett et al.
        2019). ``death_1yr_post_discharge``: within 365 days of discharge, among
        patients discharged alive (in-hospital deaths are left out).
        ``hospital_expire_flag``: in-hospital death. ``death``: time to death from
        admission, censored one year after the patient's last discharge, with
        ``horizon`` 365.
    exclude_hadm_ids : list of int, optional
        Admissions to leave out (e.g. linkage errors that the validator reports).
    memory_limit : str or None, default="2GB"
        DuckDB's memory cap while scanning the tables (it spills to a private
        temporary folder beyond it). None uses DuckDB's default (80% of RAM).
    threads : int, optional
        DuckDB threads (default: all cores).
    progress : bool, default=True
        Show a progress bar over the build's steps (tqdm).

    Returns
    -------
    cohort : Cohort
        One row per admission (ids = ``hadm_id``, groups = ``subject_id``, so that
        cross-validation never splits a patient's admissions), the ``mimic4_ami``
        schema's features that the present tables give (``cohort.predictors``
        leaves out the ``post_index`` ones: lengths of stay, ICU stay count,
        procedures and whole-stay medications) and the chosen outcome. Extra
        attributes: ``outcomes`` (every outcome column), ``context`` (dates, first
        ``stay_id``, the AMI code and its ICD revision, ``anchor_year_group``),
        ``flow`` (each inclusion and exclusion step with the admissions and
        patients left) and ``label``.

    Raises
    ------
    FileNotFoundError
        When the folder or one of patients, admissions, diagnoses_icd and icustays
        is missing.
    ImportError
        When DuckDB is not installed.
    SchemaError
        When a table lacks a needed column or a core table has no rows, a time does
        not parse, a lab's values are mostly above their sanity cap (a unit
        problem), or the extract breaks the ``mimic4_ami`` schema; every problem is
        listed with the table and column, the rule, the row count and the first ids.

    Warns
    -----
    UserWarning
        For each optional table that is absent or has no rows, naming the
        predictors left out.

    Notes
    -----
    The recipe (docs/data_sources.md; docs/guide/mimic4.md):

    * **Index diagnosis** (hosp/diagnoses_icd, any position): ICD-9 410.x or 411.0
      (post-MI syndrome), ICD-10 I21.x, I22.x (subsequent MI) or I24.1 (Dressler's
      syndrome). ``ami_type`` by precedence STEMI > NSTEMI (410.7x, I21.4, I22.2) >
      ``type2_or_other`` (I21.A1, I21.A9) > unspecified (410.9x, I21.9) > post-MI
      syndrome; ``ami_icd_code`` is the highest-precedence code (lowest seq_num
      among ties), ``ami_icd_version`` its revision.
    * **Exclusions**, in order: no admissions row, dischtime missing, no ICU stay,
      no patients row (age unknown), age under 18, ``exclude_hadm_ids``, then the
      options. ``cohort.flow`` counts each step.
    * **t0** is the intime of the first ICU stay. **Age** is anchor_age plus the
      years from anchor_year to the admission (mimic-code); MIMIC-IV sets
      anchor_age to 91 above 89, so ages above 89 become 91 with ``age_gt89`` = 1.
    * **Vitals** (icu/chartevents): the MIMIC-III recipe's MetaVision item ids and
      bounds, charttime in (intime, intime + 24 h], joined on hadm_id.
    * **Labs** (hosp/labevents): the MIMIC-III recipe's item ids, window [intime -
      6 h, intime + 24 h] joined on subject_id, valuenum > 0 and sanity caps;
      glucose merges laboratory and bedside values. Troponin T (51003) is valuenum;
      a result below detection (valuenum empty, comments "<0.01 ...") is half the
      limit, flagged in ``troponin_t_below_lod``.
    * **Outpatient measurements** (hosp/omr): the latest systolic and diastolic
      blood pressure, weight (pounds converted to kg) and BMI dated in the 365
      days before the day of admission (the admission day is left out: omr has no
      times); implausible values are dropped.
    * **Comorbidities**: Elixhauser (Quan 2005: enhanced ICD-9-CM or ICD-10,
      principal diagnosis not counted) with the van Walraven score, and AMI flags
      in either revision. Codes are assigned at discharge.
    * **Procedures** (ICD-9-CM or ICD-10-PCS) and whole-stay medications are
      ``post_index``; ``*_48h`` medications started by intime + 48 h
      (prescriptions.starttime).
    * **Outcomes**: ``dod_days`` from admittime to deathtime (in hospital) or
      patients.dod. MIMIC-IV links state death records up to one year after a
      patient's last discharge, so every one-year label is complete (no follow-up
      flag is needed, unlike MIMIC-III's MetaVision era); a survivor's time to
      death is censored at that point (``followup_days``).

    References
    ----------
    Johnson AEW, Bulgarelli L, Shen L, et al. MIMIC-IV, a freely accessible
    electronic health record dataset. Sci Data. 2023;10:1.

    Barrett LA, Payrovnaziri SN, Bian J, He Z. Building computational models to
    predict one-year mortality in ICU patients with acute myocardial infarction
    and post myocardial infarction syndrome. AMIA Jt Summits Transl Sci Proc.
    2019;2019:407-416.

    Quan H, Sundararajan V, Halfon P, et al. Coding algorithms for defining
    comorbidities in ICD-9-CM and ICD-10 administrative data. Med Care.
    2005;43(11):1130-1139.

    Examples
    --------
    >>> import riskml as rk
    >>> cohort = rk.cohorts.load_mimic4_ami("physionet.org/files/mimiciv/2.2")  # doctest: +SKIP
    >>> cohort.flow  # doctest: +SKIP
    """
    excluded_ids = _check_options(
        primary_only, exclude_subsequent_episode, first_admission_only, label, exclude_hadm_ids
    )
    duckdb = _import_duckdb()
    tables = Mimic4Tables(directory)
    check = RawChecker("MIMIC-IV tables")
    header_only = tables.check_headers(check)
    check.raise_if_any()
    present = [t for t in MISSING_TABLE_EFFECT if t in tables and t not in header_only]
    _warn_missing_tables(tables, header_only, present)
    schema = load_schema("mimic4_ami")
    connection, spill = connect(memory_limit, threads)
    bar = _StepBar(progress, BUILD_STEPS)
    if bar.bar is not None:
        bar.bar.set_description("MIMIC-IV AMI cohort")
    try:
        _check_lab_dictionary(connection, tables, check)
        frame, flow = _build(
            connection,
            tables,
            check,
            schema,
            options=(primary_only, exclude_subsequent_episode, first_admission_only),
            label=label,
            excluded_ids=excluded_ids,
            present=present,
            advance=bar,
        )
    except duckdb.InterruptException:
        raise KeyboardInterrupt from None
    finally:
        bar.close()
        connection.close()
        remove_spill(spill)
    cohort = cohort_from_frame(
        frame,
        schema,
        outcome=_OUTCOMES[label],
        name="mimic4_ami",
        source=f"{SOURCE}; label {label}",
    )
    cohort.flow = flow
    cohort.label = label
    warn_if_no_events(cohort, f"MIMIC-IV folder {tables.directory.name!r}")
    return cohort


def _warn_missing_tables(tables, header_only, present) -> None:
    """One warning per optional table that is absent or has no rows."""
    for table, effect in MISSING_TABLE_EFFECT.items():
        if table in present:
            continue
        state = "has a header but no rows" if table in header_only else "is absent"
        warnings.warn(
            f"{tables.where(table)} ({table}) {state} in {tables.directory.name!r}, so {effect}. "
            f"If this is not intended, download {tables.where(table)} from PhysioNet into the "
            "MIMIC-IV folder.",
            UserWarning,
            stacklevel=3,
        )


def _check_lab_dictionary(connection, tables, check) -> None:
    """When d_labitems is there, make sure the lab item ids mean what the recipe assumes."""
    if "d_labitems" not in tables:
        return
    items = tables.read(connection, "d_labitems")
    items["itemid"] = numbers(items["itemid"])
    label = items.set_index("itemid")["label"].fillna("").str.lower()
    wrong = [
        (itemid, expected, label[float(itemid)])
        for itemid, expected in LAB_LABELS.items()
        if float(itemid) in label.index and expected not in label[float(itemid)]
    ]
    if wrong:
        check.add(
            "d_labitems.label",
            "lab item ids of MIMIC-IV v2.x",
            detail="These item ids do not carry the expected labels: "
            + "; ".join(f"{i} is {got!r}, expected {want!r}" for i, want, got in wrong[:5])
            + ".",
            fix="load MIMIC-IV v2.x tables (hosp/labevents with their hosp/d_labitems).",
        )
        check.raise_if_any()


def _build(connection, tables, check, schema, *, options, label, excluded_ids, present, advance):
    """The recipe's steps in order: the wide table (schema columns) and the flow."""
    primary_only, exclude_subsequent_episode, first_admission_only = options
    flow = _Flow()
    advance("AMI diagnoses")
    codes, index, candidates = _index_diagnoses(
        connection, tables, primary_only, exclude_subsequent_episode
    )
    advance("admissions")
    admissions, patients, icustays, last = _read_core(connection, tables, check, candidates)
    cohort = _admission_steps(codes, index, candidates, admissions, flow)
    cohort = _with_icu_stay_and_age(cohort, icustays, patients, flow)
    cohort = _patient_steps(cohort, flow, excluded_ids, first_admission_only)
    died_in_hospital = _outcomes(cohort, last)
    cohort = _label_steps(cohort, died_in_hospital, label, flow)
    _demographics(cohort)
    rows = _event_tables(connection, tables, check, cohort, present, advance)
    advance("features")
    wide = _wide(cohort, schema, check, rows, present)
    check.raise_if_any()
    _warn_if_no_first_day_rows(tables, cohort, rows, present)
    return wide, flow.frame()


def _warn_if_no_first_day_rows(tables, cohort, rows, present) -> None:
    """Warn when chartevents or labevents has rows but none in the cohort's first days."""
    for table in ("chartevents", "labevents"):
        if table in present and rows[table].empty:
            warnings.warn(
                f"{tables.where(table)} has no first-day row for any of the {len(cohort)} "
                f"admissions, so every value it gives is missing. Check that the file is the "
                "full MIMIC-IV table (item ids, hadm_id/subject_id and charttime present).",
                UserWarning,
                stacklevel=4,
            )
