"""Study files: the YAML description of a study (``riskml run study.yaml``), checked key by
key, with the file, line and column of every problem, before anything runs.

The reader is PyYAML's SafeLoader with three additions: it refuses a key given twice
in one mapping (YAML would keep the last silently), stops composing beyond
``MAX_NODES`` values or ``MAX_DEPTH`` levels, and measures the size of the document
with its aliases expanded (each node once, so a "billion laughs" file is refused in
milliseconds, before anything is built from it). Files are read from the study file's
folder and below only.

Modules, in the order of reading: ``_yaml`` (reading, parsing, values with their
nodes), ``_values`` (checks of single values), ``_cohort`` (the cohort entry),
``_settings`` (every other key and the report's options) and ``_load``
(:func:`load_study_file`, :func:`run_study_file`).
"""

from ._cohort import COHORT_FUNCTIONS as COHORT_FUNCTIONS
from ._cohort import COHORT_KEYS as COHORT_KEYS
from ._cohort import NOT_COHORTS as NOT_COHORTS
from ._load import DEFAULT_MODELS as DEFAULT_MODELS
from ._load import STUDY_KEYS as STUDY_KEYS
from ._load import load_cohort_definition, load_study_file, run_study_file
from ._settings import _SELECTOR_CHECKS as _SELECTOR_CHECKS
from ._settings import REPORT_KEYS as REPORT_KEYS
from ._settings import SELECTORS as SELECTORS
from ._values import MAX_DAYS as MAX_DAYS
from ._values import MAX_FEATURES as MAX_FEATURES
from ._values import MAX_JOBS as MAX_JOBS
from ._values import MAX_N_BOOT as MAX_N_BOOT
from ._values import MAX_PATIENTS as MAX_PATIENTS
from ._values import MAX_SEED as MAX_SEED
from ._yaml import MAX_BYTES as MAX_BYTES
from ._yaml import MAX_DEPTH as MAX_DEPTH
from ._yaml import MAX_NODES as MAX_NODES
from ._yaml import _expanded_size as _expanded_size
from ._yaml import _loader_class as _loader_class

__all__ = ["load_cohort_definition", "load_study_file", "run_study_file"]
