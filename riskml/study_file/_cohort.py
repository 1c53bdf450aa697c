"""The cohort entry of a study file: which loader or generator, its path and
arguments, checked before any data is read; then the cohort built."""

from __future__ import annotations

import copy
import re
from pathlib import Path

from ..errors import CommandError
from ._values import (
    MAX_JOBS,
    MAX_PATIENTS,
    _choice,
    _flag,
    _mapping,
    _path,
    _seed,
    _text,
    _whole,
)
from ._yaml import _Map, _plain, _Seq, _suggest

COHORT_KEYS = ("loader", "generator", "path", "args", "outcome", "competing", "name")

#: Cohort functions a study file cannot use, and why.
NOT_COHORTS = {
    "make_mimic3_ami": (
        "writes synthetic MIMIC-III tables to a folder and returns their truth table, not a "
        "cohort. Write the tables once in Python (rk.cohorts.make_mimic3_ami('mimic', "
        "n_patients=300)) inside the study's folder, then use loader: load_mimic3_ami with "
        "path: mimic"
    ),
    "load_schema": "returns a schema, not a cohort. Use a loader such as load_young_hypertension",
}


def _n_patients(e):
    return _whole(e, 1, MAX_PATIENTS, what="the number of synthetic patients", example=508)


def _no_frame(e):
    if _flag(e):
        raise e.fail("false here", "A study needs a cohort, not a table: leave return_frame out.")
    return False


def _units(e):
    if isinstance(e.value, str) and e.value.upper() == "SI":
        return e.value
    if e.value is None:
        return None
    if not isinstance(e.value, _Map):
        raise e.fail("SI or a mapping {column: unit}", "Write e.g. units: {total_chol: mmol/L}.")
    for _, item in e.items():
        _text(item, what="a unit", example="mmol/L")
    return e.value


def _hadm_ids(e):
    if not isinstance(e.value, _Seq):
        raise e.fail("a list of admission ids", "Write e.g. exclude_hadm_ids: [100001, 100002].")
    return [_whole(i, 0, what="an admission id", example=100001) for i in e.elements()]


def _memory(e):
    if e.value is not None and not (
        isinstance(e.value, str) and re.fullmatch(r"\d+(\.\d+)?\s*[KMGT]i?B", e.value, re.I)
    ):
        raise e.fail("a memory size such as 2GB, or null", "Write e.g. memory_limit: 4GB.")
    return e.value


def _one_of(*options):
    return lambda e: _choice(e, options)


def _threads(e):
    return _whole(e, 1, MAX_JOBS, what="a number of threads", example=4, null=True)


_HF = {
    "label": _one_of("readmit_30d", "death_1yr"),
    "competing_death": _one_of("censor", "event", "exclude", "competing"),
}
#: ``cohort.competing``: the competing events each cohort function can carry, and the
#: arguments that make its outcome a competing-risk one (:meth:`riskml.Outcome.competing`).
COMPETING_EVENTS = {
    "make_hf_registry": {"death": {"competing_death": "competing"}},
    "load_hf_registry": {"death": {"competing_death": "competing"}},
}


def _concepts(e):
    """An OMOP concept set: concept ids, or {concept_ids, name, domain, include_descendants}."""
    value = _plain(e.value)
    example = "Write e.g. target: {concept_ids: [320128], name: hypertension, domain: condition}."
    if isinstance(value, list) and value and all(isinstance(v, int) for v in value):
        return value
    if isinstance(value, dict) and isinstance(value.get("concept_ids"), list):
        unknown = set(value) - {"concept_ids", "name", "domain", "include_descendants"}
        if not unknown:
            return value
    raise e.fail("a list of OMOP concept ids or a mapping with concept_ids", example)


def _day_window(e):
    value = _plain(e.value)
    if (
        isinstance(value, list)
        and len(value) == 2
        and all(isinstance(v, int) and not isinstance(v, bool) for v in value)
    ):
        return tuple(value)
    raise e.fail("two whole numbers of days [start, end]", "Write e.g. time_at_risk: [1, 365].")


def _days(e):
    value = _plain(e.value)
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    raise e.fail("a whole number of days (0 or more)", "Write e.g. washout: 365.")


def _label(e):
    value = _plain(e.value)
    if isinstance(value, str) and value:
        return value
    raise e.fail("a name (text)", "Write e.g. name: hypertension_bronchitis.")


#: Cohort functions of study files: (the parameter given by cohort.path, {argument: check}).
COHORT_FUNCTIONS = {
    "make_young_hypertension": (
        None,
        {
            "n_patients": _n_patients,
            "random_state": _seed,
            "return_frame": _no_frame,
            "n_samples": _n_patients,
        },
    ),
    "make_hf_registry": (
        None,
        {"n_patients": _n_patients, "random_state": _seed, "return_frame": _no_frame, **_HF},
    ),
    "make_ccta_registry": (None, {"n_patients": _n_patients, "random_state": _seed}),
    "load_heart_failure_clinical_records": (None, {}),
    "load_young_hypertension": ("path", {"units": _units}),
    "load_hf_registry": ("path", {"units": _units, **_HF}),
    "load_mimic3_ami": (
        "directory",
        {
            "primary_only": _flag,
            "exclude_subsequent_episode": _flag,
            "first_admission_only": _flag,
            "label": _one_of(
                "death_1yr_from_admit", "death_1yr_post_discharge", "hospital_expire_flag", "death"
            ),
            "followup": _one_of("flag", "carevue_only"),
            "exclude_hadm_ids": _hadm_ids,
            "memory_limit": _memory,
            "threads": _threads,
            "progress": _flag,
        },
    ),
    "load_omop_cohort": (
        "directory",
        {
            "target": _concepts,
            "outcome": _concepts,
            "time_at_risk": _day_window,
            "washout": _days,
            "first_exposure_only": _flag,
            "remove_prior_outcome": _flag,
            "prior_outcome_lookback": _days,
            "require_full_time_at_risk": _flag,
            "include_all_outcomes": _flag,
            "covariate_window": _day_window,
            "min_covariate_count": _days,
            "name": _label,
        },
    ),
    "load_mimic4_ami": (
        "directory",
        {
            "primary_only": _flag,
            "exclude_subsequent_episode": _flag,
            "first_admission_only": _flag,
            "label": _one_of(
                "death_1yr_from_admit", "death_1yr_post_discharge", "hospital_expire_flag", "death"
            ),
            "exclude_hadm_ids": _hadm_ids,
            "memory_limit": _memory,
            "threads": _threads,
            "progress": _flag,
        },
    ),
}


def _cohort_plan(e, folder: Path) -> dict:
    """Check the cohort entry (no data read): the function, its arguments and options."""
    example = "cohort: {generator: make_young_hypertension, args: {n_patients: 508}}"
    _mapping(e, COHORT_KEYS, what="the cohort", example=example, null=False)
    kind, entry, name = _cohort_function(e)
    first, checks = COHORT_FUNCTIONS[name]
    plan = {
        "name": name,
        "positional": _cohort_path(e, kind, entry, name, first, folder),
        "args": _cohort_args(e, kind, first, checks),
    }
    outcome = e.child("outcome")
    plan["outcome"] = (
        None
        if outcome is None
        else _choice(
            outcome, ("binary", "survival", "competing"), what="the outcome kind", null=True
        )
    )
    _competing_plan(e, plan)
    label = e.child("name")
    plan["label"] = (
        None if label is None else _text(label, what="the cohort's name", example="young_htn")
    )
    return plan


def _competing_plan(e, plan) -> None:
    """``cohort.competing``: the competing event (e.g. ``death``) turned into the loader's
    arguments, refused where the loader carries none or its arguments say otherwise."""
    entry = e.child("competing")
    if entry is None or entry.value is None:
        if plan["outcome"] == "competing" and plan["name"] in COMPETING_EVENTS:
            events = ", ".join(COMPETING_EVENTS[plan["name"]])
            raise CommandError(
                f"{e.child('outcome').where()}: cohort.outcome 'competing' needs the competing "
                f"event; add cohort.competing ({events}), e.g. competing: death."
            )
        return
    events = COMPETING_EVENTS.get(plan["name"])
    if events is None:
        carried = ", ".join(COMPETING_EVENTS)
        raise CommandError(
            f"{entry.where()}: cohort {plan['name']!r} carries no competing events; delete "
            f"cohort.competing, or use a cohort that does ({carried})."
        )
    if plan["outcome"] not in (None, "competing"):
        raise CommandError(
            f"{e.child('outcome').where()}: cohort.outcome {plan['outcome']!r} contradicts "
            "cohort.competing (a competing-risk outcome); delete one of them."
        )
    event = _choice(entry, tuple(events), what="the competing event")
    for key, value in events[event].items():
        given = plan["args"].get(key)
        if given is not None and given != value:
            raise CommandError(
                f"{entry.where()}: cohort.competing: {event} sets {key}: {value}, but "
                f"cohort.args gives {key}: {given}; delete one of them."
            )
        plan["args"][key] = value
    plan["outcome"] = "competing"


def _cohort_function(e):
    """``(kind, entry, name)``: "loader" or "generator", its entry and the function's name."""
    if ("loader" in e.value) == ("generator" in e.value):
        raise CommandError(
            f"{e.where()}: cohort needs exactly one of 'loader' (e.g. load_young_hypertension, "
            "with 'path') or 'generator' (e.g. make_young_hypertension, with 'args')."
        )
    kind = "loader" if "loader" in e.value else "generator"
    prefix = "load_" if kind == "loader" else "make_"
    entry = e.child(kind)
    choices = [n for n in COHORT_FUNCTIONS if n.startswith(prefix)]
    name = entry.value
    if isinstance(name, str) and name in NOT_COHORTS:
        raise CommandError(f"{entry.where()}: cohort {kind} {name!r} {NOT_COHORTS[name]}.")
    if not isinstance(name, str) or name not in choices:
        raise entry.fail(
            f"one of {', '.join(choices)}",
            f"Write e.g. {kind}: {choices[0]}"
            f"{_suggest(name, choices) if isinstance(name, str) else ''}.",
        )
    return kind, entry, name


def _cohort_path(e, kind, entry, name, first, folder: Path) -> list:
    """The positional argument given by cohort.path (a file or folder), if the function
    reads one."""
    path = e.child("path")
    if first is None and path is not None:
        raise CommandError(
            f"{path.where()}: cohort {kind} {name!r} reads no file; delete cohort.path"
            + (
                " (a generator makes its patients; set them in args)."
                if kind == "generator"
                else "."
            )
        )
    if first is None:
        return []
    if path is None:
        raise CommandError(
            f"{entry.where()}: cohort loader {name!r} reads a "
            f"{'folder' if first == 'directory' else 'file'}; add cohort.path (relative to "
            "the study file), e.g. path: data/cohort.csv."
        )
    return [_path(path, folder, kind="folder" if first == "directory" else "file")]


def _cohort_args(e, kind, first, checks) -> dict:
    """The function's keyword arguments from cohort.args, each checked."""
    args = e.child("args")
    if args is None or args.value is None:
        return {}
    allowed = tuple(checks) + ((first,) if first else ())
    _mapping(
        args,
        allowed or ("(none)",),
        what="the arguments of the " + kind,
        example="args: {n_patients: 508, random_state: 0}",
    )
    values = {}
    for key, item in args.items():
        if key == first:
            raise CommandError(
                f"{item.where()}: give the {first} as cohort.path, not in cohort.args."
            )
        values[key] = _plain(checks[key](item))
    if "n_samples" in values and "n_patients" in values:
        raise CommandError(
            f"{args.child('n_samples').where()}: n_samples is the deprecated name of "
            "n_patients; give only n_patients."
        )
    return values


def _build_cohort(plan, e):
    """The cohort: the function called, outcome and name applied (declared fields kept)."""
    from ..cohorts import (
        load_heart_failure_clinical_records,
        load_hf_registry,
        load_mimic3_ami,
        load_mimic4_ami,
        load_omop_cohort,
        load_young_hypertension,
        make_ccta_registry,
        make_hf_registry,
        make_young_hypertension,
    )
    from ..outcome import Outcome

    functions = {
        "load_heart_failure_clinical_records": load_heart_failure_clinical_records,
        "load_hf_registry": load_hf_registry,
        "load_mimic3_ami": load_mimic3_ami,
        "load_mimic4_ami": load_mimic4_ami,
        "load_omop_cohort": load_omop_cohort,
        "load_young_hypertension": load_young_hypertension,
        "make_ccta_registry": make_ccta_registry,
        "make_hf_registry": make_hf_registry,
        "make_young_hypertension": make_young_hypertension,
    }
    cohort = functions[plan["name"]](*plan["positional"], **plan["args"])
    if plan["outcome"] == "binary" and cohort.outcome.is_survival:
        # the same patients, ids, groups and declared fields; only the event indicator
        binary = copy.copy(cohort)
        binary.horizon = None
        binary.outcome = Outcome.binary(cohort.outcome.event, name=cohort.outcome.name)
        cohort = binary
    elif plan["outcome"] == "competing" and not cohort.outcome.is_competing:
        raise CommandError(
            f"{(e.child('outcome') or e.child('competing')).where()}: cohort.outcome 'competing' needs a cohort with "
            f"event types; {plan['name']} gives a {cohort.outcome.kind} outcome. Add "
            "cohort.competing (e.g. competing: death) or delete cohort.outcome."
        )
    elif plan["outcome"] == "survival" and not cohort.outcome.is_survival:
        raise CommandError(
            f"{e.child('outcome').where()}: cohort.outcome 'survival' needs a cohort with "
            f"follow-up times; {plan['name']} gives a binary outcome. Delete cohort.outcome."
        )
    if plan["label"] is not None:
        cohort.name = plan["label"]
    return cohort
