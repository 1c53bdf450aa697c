"""The bundled sample CSV: a synthetic cohort file to try "your own data" with."""

from __future__ import annotations

import importlib.resources
from pathlib import Path

__all__ = ["sample_csv_path"]

SAMPLE_FILE = "young_htn_sample.csv"


def sample_csv_path() -> Path:
    """Path of the bundled sample cohort file (300 synthetic patients, ``young_htn`` schema).

    The file is what a hospital's export in the ``young_htn`` schema looks like: one row
    per patient, ``patient_id``, the 58 candidate predictors in riskml's canonical units,
    the derived columns and the outcome columns (``composite_time_days``,
    ``composite_event`` and its components). It was written by
    ``make_young_hypertension(n_patients=300, random_state=0, return_frame=True)`` and
    holds no real patient; ``riskml/cohorts/datasets/young_htn_sample.md`` describes
    every column. It is installed with riskml, so the path works from a wheel as from a
    checkout. Read it, never write to it: copy it to change it.

    Returns
    -------
    path : pathlib.Path
        The installed ``young_htn_sample.csv``.

    Raises
    ------
    FileNotFoundError
        When riskml is imported from an archive (a zip file) or was installed without
        its data files; reinstall it from a wheel or a checkout (``pip install riskml``).

    See Also
    --------
    load_young_hypertension : Load and validate a file in the ``young_htn`` schema.
    make_young_hypertension : The generator that wrote the file.

    References
    ----------
    Wu X, Yuan X, Wang W, et al. Value of a machine learning approach for
    predicting clinical outcomes in young patients with hypertension.
    Hypertension. 2020;75(5):1271-1278.

    Examples
    --------
    >>> from riskml.cohorts import load_young_hypertension, sample_csv_path
    >>> path = sample_csv_path()
    >>> path.name
    'young_htn_sample.csv'
    >>> cohort = load_young_hypertension(path)
    >>> len(cohort), int(cohort.outcome.event.sum()), len(cohort.predictors)
    (300, 24, 58)
    """
    resource = importlib.resources.files("riskml.cohorts") / "datasets" / SAMPLE_FILE
    if not isinstance(resource, Path) or not resource.is_file():
        raise FileNotFoundError(
            f"The sample file {SAMPLE_FILE} is not installed as a file on disk (riskml was "
            "imported from an archive, or installed without its data files). Fix: reinstall "
            "riskml from a wheel or a checkout (pip install riskml, or pip install -e . in "
            "the checkout)."
        )
    return resource
