"""Report sections of a user's own: registered once, rendered in every report.

A section is a name, a title and a builder: a function of the finished study
(:class:`riskml.study.StudyResult`) that returns what to show, or None to leave the
section out of this report. riskml renders it like its own sections (escaped text, a
table of display strings, an inline PNG figure), between the example patient and the
limitations, in the order registered, with an entry in the table of contents and, where
the section says which TRIPOD+AI items it answers, links from the checklist.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import pandas as pd

__all__ = [
    "ReportSection",
    "register_report_section",
    "registered_report_section",
    "unregister_report_section",
]

_NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
_KEYS = frozenset({"text", "table", "figure", "note"})


@dataclass(frozen=True)
class ReportSection:
    """A registered report section (see :func:`register_report_section`).

    Examples
    --------
    >>> from riskml.report import registered_report_section
    >>> from riskml.report._custom import custom_sections
    >>> def note(result):
    ...     return {"text": "Read with the protocol."}
    >>> with registered_report_section("protocol_note", "Protocol note", note, tripod=("18f",)):
    ...     section = custom_sections()["protocol_note"]
    >>> section.title, section.tripod
    ('Protocol note', ('18f',))
    """

    name: str
    title: str
    builder: Callable
    tripod: tuple = ()


_REGISTRY: dict[str, ReportSection] = {}


def register_report_section(name: str, title: str, builder: Callable, *, tripod=()) -> None:
    """Add a section to every report riskml writes.

    Parameters
    ----------
    name : str
        Lower-case letters, digits and underscores (it is also the section's HTML id
        and the name ``write_report(sections=[...])`` takes); not a name of
        riskml's own sections.
    title : str
        The heading.
    builder : callable
        ``builder(result) -> dict or None``, called on the finished study. The dict
        may hold ``text`` (a string or a list of paragraphs), ``table`` (a
        DataFrame: numbers are shown to 3 decimals), ``figure`` (a matplotlib
        Figure, embedded as PNG) and ``note``; None leaves the section out of
        this report. Everything is escaped: the builder cannot inject HTML. It
        must not put patient identifiers in what it returns.
    tripod : sequence of str, optional
        TRIPOD+AI items the section answers (e.g. ``("23a",)``): the checklist
        links them to it.

    Examples
    --------
    >>> def deciles(result):
    ...     risk = result.predictions.iloc[:, 0]
    ...     groups = pd.qcut(risk, 10, labels=False, duplicates="drop")
    ...     return {"text": "Mean predicted risk by decile of the first model.",
    ...             "table": risk.groupby(groups).mean().rename("mean risk").reset_index()}
    >>> register_report_section("risk_deciles", "Risk by decile", deciles)
    >>> unregister_report_section("risk_deciles")
    """
    from ._html import SECTIONS

    if not isinstance(name, str) or not _NAME.match(name):
        raise ValueError(
            "name must be lower-case letters, digits and underscores, starting with a letter "
            f"(at most 40 characters): it becomes the section's HTML id; got {name!r}."
        )
    if name in SECTIONS:
        raise ValueError(f"{name!r} is one of riskml's own report sections; choose another name.")
    if name in _REGISTRY:
        raise ValueError(
            f"a report section named {name!r} is already registered; call "
            f"unregister_report_section({name!r}) first to replace it."
        )
    if not isinstance(title, str) or not title.strip():
        raise TypeError(f"title must be a non-empty string; got {title!r}.")
    if not callable(builder):
        raise TypeError(
            f"builder must be a function of the study result; got {type(builder).__name__}."
        )
    items = (tripod,) if isinstance(tripod, str) else tuple(tripod)
    if not all(isinstance(item, str) for item in items):
        raise TypeError(
            f"tripod must be TRIPOD+AI item numbers as text, e.g. ('23a',); got {tripod!r}."
        )
    _REGISTRY[name] = ReportSection(name, title.strip(), builder, items)


def unregister_report_section(name: str) -> None:
    """Remove a section added by :func:`register_report_section`.

    Examples
    --------
    >>> from riskml.report import register_report_section, unregister_report_section
    >>> def note(result):
    ...     return {"text": "Read with the protocol."}
    >>> register_report_section("protocol_note", "Protocol note", note)
    >>> unregister_report_section("protocol_note")
    """
    if name not in _REGISTRY:
        raise KeyError(f"no report section named {name!r} is registered.")
    del _REGISTRY[name]


@contextlib.contextmanager
def registered_report_section(name: str, title: str, builder: Callable, *, tripod=()):
    """:func:`register_report_section` for the duration of a ``with`` block.

    Examples
    --------
    >>> from riskml.report import registered_report_section
    >>> from riskml.report._custom import custom_sections
    >>> def note(result):
    ...     return {"text": "Read with the protocol."}
    >>> with registered_report_section("protocol_note", "Protocol note", note):
    ...     "protocol_note" in custom_sections()
    True
    >>> "protocol_note" in custom_sections()
    False
    """
    register_report_section(name, title, builder, tripod=tripod)
    try:
        yield _REGISTRY[name]
    finally:
        _REGISTRY.pop(name, None)


def custom_sections() -> dict[str, ReportSection]:
    """The registered sections, in the order registered."""
    return dict(_REGISTRY)


def build_custom(section: ReportSection, result) -> dict | None:
    """What the template shows for ``section``: paragraphs, table, image, note."""
    from ._common import _table
    from ._format import png

    try:
        content = section.builder(result)
    except Exception as error:
        raise RuntimeError(
            f"report section {section.name!r} failed while building: {error}"
        ) from error
    if content is None:
        return None
    if not isinstance(content, Mapping) or not set(content) <= _KEYS:
        raise TypeError(
            f"report section {section.name!r}: its builder must return None or a dict with "
            f"keys among {sorted(_KEYS)}; got "
            + (
                f"keys {sorted(map(str, set(content) - _KEYS))}"
                if isinstance(content, Mapping)
                else type(content).__name__
            )
            + "."
        )
    text = content.get("text") or []
    paragraphs = [text] if isinstance(text, str) else [str(p) for p in text]
    table = content.get("table")
    if table is not None and not isinstance(table, pd.DataFrame):
        raise TypeError(
            f"report section {section.name!r}: 'table' must be a pandas DataFrame; got "
            f"{type(table).__name__}."
        )
    figure = content.get("figure")
    return {
        "id": section.name,
        "title": section.title,
        "paragraphs": paragraphs,
        "table": _table(table),
        "image": png(figure) if figure is not None else None,
        "note": str(content["note"]) if content.get("note") else None,
    }
