"""riskml's own errors: each message says what was expected, what was received and the fix."""

from __future__ import annotations

__all__ = ["CommandError", "InputError", "InputWarning", "WriteError"]


class CommandError(ValueError):
    """A command-line or study-file input that cannot be used; the message says why and
    how to fix it.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from riskml.errors import CommandError
    >>> from riskml.study_file import load_study_file
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     study_file = Path(folder) / "study.yaml"
    ...     _ = study_file.write_text("cohort:\\n  generator: make_young_hypertension\\nn_boot: many\\n")
    ...     try:
    ...         load_study_file(study_file)
    ...     except CommandError as error:
    ...         print(error)
    study.yaml, line 3, column 9: n_boot must be the number of bootstrap replicates per interval, a whole number from 50 to 100,000; got the text 'many'. Write e.g. n_boot: 1000.
    """


class InputError(ValueError):
    """New patients that a saved model cannot score as they are: values impossible for
    the column, a unit other than the training unit, category levels or a horizon the
    model never saw (or, with ``strict=True``, anything outside what it saw).

    The message lists every problem at once: the column, how many rows, the first
    rows (counting from 1 = the first data row), what the model saw in training and
    the likely fix. No patient value is quoted.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> import riskml as rk
    >>> from riskml.deployment import check_inputs
    >>> from riskml.errors import InputError
    >>> cohort = rk.cohorts.load_heart_failure_clinical_records()
    >>> model = rk.models.make_model("logistic").fit(cohort.features, cohort.outcome.event)
    >>> new_patients = cohort.features.head(3).copy()
    >>> new_patients.loc[0, "age"] = 400
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = rk.save_model(model, Path(folder) / "logistic.riskml", cohort=cohort)
    ...     try:
    ...         check_inputs(new_patients, path)
    ...     except InputError as error:
    ...         print(str(error).splitlines()[1][:60].rstrip())
      - age: 1 row (first row: 1) lies far outside anything the
    """


class InputWarning(UserWarning):
    """New patients that a saved model can score, with a caveat: values outside the
    training range (the model extrapolates), a few unseen category levels, a column
    left empty. The message says which column, how many rows and what to check.

    Examples
    --------
    >>> import warnings
    >>> import riskml as rk
    >>> from riskml.deployment import check_inputs
    >>> from riskml.errors import InputWarning
    >>> train = rk.cohorts.make_young_hypertension(n_patients=200, random_state=0)
    >>> new = train.features.head(3).assign(age=train.features.age.max() + 1)
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     checks = check_inputs(new, train)
    >>> str(caught[0].message)[:69]
    'age: 3 rows (first rows: 1, 2, 3) lie outside the training range 18.3'
    >>> {w.category.__name__ for w in caught}
    {'InputWarning'}
    """


class WriteError(OSError):
    """An output that could not be written (disk full, read-only folder, ...).

    Raised after the partial output (temporary file, folders made for it) has been
    removed: nothing half-written is left behind. The message names the path and
    the fix; ``errno`` and ``filename`` are those of the underlying error.

    Examples
    --------
    >>> from riskml.errors import WriteError
    >>> error = WriteError("could not write out.csv: the disk is full.", errno=28,
    ...                    filename="out.csv")
    >>> error.errno, error.filename, isinstance(error, OSError)
    (28, 'out.csv', True)
    """

    def __init__(self, message: str, errno: int | None = None, filename=None):
        super().__init__(message)
        self.errno = errno
        self.filename = None if filename is None else str(filename)

    def __str__(self) -> str:
        return str(self.args[0])
