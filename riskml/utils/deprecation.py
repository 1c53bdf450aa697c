"""Old names kept for one release, each with a FutureWarning naming the new one.

See docs/conventions.md: one name per concept; a renamed keyword or metric name is
accepted for one release and warns with the new name.
"""

from __future__ import annotations

import warnings

#: Release after which the old names are removed.
REMOVED_IN = "0.2"


def renamed_keyword(new_value, old_value, new: str, old: str, function: str, default):
    """The value of a renamed keyword: ``new_value``, or ``old_value`` with a FutureWarning.

    ``old_value`` is None when the old keyword was not passed; ``new_value`` equals
    ``default`` when the new one was not (passing both raises a TypeError).
    """
    if old_value is None:
        return new_value
    if not _is_default(new_value, default):
        raise TypeError(f"{function} got both {new}= and its old name {old}=; pass {new}= only.")
    warnings.warn(
        f"{function}({old}=...) is renamed {new}=; {old}= will be removed in riskml "
        f"{REMOVED_IN}. Pass {new}= instead.",
        FutureWarning,
        stacklevel=3,
    )
    return old_value


def _is_default(value, default) -> bool:
    if value is default:
        return True
    if isinstance(value, int | float | str) and isinstance(default, int | float | str):
        return value == default
    return False


def renamed_value(value, renamed: dict[str, str], what: str, function: str, stacklevel: int = 3):
    """``value``, or its new name with a FutureWarning when it is an old one."""
    if isinstance(value, str) and value in renamed:
        new = renamed[value]
        warnings.warn(
            f"The {what} {value!r} of {function} is renamed {new!r} (the metric registry's "
            f"name, riskml.evaluation.get_metric_names()); {value!r} will be removed in "
            f"riskml {REMOVED_IN}.",
            FutureWarning,
            stacklevel=stacklevel,
        )
        return new
    return value


def renamed_attribute(owner: str, old: str, new: str, stacklevel: int = 3) -> None:
    """Warn that ``owner.old`` is read or set under its old name ``old`` (now ``new``)."""
    warnings.warn(
        f"{owner}.{old} is renamed {new}; {old} will be removed in riskml {REMOVED_IN}.",
        FutureWarning,
        stacklevel=stacklevel,
    )
