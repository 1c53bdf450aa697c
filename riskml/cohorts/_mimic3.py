"""The MIMIC-III acute myocardial infarction extract, built from the raw v1.4 tables.

One row per hospital admission with an AMI (ICD-9 410.x, any position) or
post-MI syndrome (411.0) code and an ICU stay; t0 is the INTIME of the
admission's first ICU stay. The recipe follows study_designs.md section 2 and
the MIT-LCP/mimic-code concepts it cites (item ids, windows, sanity bounds),
re-implemented here: no mimic-code SQL is vendored.

CHARTEVENTS (330M rows, about 33 GB) and LABEVENTS (27M rows) are scanned by
DuckDB with the item ids, the cohort's admissions (or patients) and the time
windows pushed into the scan, under a memory cap; only the rows that pass reach
pandas.

This module is the loader and the order of the build's steps; the steps live in
:mod:`._mimic3_cohort` (admissions selected, outcomes), :mod:`._mimic3_features`
(predictors) and :mod:`._mimic3_tables` (what the raw tables hold).
"""

from __future__ import annotations

import warnings

import numpy as np

from ._cohort import Cohort
from ._mimic3_cohort import (
    _admission_steps,
    _Flow,
    _index_diagnoses,
    _label_steps,
    _outcomes,
    _patient_steps,
    _read_admissions,
    _with_icu_stay_and_age,
)
from ._mimic3_features import (
    _check_lab_dictionary,
    _demographics,
    _event_tables,
    _labs,
    _vitals,
    _wide,
)
from ._mimic3_tables import (
    CKMB,
    FOLLOWUP_DAYS,
    GLUCOSE_CHART_ITEMS,
    LAB_ITEMS,
    OPTIONAL_COLUMNS,
    TABLE_COLUMNS,
    TEMP_F_ITEMS,
    TROPONIN_T,
    VITAL_ITEMS,
)
from ._schema import cohort_from_frame, load_schema
from ._tables import RawChecker, TableSet, connect, remove_spill, warn_if_no_events

# The item ids stay importable from here (tests/data/mimic3_demo/filter_demo.py reads them).
__all__ = [
    "load_mimic3_ami",
    "LABELS",
    "FOLLOWUP_DAYS",
    "CKMB",
    "GLUCOSE_CHART_ITEMS",
    "LAB_ITEMS",
    "TEMP_F_ITEMS",
    "TROPONIN_T",
    "VITAL_ITEMS",
]

SOURCE = (
    "MIMIC-III Clinical Database v1.4 (Johnson AEW, Pollard TJ, Shen L, et al. Sci Data "
    "2016;3:160035; PhysioNet, doi:10.13026/C2XW26)"
)

LABELS = (
    "death_1yr_from_admit",
    "death_1yr_post_discharge",
    "hospital_expire_flag",
    "death",
    "readmission",
)
FOLLOWUP_CHOICES = ("flag", "carevue_only")

# Tables without which no cohort can be built: a header-only file is an error.
CORE_TABLES = ("PATIENTS", "ADMISSIONS", "ICUSTAYS", "DIAGNOSES_ICD")
# What a header-only event table means for the features (a warning).
EMPTY_TABLE_EFFECT = {
    "CHARTEVENTS": "every first-day vital sign (heart rate, blood pressure, respiratory rate, "
    "temperature, SpO2, bedside glucose) is missing for every admission.",
    "LABEVENTS": "every first-day laboratory value (creatinine, troponin T, ...) is missing for "
    "every admission.",
    "PRESCRIPTIONS": "every medication flag is 0 for every admission.",
    "PROCEDURES_ICD": "every procedure flag is 0 for every admission.",
}


def _check_options(
    primary_only,
    exclude_subsequent_episode,
    first_admission_only,
    label,
    followup,
    exclude_hadm_ids,
):
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
            "with censoring, 'readmission' the time to readmission with death competing; the "
            "others are binary."
        )
    if followup not in FOLLOWUP_CHOICES:
        raise ValueError(
            f"followup must be one of {list(FOLLOWUP_CHOICES)}; got {followup!r}. 'flag' keeps "
            "every admission and marks MetaVision-era survivors in label_followup_adequate; "
            "'carevue_only' keeps the CareVue era (2001-2008), whose deaths are followed for 4 "
            "years."
        )
    if exclude_hadm_ids is None:
        return set()
    try:
        return {int(v) for v in exclude_hadm_ids}
    except (TypeError, ValueError):
        raise TypeError(
            f"exclude_hadm_ids must be a list of HADM_ID integers; got {exclude_hadm_ids!r}."
        ) from None


def load_mimic3_ami(
    directory,
    *,
    primary_only=False,
    exclude_subsequent_episode=False,
    first_admission_only=False,
    label="death_1yr_from_admit",
    followup="flag",
    exclude_hadm_ids=None,
    memory_limit="2GB",
    threads=None,
    progress=True,
) -> Cohort:
    """Build the MIMIC-III acute myocardial infarction cohort from the raw v1.4 tables.

    Parameters
    ----------
    directory : str or path-like
        A folder with the MIMIC-III v1.4 CSV tables PATIENTS, ADMISSIONS, ICUSTAYS,
        DIAGNOSES_ICD, PROCEDURES_ICD, PRESCRIPTIONS, CHARTEVENTS and LABEVENTS
        (and optionally D_LABITEMS, used to check the lab item ids), as ``.csv`` or
        ``.csv.gz``, file names and headers in any case. Files are only read.
    primary_only : bool, default=False
        Keep admissions whose principal diagnosis (SEQ_NUM 1) is the AMI or post-MI
        code. By default a code in any position qualifies.
    exclude_subsequent_episode : bool, default=False
        Ignore 410.x2 codes ("subsequent episode of care", within 8 weeks of an
        earlier MI); an admission with only such codes is left out.
    first_admission_only : bool, default=False
        Keep each patient's first qualifying admission only.
    label : {"death_1yr_from_admit", "death_1yr_post_discharge", "hospital_expire_flag", \
"death", "readmission"}, default="death_1yr_from_admit"
        The outcome. ``death_1yr_from_admit``: a death within 365 days of
        admission, in-hospital deaths included (binary, as in Barrett et al.
        2019). ``death_1yr_post_discharge``: within 365 days of discharge, among
        patients discharged alive (in-hospital deaths are left out).
        ``hospital_expire_flag``: in-hospital death. ``death``: time to death from
        admission, censored at the end of guaranteed follow-up (1461 days for
        CareVue, 90 days for MetaVision patients), with ``horizon`` 365.
        ``readmission``: competing risks (``Outcome.competing``) from discharge,
        among patients discharged alive: 1 the patient's next admission in
        ADMISSIONS (MIMIC-III holds the admissions with an ICU stay, so this is a
        readmission to intensive care at the same hospital), 2 death before it
        (the competing event), 0 censored at the era's guaranteed follow-up
        (``followup_days`` from admission, less the stay); ``horizon`` 365, the
        one-year window of the death labels (MetaVision-era patients are followed
        for about 90 days, so most of them are censored before it).
    followup : {"flag", "carevue_only"}, default="flag"
        How to treat the incomplete follow-up of MetaVision-era patients (2008-2012),
        whose out-of-hospital deaths are recorded only up to about 90 days after the
        ICU admission. ``"flag"`` keeps every admission, sets
        ``label_followup_adequate`` to 0 for MetaVision-era survivors (in
        ``cohort.outcomes``) and warns with their number when the label is a
        one-year label; ``"carevue_only"`` keeps the CareVue era (2001-2008), whose
        one-year labels are complete. There is deliberately no option that drops
        only the survivors with inadequate follow-up: it would keep that era's
        deaths and inflate the death rate.
    exclude_hadm_ids : list of int, optional
        Admissions to leave out (e.g. linkage errors that the validator reports).
    memory_limit : str or None, default="2GB"
        DuckDB's memory cap while scanning CHARTEVENTS and LABEVENTS (it spills to a
        private temporary folder beyond it). None uses DuckDB's default (80% of RAM).
    threads : int, optional
        DuckDB threads (default: all cores).
    progress : bool, default=True
        Show a progress bar over the build's steps (tqdm); on the full database the
        CHARTEVENTS and LABEVENTS scans take minutes.

    Returns
    -------
    cohort : Cohort
        One row per admission (ids = ``hadm_id``, groups = ``subject_id``, so that
        cross-validation never splits a patient's admissions), the ``mimic_ami``
        schema's features (``cohort.predictors`` leaves out the ``post_index`` ones:
        lengths of stay, ICU stay count, procedures and whole-stay medications) and
        the chosen outcome. Extra attributes: ``outcomes`` (every outcome column,
        including ``label_followup_adequate``), ``context`` (dates, first
        ``icustay_id``, the AMI code), ``flow`` (each inclusion and exclusion step
        with counts), ``followup_table`` (admissions, recorded one-year deaths and
        inadequately followed survivors per ICU system: the sensitivity table of the
        censoring problem), ``label`` and ``followup``.

    Raises
    ------
    FileNotFoundError
        When the folder or a required table is missing.
    SchemaError
        When a table lacks a needed column, holds an unparseable date, a lab whose
        values are mostly above their sanity cap (a unit problem), or when the
        extract breaks the ``mimic_ami`` schema; every problem is listed with the
        table and column, the rule, the row count and the first ids.

    Warns
    -----
    UserWarning
        With ``followup="flag"`` and a one-year label, the number of MetaVision-era
        survivors whose label may be wrong.

    Notes
    -----
    The recipe (study_designs.md section 2; docs/data_sources.md):

    * **Index diagnosis** (DIAGNOSES_ICD): ICD-9 410.x in any position, or 411.0
      (post-MI syndrome; not 411.1, unstable angina). ``ami_type`` by precedence
      STEMI (410.0x-410.6x, 410.8x) > NSTEMI (410.7x) > unspecified (410.9x) >
      post-MI syndrome; ``ami_icd9_code`` is the highest-precedence code (lowest
      SEQ_NUM among ties).
    * **Exclusions**, in order: no ADMISSIONS row, DISCHTIME missing, organ-donor
      accounts (DIAGNOSIS mentions "organ donor" or "donor account"),
      HAS_CHARTEVENTS_DATA = 0, no ICU stay, age under 18, ``exclude_hadm_ids``,
      then the options. ``cohort.flow`` counts each step.
    * **t0** is the INTIME of the first ICU stay. **Age** is (ADMITTIME - DOB) /
      365.242 days; ages above 89 (DOB shifted 300 years back) become 91.4, the
      documented median of that group, with ``age_gt89`` = 1.
    * **Vitals** (CHARTEVENTS, mimic-code ``vitals_first_day`` item ids and
      bounds): charttime in (intime, intime + 24 h], ERROR = 1 excluded, degrees F
      converted. Joined on HADM_ID (mimic-code joins on the first ICUSTAY_ID).
    * **Labs** (LABEVENTS, ``labs_first_day`` item ids): charttime in [intime -
      6 h, intime + 24 h] joined on SUBJECT_ID, VALUENUM > 0, mimic-code's upper
      caps (creatinine 150, BUN 300, potassium 30, hemoglobin 50, lactate 50, WBC
      1000) plus glucose 2000 mg/dL; a lab whose values are mostly above the cap
      is refused as a unit problem. Glucose merges laboratory and bedside values.
      Troponin T (51003) is parsed from the text VALUE ("<0.01" is half the limit,
      flagged in ``troponin_t_below_lod``); CK-MB is 50911.
    * **Comorbidities**: Elixhauser (Quan 2005 enhanced ICD-9-CM, principal
      diagnosis not counted) with the van Walraven score, and AMI flags. ICD
      codes are assigned at discharge: complications coded during the stay
      (cardiogenic shock, arrest) may postdate t0.
    * **Procedures** (PROCEDURES_ICD, undated) and whole-stay medications are
      ``post_index``. ``*_48h`` medications were started by intime + 48 h
      (PRESCRIPTIONS.STARTDATE has no time of day).
    * **Outcomes**: ``dod_days`` from ADMITTIME to DEATHTIME (in hospital) or DOD
      (a date; a same-day difference below zero counts as 0).

    References
    ----------
    Johnson AEW, Pollard TJ, Shen L, et al. MIMIC-III, a freely accessible
    critical care database. Sci Data. 2016;3:160035.

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
    >>> cohort = rk.cohorts.load_mimic3_ami("mimic-iii-1.4/", followup="carevue_only")  # doctest: +SKIP
    >>> cohort.flow  # doctest: +SKIP
    """
    excluded_ids = _check_options(
        primary_only,
        exclude_subsequent_episode,
        first_admission_only,
        label,
        followup,
        exclude_hadm_ids,
    )
    import duckdb

    tables = TableSet(directory, TABLE_COLUMNS, OPTIONAL_COLUMNS)
    check = RawChecker("MIMIC-III tables")
    header_only = tables.check_headers(check, must_have_rows=CORE_TABLES)
    check.raise_if_any()
    for table in header_only:
        if table in EMPTY_TABLE_EFFECT:
            warnings.warn(
                f"{tables.paths[table].name} ({table}) has a header but no rows, so "
                f"{EMPTY_TABLE_EFFECT[table]} If this is not intended, export {table} again "
                "(an interrupted export leaves only the header).",
                UserWarning,
                stacklevel=2,
            )
    schema = load_schema("mimic_ami")
    connection, spill = connect(memory_limit, threads)
    bar = _StepBar(progress, ["AMI diagnoses", *BUILD_STEPS])
    try:
        _check_lab_dictionary(connection, tables, check)
        bar("AMI diagnoses")
        frame, flow, extras = _build(
            connection,
            tables,
            check,
            schema,
            primary_only=primary_only,
            exclude_subsequent_episode=exclude_subsequent_episode,
            first_admission_only=first_admission_only,
            label=label,
            followup=followup,
            excluded_ids=excluded_ids,
            header_only=header_only,
            advance=bar,
        )
    except duckdb.InterruptException:
        raise KeyboardInterrupt from None
    finally:
        bar.close()
        connection.close()
        remove_spill(spill)

    outcome = _OUTCOMES[label]
    cohort = cohort_from_frame(
        frame,
        schema,
        outcome=outcome,
        name="mimic3_ami",
        source=f"{SOURCE}; label {label}, followup {followup}",
    )
    cohort.flow = flow
    cohort.followup_table = extras["followup_table"]
    cohort.label = label
    cohort.followup = followup
    warn_if_no_events(cohort, f"MIMIC-III folder {tables.directory.name!r}")
    inadequate = int((cohort.outcomes["label_followup_adequate"] == 0).sum())
    if followup == "flag" and label.startswith("death_1yr") and inadequate:
        warnings.warn(
            f"{inadequate} of {len(cohort)} admissions are MetaVision-era (2008-2012) survivors "
            "whose deaths are recorded only up to about 90 days after the ICU admission, so "
            f"their {label} = 0 may be wrong (label_followup_adequate = 0 in cohort.outcomes). "
            "Use followup='carevue_only' for complete one-year labels, or label='death' for "
            "time to death censored at each era's guaranteed follow-up; cohort.followup_table "
            "compares the eras.",
            UserWarning,
            stacklevel=2,
        )
    return cohort


# The outcome specification of each label (cohort_from_frame's ``outcome``).
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
    "readmission": {
        "kind": "competing",
        "event": "readmit_event",
        "time": "readmit_time_days",
        "horizon_days": 365.0,
        "name": "readmission",
    },
}


BUILD_STEPS = (
    "admissions",
    "CHARTEVENTS",
    "LABEVENTS",
    "diagnoses, procedures, prescriptions",
    "features",
)


class _StepBar:
    """A tqdm bar over named build steps (nothing shown with ``progress=False``)."""

    def __init__(self, progress, steps):
        self.steps = list(steps)
        self.bar = None
        if progress:
            from tqdm.auto import tqdm

            self.bar = tqdm(total=len(self.steps), desc="MIMIC-III AMI cohort", unit="step")

    def __call__(self, step: str) -> None:
        if self.bar is not None:
            done = self.steps.index(step)
            self.bar.update(done - self.bar.n)
            self.bar.set_postfix_str(step)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.update(len(self.steps) - self.bar.n)
            self.bar.close()


def _build(
    connection,
    tables,
    check,
    schema,
    *,
    primary_only,
    exclude_subsequent_episode,
    first_admission_only,
    label,
    followup,
    excluded_ids,
    header_only=(),
    advance=None,
):
    """The recipe's steps in order: the wide table (schema columns), the flow and the
    follow-up table. ``advance(step)`` reports progress."""
    advance = advance or (lambda step: None)
    flow = _Flow()
    diagnoses_ami, index, candidates = _index_diagnoses(
        connection, tables, primary_only, exclude_subsequent_episode
    )
    advance("admissions")
    admissions, patients, icustays = _read_admissions(connection, tables, check, candidates)
    cohort = _admission_steps(diagnoses_ami, index, candidates, admissions, flow)
    cohort, age = _with_icu_stay_and_age(cohort, icustays, patients, flow)
    cohort = _patient_steps(cohort, age, flow, excluded_ids, first_admission_only)
    died_in_hospital = _outcomes(cohort)
    cohort, followup_table = _label_steps(cohort, died_in_hospital, label, followup, flow)
    _demographics(cohort)

    # events, codes and medications of the cohort's admissions
    chart, labs, diagnoses, procedures, prescriptions = _event_tables(
        connection, tables, check, cohort, advance
    )
    advance("features")
    vitals = _vitals(chart)
    lab_stats = _labs(labs, chart, schema, check)
    check.raise_if_any()
    _warn_if_no_first_day_rows(tables, cohort, chart, labs, header_only)
    wide = _wide(cohort, schema, vitals, lab_stats, diagnoses, procedures, prescriptions)
    return wide, flow.frame(), {"followup_table": followup_table}


def _warn_if_no_first_day_rows(tables, cohort, chart, labs, header_only) -> None:
    """Warn when CHARTEVENTS or LABEVENTS has rows but none in the cohort's first days."""
    for table, rows in (("CHARTEVENTS", chart), ("LABEVENTS", labs)):
        if rows.empty and table not in header_only:
            warnings.warn(
                f"{tables.paths[table].name} ({table}) has no first-day row for any of the "
                f"{len(cohort)} admissions, so {EMPTY_TABLE_EFFECT[table]} Check that the "
                "file is the full MIMIC-III v1.4 table (item ids, HADM_ID/SUBJECT_ID and "
                "CHARTTIME present).",
                UserWarning,
                stacklevel=4,
            )
