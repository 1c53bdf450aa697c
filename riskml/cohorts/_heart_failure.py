"""The bundled heart failure clinical records (UCI 519; Chicco & Jurman 2020)."""

from __future__ import annotations

import importlib.resources

import numpy as np
import pandas as pd

from ._cohort import Cohort
from ._schema import cohort_from_frame

__all__ = ["load_heart_failure_clinical_records"]

DATA_FILE = "heart_failure_clinical_records_dataset.csv"
SOURCE = (
    "Heart failure clinical records, UCI Machine Learning Repository (id 519), CC BY 4.0. "
    "Ahmad T et al. PLoS ONE 2017;12:e0181001; Chicco D, Jurman G. BMC Med Inform Decis "
    "Mak 2020;20:16."
)


def load_heart_failure_clinical_records() -> Cohort:
    """Load the heart failure clinical records (299 patients, 96 deaths).

    Patients with systolic heart failure admitted to the Faisalabad Institute of
    Cardiology (Pakistan) in 2015, followed for 4 to 285 days. Bundled with
    riskml under CC BY 4.0 (see ``riskml/cohorts/datasets/
    heart_failure_clinical_records.md``).

    Returns
    -------
    cohort : Cohort
        Eleven predictors (snake_case, as in the source), a time-to-event outcome
        (``time`` in days, ``death_event``), ``ids`` = 1..299 (the source file has
        no identifier) and ``horizon`` = 90 (3-month mortality: 69 deaths by
        day 90, 187 patients followed past it, 43 censored before it).

    References
    ----------
    Chicco D, Jurman G. Machine learning can predict survival of patients with
    heart failure from serum creatinine and ejection fraction alone. BMC Med
    Inform Decis Mak. 2020;20:16.

    Ahmad T, Munir A, Bhatti SH, Aftab M, Raza MA. Survival analysis of heart
    failure patients: a case study. PLoS ONE. 2017;12(7):e0181001.

    Examples
    --------
    >>> from riskml.cohorts import load_heart_failure_clinical_records
    >>> cohort = load_heart_failure_clinical_records()
    >>> len(cohort), int(cohort.outcome.event.sum())
    (299, 96)
    """
    resource = importlib.resources.files("riskml.cohorts") / "datasets" / DATA_FILE
    with resource.open("rb") as handle:
        frame = pd.read_csv(handle)
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    frame.insert(0, "patient_id", np.arange(1, len(frame) + 1))
    return cohort_from_frame(
        frame,
        "heart_failure_clinical_records",
        name="heart_failure_clinical_records",
        source=SOURCE,
    )
