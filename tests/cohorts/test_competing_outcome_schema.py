"""A schema's outcome columns read as a competing-risk outcome (issue 27).

Oracle: the event types and times written into the table by hand.
"""

import pandas as pd
import pytest

from riskml.cohorts import cohort_from_frame

SCHEMA = [
    "name: ward",
    "id_column: stay_id",
    "outcome: {kind: survival, name: readmission, event: readmitted, time: days}",
    "columns:",
    "  - {name: stay_id, type: str, role: id}",
    "  - {name: age, type: float, unit: years, hard_range: [18, 110]}",
    "  - {name: readmitted, type: int, role: outcome}",
    "  - {name: first_event, type: int, role: outcome}",
    "  - {name: days, type: float, unit: days, role: outcome}",
]


@pytest.fixture
def schema(tmp_path):
    path = tmp_path / "ward.yaml"
    path.write_text("\n".join(SCHEMA), encoding="utf-8")
    return path


def test_outcome_override_of_kind_competing(schema):
    frame = pd.DataFrame(
        {
            "stay_id": list("abcde"),
            "age": [54.0, 71.0, 66.0, 80.0, 62.0],
            "readmitted": [1, 0, 0, 1, 0],
            "first_event": [1, 2, 0, 1, 2],
            "days": [3.0, 10.0, 30.0, 12.0, 7.0],
        }
    )
    cohort = cohort_from_frame(
        frame,
        schema,
        outcome={"kind": "competing", "event": "first_event", "time": "days", "name": "readmit"},
    )
    assert cohort.outcome.is_competing
    assert cohort.outcome.event_type.tolist() == [1, 2, 0, 1, 2]
    assert cohort.outcome.time.tolist() == [3.0, 10.0, 30.0, 12.0, 7.0]
    with pytest.raises(ValueError, match="a competing outcome needs its time column"):
        cohort_from_frame(frame, schema, outcome={"kind": "competing", "event": "first_event"})
