"""Bad-input corpus: quasi-identifiers, malformed columns, row keys and dates.

Each case writes a table to ``tmp_path`` (the bundled heart-failure records, UCI 519,
or a seeded synthetic young-hypertension or heart-failure-registry export) with a
planted problem, makes the call a user would make (``Cohort``, ``Study.run`` or a
schema loader), and checks that the message names the column (or ids/groups), the rows
where they matter, and the fix, quotes no planted patient value, and leaves the file
untouched. Planted patient values carry ``Quux``.

Also here: Table 1's disclosure control, audited by linear programming (the oracle:
for every suppressed small count, the smallest and largest value consistent with every
count shown and every total must differ), and the report, which must never print a
category level that Table 1 does not list.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import riskml as rk
from riskml.cohorts import SchemaError

from .conftest import Case, check_case

PLANTED = "Quux"


@pytest.fixture(scope="module")
def data():
    hf = rk.cohorts.load_heart_failure_clinical_records()
    frame = hf.features.assign(time=hf.outcome.time, death=hf.outcome.event.astype(int))
    htn = rk.cohorts.make_young_hypertension(n_patients=200, random_state=0, return_frame=True)
    registry = rk.cohorts.make_hf_registry(300, random_state=0, return_frame=True)
    return {"frame": frame, "htn": htn, "registry": registry}


def _levels(n_rows, n_levels, prefix=PLANTED, seed=0):
    draws = np.random.default_rng(seed).integers(0, n_levels, n_rows)
    return np.array([f"{prefix}{i:03d}" for i in draws], dtype=object)


def _table(change=None, convert=None, metadata=None, ids=None, groups=None, outcome="survival"):
    """build(tmp_path, data) -> (call, inputs): a Cohort from a changed CSV."""

    def build(tmp_path, data):
        frame = data["frame"].copy()
        if change is not None:
            frame = change(frame)
        path = tmp_path / "cohort.csv"
        frame.to_csv(path, index=False)

        def call():
            table = pd.read_csv(path)
            if convert is not None:
                table = convert(table)
            time, death = table.pop("time"), table.pop("death")
            result = (
                rk.Outcome.survival(time, death)
                if outcome == "survival"
                else rk.Outcome.binary(death)
            )
            keys = {
                "ids": None if ids is None else ids(len(table)),
                "groups": None if groups is None else groups(len(table)),
            }
            return rk.Cohort(table, result, metadata, **keys)

        return call, [path]

    return build


def _study(change=None, convert=None, outcome="survival", **options):
    def build(tmp_path, data):
        make, inputs = _table(change, convert, outcome=outcome)(tmp_path, data)

        def call():
            cohort = make()
            if outcome == "survival":
                cohort.horizon = 90.0
            model = ["cox"] if outcome == "survival" else ["logistic"]
            return rk.Study(
                cohort, models=model, progress=False, n_boot=50, explain=None, **options
            ).run()

        return call, inputs

    return build


def _loader(source, change, loader):
    """A schema loader on a changed synthetic export (young hypertension or registry)."""

    def build(tmp_path, data):
        frame = data[source].copy()
        frame = change(frame)
        path = tmp_path / f"{source}.csv"
        frame.to_csv(path, index=False)
        return (lambda: loader(path)), [path]

    return build


def _quasi(column, change, **options):
    return Case(
        f"quasi_identifier_{column}",
        _study(change, **options),
        ValueError,
        rf"Study refuses \d+ predictor\(s\).*'{column}': a categorical with \d+ distinct values: "
        r"a quasi-identifier",
        rf"broader categories .*trusted_predictors=\[.*'{column}'.*\]",
        absent=(PLANTED,),
    )


def _as_text(id, column, values, problem, **extra):
    """A numeric column (serum_sodium) with some values replaced by text."""

    def change(frame):
        frame = frame.copy()
        text = frame["serum_sodium"].astype(object)
        for row, value in values.items():
            text.iloc[row] = value
        return frame.assign(**{column: text}).drop(columns="serum_sodium")

    return Case(
        id,
        _table(change),
        ValueError,
        rf"'{column}' holds numbers stored as text \(.*{problem}",
        rf"pd\.to_numeric\(features\['{column}'\].*metadata type 'cat'",
        **extra,
    )


def _dated(id, values, reason, convert=None, absent=()):
    return Case(
        id,
        _table(lambda f: f.assign(visit=values(len(f))), convert=convert),
        ValueError,
        rf"'visit': {reason}",
        r"derive what you need from dates first .*role 'context'",
        absent=absent,
    )


def _iso(n, start="2015-01-01", days=60, fmt="%Y-%m-%d"):
    offsets = np.random.default_rng(0).integers(0, days, n)
    return (pd.Timestamp(start) + pd.to_timedelta(offsets, unit="D")).strftime(fmt).to_numpy()


def _htn(change):
    return _loader("htn", change, rk.cohorts.load_young_hypertension)


def _registry(change):
    return _loader("registry", change, rk.cohorts.load_hf_registry)


def _first(frame, column, value, where=None):
    frame = frame.copy()
    rows = np.flatnonzero(where(frame)) if where is not None else np.arange(len(frame))
    frame.loc[rows[0], column] = value
    return frame


def _component_without_composite(frame):
    frame = frame.copy()
    row = np.flatnonzero(frame["composite_event"] == 0)[0]
    frame.loc[row, "evt_ami"] = 1
    return frame


def _composite_without_component(frame):
    frame = frame.copy()
    row = np.flatnonzero(frame["composite_event"] == 1)[0]
    events = [c for c in frame.columns if c.startswith("evt_")]
    frame.loc[row, events] = 0
    return frame


def _two_components(frame):
    frame = frame.copy()
    row = np.flatnonzero(frame["composite_event"] == 1)[0]
    events = [c for c in frame.columns if c.startswith("evt_")]
    frame.loc[row, events[:2]] = 1
    return frame


CASES = [
    # -- quasi-identifiers refused before the first fit ---------------------------------------
    _quasi("area", lambda f: f.assign(area=_levels(len(f), 90))),
    _quasi("ward_code", lambda f: f.assign(ward_code=_levels(len(f), 30, seed=1))),
    _quasi("practice", lambda f: f.assign(practice=_levels(len(f), 21, seed=2))),
    _quasi(
        "country",
        lambda f: f.assign(country=_levels(len(f), 25, seed=3)),
        convert=lambda t: t.assign(country=t["country"].astype("category")),
    ),
    _quasi(
        "birth_place",
        lambda f: f.assign(
            birth_place=np.where(np.arange(len(f)) % 4 == 0, None, _levels(len(f), 50, seed=4))
        ),
    ),
    _quasi("gp", lambda f: f.assign(gp=_levels(len(f), 40, seed=5)), outcome="binary"),
    Case(
        "two_quasi_identifiers",
        _study(lambda f: f.assign(area=_levels(len(f), 90), unit=_levels(len(f), 35, seed=6))),
        ValueError,
        r"Study refuses 2 predictor\(s\).*'area': a categorical.*'unit': a categorical",
        r"trusted_predictors=\['area', 'unit'\]",
        absent=(PLANTED,),
    ),
    Case(
        "quasi_identifier_trusted_but_leak_remains",
        _study(
            lambda f: f.assign(area=_levels(len(f), 90), weeks=f["time"] / 7),
            trusted_predictors=["area"],
        ),
        ValueError,
        r"Study refuses 1 predictor\(s\).*'weeks':",
        r"trusted_predictors=\['weeks'\]",
        absent=(PLANTED,),
    ),
    # -- dates as predictors refused when the cohort is built --------------------------------
    _dated("iso_dates_as_text", _iso, r"a date \(values written as dates\)", absent=("2015-0",)),
    _dated(
        "day_first_dates",
        lambda n: _iso(n, fmt="%d/%m/%Y"),
        r"a date \(values written as dates\)",
        absent=("/2015",),
    ),
    _dated(
        "month_name_dates",
        lambda n: _iso(n, fmt="%d %b %Y"),
        r"a date \(values written as dates\)",
        absent=(" 2015",),
    ),
    _dated(
        "date_times_as_text",
        lambda n: _iso(n, fmt="%Y-%m-%d %H:%M"),
        r"a date \(values written as dates\)",
    ),
    _dated(
        "dates_with_gaps",
        lambda n: np.where(np.arange(n) % 3 == 0, None, _iso(n)),
        r"a date \(values written as dates\)",
    ),
    _dated(
        "dates_as_yyyymmdd_numbers",
        lambda n: _iso(n, fmt="%Y%m%d").astype(int),
        r"a date written as a number \(YYYYMMDD\)",
        absent=("20150",),
    ),
    _dated(
        "yyyymmdd_as_text",
        lambda n: _iso(n, fmt="%Y%m%d"),
        r"a date written as a number \(YYYYMMDD\)",
        convert=lambda t: t.assign(visit=t["visit"].astype(str)),
        absent=("20150",),
    ),
    _dated(
        "dates_with_dots",
        lambda n: _iso(n, fmt="%d.%m.%Y"),
        r"a date \(values written as dates\)",
        absent=(".2015",),
    ),
    _dated(
        "parsed_datetimes",
        _iso,
        r"a date",
        convert=lambda t: t.assign(visit=pd.to_datetime(t["visit"])),
    ),
    _dated(
        "periods",
        _iso,
        r"a date",
        convert=lambda t: t.assign(visit=pd.to_datetime(t["visit"]).dt.to_period("M")),
    ),
    Case(
        "time_spans",
        _table(
            lambda f: f.assign(stay=np.arange(len(f)) % 9 + 1),
            convert=lambda t: t.assign(stay=pd.to_timedelta(t["stay"], unit="D")),
        ),
        ValueError,
        r"features column\(s\) \['stay'\] hold time spans \(timedelta\)",
        r"\.dt\.total_seconds\(\) / 86400",
    ),
    # -- numbers stored as text ------------------------------------------------------------------
    _as_text(
        "below_detection_limit",
        "sodium",
        {0: "<5", 50: "<5", 100: "< 5"},
        r"3 row\(s\) \(row positions 0, 50, 100, from 0\).*a bound .*such as '<5', '< 5'",
    ),
    _as_text("above_range", "sodium", {3: ">150", 4: ">150"}, r"a bound .*'>150'"),
    _as_text(
        "missing_value_codes",
        "sodium",
        {1: "unknown", 2: "Unknown", 9: "missing"},
        r"a missing-value code such as 'unknown', 'Unknown', 'missing' \(3 rows\)",
    ),
    _as_text("question_marks", "sodium", {5: "?", 6: "?"}, r"a missing-value code such as '\?'"),
    _as_text("not_done", "sodium", {7: "ND", 8: "not done"}, r"a missing-value code"),
    _as_text("dashes", "sodium", {10: "-", 11: "--"}, r"a missing-value code such as '-'"),
    _as_text("excel_errors", "sodium", {12: "#VALUE!", 13: "#DIV/0!"}, r"a missing-value code"),
    _as_text(
        "decimal_commas",
        "sodium",
        {20: "136,5", 21: "140,2"},
        r"a decimal comma such as '136,5', '140,2'",
    ),
    _as_text(
        "numbers_with_units",
        "sodium",
        {30: "137 mmol/L", 31: "140mmol/l"},
        r"a number with its unit such as '137 mmol/L'",
    ),
    _as_text("percent_signs", "sodium", {32: "45%"}, r"a number with its unit such as '45%'"),
    _as_text(
        "thousands_separators", "sodium", {33: "1 234", 34: "2 345"}, r"a thousands separator"
    ),
    _as_text(
        "words_in_a_number_column",
        "sodium",
        {40: f"not measured {PLANTED}", 41: f"see note {PLANTED}"},
        r"other text \(not quoted\) \(2 rows\)",
        absent=(PLANTED,),
    ),
    _as_text(
        "several_kinds_at_once",
        "sodium",
        {0: "<5", 1: "unk", 2: "12,5", 3: "5 mg"},
        r"a bound .*a missing-value code .*a decimal comma .*a number with its unit",
    ),
    Case(
        "every_number_stored_as_text",
        _table(convert=lambda t: t.assign(serum_sodium=t["serum_sodium"].astype(str))),
        ValueError,
        r"'serum_sodium' holds numbers stored as text \(every value is a number written as "
        r"text\); read as text it would become a categorical predictor with \d+ levels",
        r"pd\.to_numeric",
    ),
    # -- values no model can use -------------------------------------------------------------
    Case(
        "infinite_values",
        _table(lambda f: f.assign(ratio=np.where(np.arange(len(f)) % 100 == 7, np.inf, 1.5))),
        ValueError,
        r"infinite values \(inf or -inf\).*'ratio': 3 row\(s\) \(row positions 7, 107, 207",
        r"leave it missing \(NaN\)",
    ),
    Case(
        "minus_infinity",
        _table(lambda f: f.assign(log_ratio=np.where(np.arange(len(f)) == 4, -np.inf, 0.1))),
        ValueError,
        r"'log_ratio': 1 row\(s\) \(row positions 4, from 0\)",
        r"replace\(\[np\.inf, -np\.inf\], np\.nan\)",
    ),
    Case(
        "lists_in_a_column",
        _table(
            lambda f: f.assign(drugs="x"),
            convert=lambda t: t.assign(drugs=[["a", "b"]] * len(t)),
        ),
        ValueError,
        r"features column\(s\) \['drugs'\] hold lists, tuples, dicts or arrays",
        r"give each value its own column",
    ),
    # -- ids and groups -----------------------------------------------------------------------------
    Case(
        "duplicate_ids",
        _table(ids=lambda n: [f"MRN-{PLANTED}-{i % (n - 2)}" for i in range(n)]),
        ValueError,
        r"ids has 2 value\(s\) repeated across 4 rows \(row positions 0, 1, 297, 298, from 0\)",
        r"pass the admission key as ids= and the patient key as groups=",
        absent=(PLANTED,),
    ),
    Case(
        "every_id_the_same",
        _table(ids=lambda n: [f"{PLANTED}"] * n),
        ValueError,
        r"ids has 1 value\(s\) repeated across 299 rows",
        r"ids= must identify one row each",
        absent=(PLANTED,),
    ),
    Case(
        "numeric_ids_duplicated",
        _table(ids=lambda n: np.r_[np.arange(n - 1), 5]),
        ValueError,
        r"ids has 1 value\(s\) repeated across 2 rows \(row positions 5, 298, from 0\)",
        r"Drop duplicated rows",
    ),
    Case(
        "missing_ids",
        _table(ids=lambda n: [None if i in (3, 8) else f"{PLANTED}{i}" for i in range(n)]),
        ValueError,
        r"ids is missing in 2 row\(s\) \(row positions 3, 8, from 0\)",
        r"every row needs its identifier",
        absent=(PLANTED,),
    ),
    Case(
        "missing_groups",
        _table(groups=lambda n: [np.nan if i == 11 else i // 2 for i in range(n)]),
        ValueError,
        r"groups is missing in 1 row\(s\) \(row positions 11, from 0\)",
        r"every row needs its group key",
    ),
    Case(
        "ids_of_another_length",
        _table(ids=lambda n: np.arange(n + 3)),
        ValueError,
        r"ids has 302 entries but features has 299 rows",
        r"299 rows",
    ),
    # -- dates and composite events in schema loaders ------------------------------------------
    Case(
        "index_date_in_2099",
        _htn(lambda f: f.assign(index_date=np.where(np.arange(len(f)) == 3, "2099-05-01", ""))),
        SchemaError,
        r"index_date: dates from 1901-01-01 to today: 1 row breaks it \(first patient_id: ",
        r"a date in the future is a typo \(e\.g\. 2099 for 2009\)",
    ),
    Case(
        "index_date_placeholder",
        _htn(lambda f: f.assign(index_date="1900-01-01")),
        SchemaError,
        r"index_date: dates from 1901-01-01 to today: 200 rows break it.*fall before "
        r"1901-01-01",
        r"placeholder for an unknown date",
    ),
    Case(
        "registry_admission_in_the_future",
        _registry(
            lambda f: f.assign(
                admit_date=pd.to_datetime(f["admit_date"]) + pd.DateOffset(years=90),
                discharge_date=pd.to_datetime(f["discharge_date"]) + pd.DateOffset(years=90),
            )
        ),
        SchemaError,
        r"admit_date: dates from 1901-01-01 to today: 300 rows break it",
        r"declares date_range in its schema",
    ),
    Case(
        "component_event_without_the_composite",
        _htn(_component_without_composite),
        SchemaError,
        r"composite_event, evt_death, .*: composite event and its first component \(a "
        r"component \(evt_death, .*\) flagged without composite_event\): 1 row breaks it",
        r"set composite_event = 1 \(with its time\), or clear the component flag",
    ),
    Case(
        "composite_event_without_a_component",
        _htn(_composite_without_component),
        SchemaError,
        r"composite_event = 1 with no component flagged\): 1 row breaks it",
        r"flag the component that happened, or set composite_event = 0",
    ),
    Case(
        "two_first_events",
        _htn(_two_components),
        SchemaError,
        r"at most one of evt_death, .* \(the first event's component\)\): 1 row breaks it",
        r"keep only the component of the first event",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_bad_identifiers(case, tmp_path, data):
    check_case(case, tmp_path, data)


# -- categories and numbers that are fine --------------------------------------------------------


def test_codes_that_look_like_numbers_are_accepted_when_declared_categories():
    hf = rk.cohorts.load_heart_failure_clinical_records()
    codes = np.resize(
        ["410", "410.1", "411", "V45", "412", "413", "414", "415", "416", "417", "418", "419"],
        len(hf),
    )
    features = hf.features.assign(icd=codes)
    with pytest.raises(ValueError, match="'icd' holds numbers stored as text"):
        rk.Cohort(features, hf.outcome)
    metadata = pd.DataFrame({"type": ["cat"]}, index=["icd"])
    cohort = rk.Cohort(features, hf.outcome, metadata)
    assert "icd" in cohort.predictors


def test_ordinary_categories_are_not_quasi_identifiers():
    """20 levels is the limit (Table 1 lists them); a number column with many values is a
    measurement, not a quasi-identifier."""
    from riskml.cohorts import check_predictors

    hf = rk.cohorts.load_heart_failure_clinical_records()
    features = hf.features.assign(region=_levels(len(hf), 20, prefix="R"))
    assert features["region"].nunique() == 20
    assert check_predictors(features, hf.outcome, list(features.columns), horizon=90) == []


# -- Table 1: disclosure control, audited by linear programming --------------------------------


def _audit(table: pd.DataFrame, groups: dict, entries: list, variable: str, min_count=5):
    """The LP audit of secondary suppression (Hundepool et al. 2012, ch. 5).

    ``entries`` lists the variable's true categories as ``(mask, row)``: ``row`` is
    the position of its line among the variable's Table 1 rows, or None for a
    category never shown (the 0s of a 0/1 column). The unknowns are the counts of
    every category (and the missing values) in every column; the constraints are
    what the table publishes: shown counts, suppressed small counts in [1, 4], every
    column adding up to its n, the outcome columns adding up to Overall, and the
    number with a value that a percentage gives away. For each suppressed small
    count, linprog minimises and maximises it: if both agree, the table gives it away.
    Returns (pinned, small cells checked).
    """
    from scipy.optimize import linprog

    names = list(groups)
    masks = [np.asarray(groups[g], dtype=bool) for g in names]
    shown = table[table["variable"] == variable].reset_index(drop=True)
    missing = ~np.logical_or.reduce([mask for mask, _ in entries])
    cells = [*entries, (missing, "missing")]
    index = {(e, g): e * len(names) + g for e in range(len(cells)) for g in range(len(names))}
    truth = {key: int((cells[key[0]][0] & masks[key[1]]).sum()) for key in index}
    n_cells = len(index)
    equations, totals = [], []
    for g, mask in enumerate(masks):
        row = np.zeros(n_cells)
        row[[index[(e, g)] for e in range(len(cells))]] = 1
        equations.append(row)
        totals.append(int(mask.sum()))
    for e in range(len(cells)):
        row = np.zeros(n_cells)
        row[index[(e, 0)]] = 1
        row[[index[(e, g)] for g in range(1, len(names))]] = -1
        equations.append(row)
        totals.append(0)
    bounds = [(0, None)] * n_cells
    small = []
    for e, (_, line) in enumerate(cells):
        for g, name in enumerate(names):
            if line is None:
                continue
            text = str(shown.loc[0, "missing"] if line == "missing" else shown.loc[line, name])
            if line == "missing" and g > 0:
                continue  # shown only through the percentages, below
            key = index[(e, g)]
            if text == f"<{min_count}":
                bounds[key] = (1, min_count - 1)
                small.append(key)
            elif text != "*":
                bounds[key] = (int(text.split(" ")[0]),) * 2
                if "%)" in text:  # k and its percentage give the number with a value
                    bounds[index[(len(cells) - 1, g)]] = (truth[(len(cells) - 1, g)],) * 2
    pinned = []
    for key in small:
        objective = np.zeros(n_cells)
        objective[key] = 1
        low = linprog(objective, A_eq=np.array(equations), b_eq=totals, bounds=bounds)
        high = linprog(-objective, A_eq=np.array(equations), b_eq=totals, bounds=bounds)
        assert low.status == 0 and high.status == 0, (variable, key)
        if abs(-high.fun - low.fun) < 0.5:
            pinned.append(key)
    return pinned, small


@pytest.fixture(scope="module")
def small_cells():
    """The heart-failure records with planted small cells: a 2-patient group of a
    2-level variable (297/299 would give 2 away), a rare level, and 3 missing values
    of a categorical."""
    hf = rk.cohorts.load_heart_failure_clinical_records()
    n = len(hf)
    rows = np.arange(n)
    features = hf.features.assign(
        device=np.where(rows < 2, "pacemaker", "none"),
        site=np.where(rows < 3, f"{PLANTED}tiny", np.where(rows % 2, "north", "south")),
        arm=pd.Series(np.where(rows % 2, "a", "b"), dtype=object).where(rows >= 3),
        rare_flag=np.where(rows < 2, 1.0, 0.0),
    )
    cohort = rk.Cohort(features, hf.outcome, horizon=90)
    groups = {"Overall": np.ones(n, bool), **cohort._outcome_groups(90)}
    return cohort, groups


def _entries(cohort, variable, table):
    """(mask, Table 1 line) of each true category of ``variable``."""
    values = cohort.features[variable]
    lines = table.loc[table["variable"] == variable, "level"].tolist()
    if variable == "rare_flag":
        return [((values == 1).to_numpy(), 0), ((values == 0).to_numpy(), None)]
    out = []
    for level in sorted(values.dropna().unique()):
        line = lines.index(level) if level in lines else lines.index("other (1 level)")
        out.append(((values == level).to_numpy(), line))
    return out


@pytest.mark.parametrize(
    ("variable", "levels"),
    [
        ("device", ["none", "other (1 level)"]),
        ("site", ["north", "south", "other (1 level)"]),
        ("arm", ["a", "b"]),
        ("rare_flag", [""]),
    ],
)
def test_no_suppressed_count_can_be_derived_from_the_table(small_cells, variable, levels):
    cohort, groups = small_cells
    table = cohort.table_one(horizon=90, min_count=5)
    assert table.loc[table["variable"] == variable, "level"].tolist() == levels
    pinned, small = _audit(table, groups, _entries(cohort, variable, table), variable)
    assert small, "the planted small cells are suppressed"
    assert pinned == [], f"{variable}: a suppressed count is given away"
    assert not table.astype(str).apply(lambda c: c.str.contains(PLANTED)).any().any()


def test_the_audit_catches_primary_suppression_alone(small_cells):
    """The oracle can fail: with only the small cells suppressed (min_count applied
    cell by cell, as before secondary suppression), 297/299 gives the 2 away."""
    cohort, groups = small_cells
    exact = cohort.table_one(horizon=90)
    naive = exact.copy()
    for column in groups:
        cells = naive[column].astype(str)
        counts = cells.str.extract(r"^(\d+) \(", expand=False).astype(float)
        naive[column] = cells.where(~((counts > 0) & (counts < 5)), "<5")
    pinned, small = _audit(naive, groups, _entries(cohort, "device", naive), "device")
    assert small and pinned


def test_small_missing_counts_and_small_group_summaries_are_suppressed():
    hf = rk.cohorts.load_heart_failure_clinical_records()
    rows = np.arange(len(hf))
    features = hf.features.assign(
        chol=np.where(rows < 3, np.nan, 180.0 + rows % 40),
        marker=np.where(rows == 0, 1.0, np.where(rows < 4, np.nan, 0.0)),
    )
    cohort = rk.Cohort(features, hf.outcome, horizon=90)
    table = cohort.table_one(horizon=90, min_count=5).set_index("variable")
    assert table.loc["chol", "missing"] == "<5"  # 3 missing values
    # a subset with 3 patients censored before the horizon: their mean age is not shown
    censored = np.isnan(cohort.outcome.at_horizon(90))
    sub = cohort.subset(~censored | (np.cumsum(censored) <= 3))
    label = sub.outcome.at_horizon(90)
    censored = int(np.isnan(label).sum())
    assert 0 < censored < 5
    small = sub.table_one(horizon=90, min_count=5, columns=["age"])
    assert small.iloc[1]["Censored before 90 days"] == "n<5"
    exact = sub.table_one(horizon=90, columns=["age"]).iloc[1]["Censored before 90 days"]
    ages = sub.features["age"][np.isnan(label)]
    assert exact == f"{ages.mean():.1f} ({ages.std():.1f})"  # pandas oracle, unsuppressed


# -- the report never prints a level that Table 1 does not list ---------------------------------


def test_the_report_names_no_rare_or_many_level_category(tmp_path):
    hf = rk.cohorts.load_heart_failure_clinical_records()
    rows = np.arange(len(hf))
    features = hf.features.assign(
        area=_levels(len(hf), 40, prefix=f"{PLANTED}Z"),
        ward=np.where(rows < 3, f"{PLANTED}Wrare", np.where(rows % 2, "east", "west")),
    )
    cohort = rk.Cohort(features, hf.outcome, hf.metadata, horizon=90)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(ValueError, match="'area': a categorical with 40 distinct values"):
            rk.Study(cohort, models=["cox"], progress=False).run()
        result = rk.Study(
            cohort,
            models=["cox", "logistic"],
            validation=3,
            n_boot=50,
            progress=False,
            trusted_predictors=["area"],
        ).run()
    path = tmp_path / "report.html"
    result.report(path)
    html = path.read_text(encoding="utf-8")
    assert PLANTED not in html
    assert "area (" in html and "not listed" in html  # the coefficients, summarised
    assert "east" in html and "west" in html  # listed levels still name their coefficients
