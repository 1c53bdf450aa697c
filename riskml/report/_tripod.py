"""The TRIPOD+AI checklist (Collins et al., BMJ 2024;385:e078378), keyed to the report.

Each item points to the report section that answers it, says "not applicable", or
leaves it "to be completed by the authors" (what a run cannot know: aims, ethics,
funding, interpretation). Items are paraphrased.
"""

from __future__ import annotations

AUTHORS = "to be completed by the authors"
NOT_APPLICABLE = "not applicable"

#: (item, topic, sections that answer it in order of preference, or a fixed status).
ITEMS = (
    ("1", "Title: development or evaluation, population and outcome", (), AUTHORS),
    ("2", "Abstract (TRIPOD+AI for Abstracts)", (), AUTHORS),
    ("3a", "Background: health-care context and rationale", (), AUTHORS),
    ("3b", "Target population and intended use of the model", (), AUTHORS),
    ("3c", "Known health inequalities between sociodemographic groups", (), AUTHORS),
    ("4", "Objectives: development and/or validation", (), AUTHORS),
    ("5a", "Source of data", ("cohort",), AUTHORS),
    ("5b", "Dates of the data collected", (), AUTHORS),
    ("6a", "Setting and centres", ("cohort",), AUTHORS),
    ("6b", "Eligibility criteria of participants", ("cohort",), AUTHORS),
    ("6c", "Treatments received, if relevant", (), AUTHORS),
    ("7", "Data preparation and quality checks", ("predictors", "missing", "inputs"), AUTHORS),
    ("8a", "Outcome definition and time horizon", ("outcome",), AUTHORS),
    ("8b", "Outcome assessment blinded to predictors", (), AUTHORS),
    ("8c", "Outcome assessment consistency", (), AUTHORS),
    ("9a", "Choice of initial predictors and any pre-selection", ("predictors",), AUTHORS),
    ("9b", "Predictor definitions and measurement", ("predictors",), AUTHORS),
    ("9c", "Predictor assessment blinded to the outcome", (), AUTHORS),
    ("10", "Sample size and its justification", ("sample_size",), AUTHORS),
    ("11", "How missing data were handled", ("missing",), AUTHORS),
    ("12a", "How the data were used: development, validation, partitioning", ("methods",), AUTHORS),
    (
        "12b",
        "Predictor handling: functional form, transformations, scaling",
        ("predictors",),
        AUTHORS,
    ),
    (
        "12c",
        "Model type, building steps, tuning, internal validation",
        ("specification", "methods"),
        AUTHORS,
    ),
    ("12d", "Heterogeneity across clusters or centres", ("subgroups",), AUTHORS),
    (
        "12e",
        "Performance measures and plots, model comparison",
        ("performance", "comparison"),
        AUTHORS,
    ),
    (
        "12f",
        "Model updating or recalibration",
        ("recalibration", "specification"),
        NOT_APPLICABLE,
    ),
    ("12g", "How predictions are calculated", ("specification",), AUTHORS),
    ("13", "Class imbalance: methods and recalibration", ("methods",), AUTHORS),
    ("14", "Fairness approach", ("fairness", "subgroups"), AUTHORS),
    ("15", "Model output and thresholds", ("clinical_utility", "outcome"), AUTHORS),
    (
        "16",
        "Differences between development and evaluation data",
        ("external", "inputs"),
        NOT_APPLICABLE,
    ),
    ("17", "Ethical approval and consent", (), AUTHORS),
    ("18a", "Funding", (), AUTHORS),
    ("18b", "Conflicts of interest", (), AUTHORS),
    ("18c", "Protocol availability", (), AUTHORS),
    ("18d", "Registration", (), AUTHORS),
    ("18e", "Data availability", (), AUTHORS),
    ("18f", "Code availability and software", ("reproducibility",), AUTHORS),
    ("19", "Patient and public involvement", (), AUTHORS),
    (
        "20a",
        "Participant flow, numbers with and without the outcome, follow-up",
        ("cohort", "outcome"),
        AUTHORS,
    ),
    (
        "20b",
        "Participant characteristics, missing data per predictor",
        ("predictors", "missing"),
        AUTHORS,
    ),
    (
        "20c",
        "Predictor distributions, development vs evaluation",
        ("external", "inputs"),
        NOT_APPLICABLE,
    ),
    ("21", "Participants and events in each analysis", ("performance", "sample_size"), AUTHORS),
    ("22", "Full model specification", ("specification",), AUTHORS),
    (
        "23a",
        "Performance with confidence intervals, key subgroups",
        (
            "performance",
            "discrimination",
            "calibration",
            "overall",
            "clinical_utility",
            "subgroups",
        ),
        AUTHORS,
    ),
    (
        "23b",
        "Heterogeneity of performance across clusters",
        ("subgroups", "fairness"),
        AUTHORS,
    ),
    ("24", "Updated model performance", ("optimism", "external"), NOT_APPLICABLE),
    (
        "25",
        "Interpretation of the main results, fairness",
        ("explanations", "fairness"),
        AUTHORS,
    ),
    ("26", "Limitations", ("limitations",), AUTHORS),
    (
        "27a",
        "Handling of poor-quality or missing input at use",
        ("predictors", "inputs"),
        AUTHORS,
    ),
    ("27b", "User interaction and expertise needed", (), AUTHORS),
    ("27c", "Next steps: future research, implementation", (), AUTHORS),
)


def checklist(present: dict) -> list[dict]:
    """The checklist rows for a report whose shown sections map id → title.

    Parameters
    ----------
    present : dict
        Section id → section title, for the sections in this report.

    Returns
    -------
    list of dict
        ``item``, ``topic``, ``links`` (list of (id, title)) and ``status`` (text
        when no section answers the item).
    """
    rows = []
    for item, topic, sections, fallback in ITEMS:
        links = [(s, present[s]) for s in sections if s in present]
        rows.append(
            {"item": item, "topic": topic, "links": links, "status": None if links else fallback}
        )
    return rows
