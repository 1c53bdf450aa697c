"""The model-file format: its names, its size limits and the errors of reading it."""

from __future__ import annotations

FORMAT = "riskml-model"
FORMAT_VERSION = 1
HEADER = "riskml.json"
SUFFIX = ".riskml"
SIGNATURE = "signature_hmac_sha256"

#: The environment variable ``riskml predict`` and ``riskml validate`` read the
#: signing key from (see :func:`load_model`).
KEY_ENVIRONMENT_VARIABLE = "RISKML_MODEL_KEY"

#: Shortest signing key accepted, in bytes (a key is a secret, not a password).
MIN_KEY_BYTES = 16

#: Most bytes a model file may expand to (all members, uncompressed); checked on
#: the archive's directory before anything is decompressed. ``load_model(...,
#: max_bytes=...)`` raises it for an unusually large model you trust.
MAX_MODEL_BYTES = 2 * 1024**3
#: Most bytes of the ``riskml.json`` header and of skops' ``schema.json``.
MAX_HEADER_BYTES = 16 * 1024**2
MAX_SCHEMA_BYTES = 256 * 1024**2
#: Most members of an archive.
MAX_MEMBERS = 200_000
#: A member larger than 16 MiB that expands more than this many times is refused:
#: riskml's own files compress numeric arrays a few times at most, while a zip
#: bomb (a long run of zeros) expands about a thousand times.
MAX_EXPANSION = 100
_EXPANSION_FLOOR = 16 * 1024**2


_PICKLE_MAGIC = (b"\x80",)  # protocol 2+ pickles start with PROTO
_ZIP_MAGIC = b"PK\x03\x04"


class ModelFileError(ValueError):
    """A file that :func:`load_model` refuses: not a riskml model file, damaged,
    changed after it was written, or naming a type outside the allow-list.

    Nothing from the file has been run when this is raised.

    Examples
    --------
    >>> import os, tempfile
    >>> from riskml.persistence import ModelFileError, load_model
    >>> path = os.path.join(tempfile.mkdtemp(), "notes.riskml")
    >>> with open(path, "wb") as file:
    ...     _ = file.write(b"not a model")
    >>> try:
    ...     load_model(path)
    ... except ModelFileError as error:
    ...     print(error)  # doctest: +NORMALIZE_WHITESPACE
    notes.riskml is not a riskml model file (it is not a zip archive). Nothing was loaded.
    Model files are written by riskml.save_model.
    """


class ModelVersionWarning(UserWarning):
    """A model file written with other versions of riskml or its dependencies.

    Examples
    --------
    >>> import os, tempfile, warnings
    >>> import numpy as np, pandas as pd
    >>> from riskml.models import LogisticRisk
    >>> from riskml.persistence import ModelVersionWarning, load_model, save_model
    >>> X = pd.DataFrame({"age": [50.0, 60, 70, 55, 65, 75]})
    >>> model = LogisticRisk().fit(X, np.array([0, 1, 0, 1, 0, 1]))
    >>> path = save_model(model, os.path.join(tempfile.mkdtemp(), "model.riskml"))
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("error", ModelVersionWarning)  # refuse other versions
    ...     loaded = load_model(path)  # written by these versions: loads
    >>> type(loaded).__name__
    'LogisticRisk'
    """


class ModelSignatureWarning(UserWarning):
    """A signed model file loaded without its key: the signature was not checked.

    Examples
    --------
    >>> import os, tempfile, warnings
    >>> import numpy as np, pandas as pd
    >>> from riskml.models import LogisticRisk
    >>> from riskml.persistence import load_model, save_model
    >>> X = pd.DataFrame({"age": [50.0, 60, 70, 55, 65, 75]})
    >>> model = LogisticRisk().fit(X, np.array([0, 1, 0, 1, 0, 1]))
    >>> path = save_model(model, os.path.join(tempfile.mkdtemp(), "model.riskml"),
    ...                   key="a-long-random-secret-key")
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     loaded = load_model(path)  # no key: the signature is not checked
    >>> [w.category.__name__ for w in caught]
    ['ModelSignatureWarning']
    """
