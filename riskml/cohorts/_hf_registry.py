"""Heart-failure registry cohorts (GWTG-HF-like): the loader and a fast synthetic generator.

:func:`load_hf_registry` reads a registry export (CSV or Parquet) in the
``hf_registry`` schema and builds the outcome the study asks for: 30-day
all-cause readmission, with death before readmission handled as a competing
event by an explicit choice, or one-year mortality. :func:`make_hf_registry`
simulates such an export at Frizzell et al.'s scale (56,477 patients) in about
a second, with a known true risk.
"""

from __future__ import annotations

import numbers
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.special import expit

from ..outcome import Outcome, horizon_label
from ..utils.validation import check_option, check_random_state
from ._cohort import Cohort
from ._generators import with_missing
from ._schema import SchemaError, SchemaProblem, cohort_from_validated, load_schema, validate
from ._tables import read_table, warn_if_no_events

__all__ = ["load_hf_registry", "make_hf_registry"]

LABELS = ("readmit_30d", "death_1yr")
COMPETING = ("censor", "event", "exclude", "competing")

# --- generator constants ------------------------------------------------------------------
# Cause-specific Weibull hazards from discharge, h(t) = RATE * SHAPE * t**(SHAPE - 1) * exp(lp):
# readmission front-loaded (shape 0.7), death shape 0.72. RATE and the scale of each linear
# predictor were solved on simulated patients for 21.2% readmitted within
# 30 days with an oracle AUC of 0.64 (the true 30-day cumulative incidence against the observed
# label), and 33% dead within a year with an oracle AUC of 0.74 (bisection; covariates seed 1,
# events seed 2, n = 400,000; 7.1% dead within 30 days follows from the shape).
READMIT_SHAPE, READMIT_RATE, READMIT_SCALE = 0.70, 0.02243, 0.500
DEATH_SHAPE, DEATH_RATE, DEATH_SCALE = 0.72, 0.004747, 0.8065
HOSPITAL_SD = 0.15  # between-hospital SD of the log readmission hazard
N_HOSPITALS = 250
CLAIMS_END = np.datetime64("2011-12-31")
DISENROLL_PER_YEAR = 0.03  # leaving fee-for-service Medicare: censoring
MAX_FOLLOWUP = 1825.0
HISTORY = {  # checkbox: (prevalence, loadings on (frailty, renal, cardiac, age))
    "hx_hypertension": (0.75, (0.0, 0.3, 0.0, 0.0)),
    "hx_diabetes": (0.40, (0.1, 0.3, 0.0, -0.2)),
    "hx_cad": (0.55, (0.0, 0.1, 0.3, 0.1)),
    "hx_prior_mi": (0.25, (0.0, 0.1, 0.4, 0.1)),
    "hx_afib_flutter": (0.40, (0.1, 0.0, 0.1, 0.3)),
    "hx_copd_asthma": (0.30, (0.4, 0.0, 0.0, 0.0)),
    "hx_cva_tia": (0.15, (0.2, 0.0, 0.0, 0.3)),
    "hx_pvd": (0.12, (0.2, 0.2, 0.0, 0.1)),
    "hx_renal_insufficiency": (0.25, (0.1, 0.9, 0.0, 0.1)),
    "hx_dialysis": (0.04, (0.0, 1.3, 0.0, -0.2)),
    "hx_anemia": (0.20, (0.3, 0.4, 0.0, 0.1)),
    "hx_depression": (0.10, (0.4, 0.0, 0.0, 0.0)),
    "hx_smoking": (0.10, (0.2, 0.0, 0.0, -0.6)),
}
EF_GROUPS = ((0.39, 25.0, 7.0), (0.14, 45.0, 3.0), (0.47, 58.0, 6.0))  # share, mean, SD
MISSING = {  # MCAR rates (weight and BNP also depend on values: see make_hf_registry)
    "race": 0.01,
    "sbp_admit": 0.03,
    "hr_admit": 0.03,
    "rr_admit": 0.10,
    "sodium": 0.04,
    "bun": 0.04,
    "creatinine": 0.04,
    "hemoglobin": 0.10,
    "troponin_elevated": 0.35,
    "dc_acei_arb": 0.02,
    "dc_beta_blocker": 0.02,
    "dc_aldosterone_antagonist": 0.02,
    "dc_loop_diuretic": 0.02,
    "dc_anticoagulant": 0.02,
}


def _lognormal(rng, median, q1, q3, shift, n):
    sigma = (np.log(q3) - np.log(q1)) / (2 * 0.6744897501960817)
    return np.exp(np.log(median) + sigma * (shift + rng.normal(size=n) * np.sqrt(1 - 0.35**2)))


def _cif_readmission(lp_r, lp_d, horizon=30.0, nodes=24):
    """True cumulative incidence of readmission by ``horizon`` with death competing.

    CIF = integral over s in [0, H_r(horizon)] of exp(-s) * S_d(t(s)) ds, where
    s = H_r(t) is the readmission cumulative hazard (a smooth integrand), by
    Gauss-Legendre quadrature.
    """
    x, w = np.polynomial.legendre.leggauss(nodes)
    scale_r = READMIT_RATE * np.exp(lp_r)
    top = scale_r * horizon**READMIT_SHAPE
    s = 0.5 * top[:, None] * (x[None, :] + 1.0)
    t = (s / scale_r[:, None]) ** (1.0 / READMIT_SHAPE)
    survive_death = np.exp(-DEATH_RATE * np.exp(lp_d)[:, None] * t**DEATH_SHAPE)
    return 0.5 * top * ((np.exp(-s) * survive_death) @ w)


def _covariates(rng: np.random.Generator, n: int):
    """Predictors (file columns) and the raw linear predictors of both outcomes."""
    frailty, renal, cardiac = rng.normal(size=(3, n))
    age_z = np.clip(0.45 * frailty + rng.normal(size=n) * np.sqrt(1 - 0.45**2), -1.9, 3.0)
    age = np.round(80.0 + 8.0 * age_z, 0)
    female = rng.random(n) < expit(0.2 + 0.3 * age_z)
    race = np.array(["white", "black", "hispanic", "asian", "other"])[
        rng.choice(5, size=n, p=[0.80, 0.11, 0.05, 0.02, 0.02])
    ]
    data = {"age": age, "sex": np.where(female, "F", "M"), "race": race}
    _history(rng, n, data, frailty, renal, cardiac, age_z)
    bnp = _admission_values(rng, n, data, frailty, renal, cardiac, age_z, female)
    lvef = _ejection_fraction(rng, n, data, cardiac)
    los, snf = _discharge(rng, n, data, frailty, renal, cardiac, age_z, lvef)

    # sites: about 250, Zipf-sized
    sizes = 1.0 / np.arange(1, N_HOSPITALS + 1) ** 0.7
    hospital = rng.choice(N_HOSPITALS, size=n, p=sizes / sizes.sum())
    site_effect = rng.normal(0, HOSPITAL_SD, N_HOSPITALS)

    lp_r_raw, lp_d_raw = _linear_predictors(data, age, los, bnp)
    aux = {
        "lp_r_raw": lp_r_raw,
        "lp_d_raw": lp_d_raw,
        "hospital": hospital,
        "site_effect": site_effect,
        "age_z": age_z,
        "snf": snf,
        "bnp": bnp,
    }
    return data, aux


def _history(rng, n: int, data: dict, frailty, renal, cardiac, age_z) -> None:
    """The history checkboxes, each a threshold of the latent factors plus noise."""
    for name, (prevalence, loadings) in HISTORY.items():
        latent = (
            loadings[0] * frailty
            + loadings[1] * renal
            + loadings[2] * cardiac
            + loadings[3] * age_z
        )
        spread = np.sqrt(1 + sum(v**2 for v in loadings))
        data[name] = (latent + rng.normal(size=n) > spread * _probit(1 - prevalence)).astype(int)
    data["hx_dialysis"] &= data["hx_renal_insufficiency"] | (rng.random(n) < 0.2)


def _admission_values(rng, n: int, data: dict, frailty, renal, cardiac, age_z, female):
    """Admission vitals and labs; returns BNP before rounding."""
    data["sbp_admit"] = np.clip(np.round(142 - 9 * cardiac + rng.normal(0, 28, n)), 70, 250)
    data["hr_admit"] = np.clip(np.round(86 + 6 * cardiac + rng.normal(0, 19, n)), 35, 180)
    data["rr_admit"] = np.clip(np.round(21 + 1.5 * cardiac + rng.normal(0, 3.7, n)), 10, 44)
    data["weight_kg"] = np.clip(
        np.round(80 - 7 * age_z - 9 * female + rng.normal(0, 19, n), 1), 36, 199
    )
    data["sodium"] = np.clip(np.round(137 - 1.6 * cardiac + rng.normal(0, 4.2, n)), 116, 159)
    data["bun"] = np.clip(
        np.round(_lognormal(rng, 28, 19, 42, 0.6 * renal + 0.15 * cardiac, n)), 4, 149
    )
    data["creatinine"] = np.clip(
        np.round(_lognormal(rng, 1.4, 1.0, 1.9, 0.7 * renal - 0.25 * female, n), 2), 0.4, 11.9
    )
    data["hemoglobin"] = np.clip(
        np.round(11.8 - 0.6 * renal - 0.3 * frailty - 0.7 * female + rng.normal(0, 1.6, n), 1),
        6.1,
        17.9,
    )
    bnp = np.clip(_lognormal(rng, 1000, 480, 2000, 0.55 * cardiac, n), 11, 34900)
    data["bnp"] = np.round(bnp)
    data["troponin_elevated"] = (rng.random(n) < expit(-1.2 + 0.6 * cardiac)).astype(float)
    return bnp


def _ejection_fraction(rng, n: int, data: dict, cardiac) -> np.ndarray:
    """LVEF from a mixture of reduced, borderline and preserved groups, and its category."""
    group = rng.choice(3, size=n, p=[g[0] for g in EF_GROUPS])
    means = np.array([g[1] for g in EF_GROUPS])[group]
    sds = np.array([g[2] for g in EF_GROUPS])[group]
    lvef = np.clip(np.round(means + sds * rng.normal(size=n) - 2 * cardiac), 10, 80)
    data["lvef_pct"] = lvef
    data["ef_category"] = np.where(
        lvef < 40, "reduced", np.where(lvef < 50, "borderline", "preserved")
    )
    return lvef


def _discharge(rng, n: int, data: dict, frailty, renal, cardiac, age_z, lvef):
    """Length of stay, disposition, discharge medications and prior admissions; returns the
    length of stay and who went to a skilled nursing facility."""
    los = np.clip(np.round(_lognormal(rng, 4, 3, 6, 0.4 * cardiac + 0.2 * frailty, n)), 1, 30)
    data["los_days"] = los.astype(int)
    snf_share = expit(-1.9 + 0.6 * frailty + 0.5 * age_z)
    u = rng.random(n)
    data["discharge_disposition"] = np.where(
        u < snf_share,
        "snf",
        np.where(
            u < snf_share + 0.02,
            "other",
            np.where(u < snf_share + 0.02 + 0.25, "home_health", "home"),
        ),
    )
    reduced = lvef < 40
    afib = data["hx_afib_flutter"] == 1
    for name, p_yes, p_contra in (
        ("dc_acei_arb", np.where(reduced, 0.80, 0.55), 0.04 + 0.08 * (renal > 1)),
        ("dc_beta_blocker", np.where(reduced, 0.88, 0.74), 0.03),
        ("dc_aldosterone_antagonist", np.where(reduced, 0.42, 0.13), 0.03 + 0.08 * (renal > 1)),
        ("dc_loop_diuretic", 0.85, 0.01),
        ("dc_anticoagulant", np.where(afib, 0.70, 0.10), 0.05),
    ):
        v = rng.random(n)
        data[name] = np.where(
            v < p_contra,
            "contraindicated",
            np.where(v < p_contra + (1 - p_contra) * p_yes, "yes", "no"),
        )
    data["prior_admissions_12mo"] = np.minimum(
        rng.poisson(np.exp(0.35 * frailty + 0.25 * cardiac + 0.15 * renal)), 12
    )
    return los, u < snf_share


def _linear_predictors(data: dict, age, los, bnp):
    """The raw (uncentred) linear predictors of readmission and death."""

    def c(x, mean, sd):  # centring and scaling for the linear predictors
        return (x - mean) / sd

    lp_r_raw = (
        0.55 * c(np.log1p(data["prior_admissions_12mo"]), 0.62, 0.45)
        + 0.20 * data["hx_renal_insufficiency"]
        + 0.15 * data["hx_copd_asthma"]
        + 0.15 * data["hx_diabetes"]
        + 0.10 * data["hx_depression"]
        + 0.10 * data["hx_anemia"]
        + 0.20 * c(np.log(data["bun"]), 3.35, 0.55)
        - 0.15 * c(data["hemoglobin"], 11.8, 1.9)
        + 0.15 * c(np.log(los), 1.4, 0.5)
        - 0.10 * c(data["sbp_admit"], 142, 30)
        + 0.15 * (data["discharge_disposition"] == "home_health")
        - 0.05 * c(age, 80, 8)
        + 0.10 * c(np.log(bnp), 6.9, 1.0)
    )
    lp_d_raw = (
        0.45 * c(age, 80, 8)
        + 0.30 * c(np.log(data["bun"]), 3.35, 0.55)
        - 0.30 * c(data["sbp_admit"], 142, 30)
        - 0.20 * c(data["sodium"], 137, 4.5)
        - 0.15 * c(data["hemoglobin"], 11.8, 1.9)
        + 0.30 * c(np.log(bnp), 6.9, 1.0)
        + 0.35 * (data["discharge_disposition"] == "snf")
        + 0.20 * data["hx_copd_asthma"]
        + 0.25 * data["hx_dialysis"]
        - 0.15 * c(data["weight_kg"], 80, 20)
        + 0.15 * data["troponin_elevated"]
        + 0.10 * c(np.log1p(data["prior_admissions_12mo"]), 0.62, 0.45)
    )
    return lp_r_raw, lp_d_raw


def _events(rng: np.random.Generator, data: dict, aux: dict):
    """Readmission and death (first event wins), follow-up, and the true risks."""
    n = len(aux["lp_r_raw"])
    los = data["los_days"]
    lp_r = READMIT_SCALE * (aux["lp_r_raw"] - 0.35) + aux["site_effect"][aux["hospital"]]
    lp_d = DEATH_SCALE * (aux["lp_d_raw"] - 0.2)
    t_r = (rng.exponential(size=n) / (READMIT_RATE * np.exp(lp_r))) ** (1 / READMIT_SHAPE)
    t_d = (rng.exponential(size=n) / (DEATH_RATE * np.exp(lp_d))) ** (1 / DEATH_SHAPE)
    year = rng.integers(2005, 2011, n)
    start = (year - 1970).astype("datetime64[Y]").astype("datetime64[D]")
    day_of_year = rng.integers(0, 365, n)
    discharge = start + day_of_year.astype("timedelta64[D]")
    admit = discharge - los.astype(int).astype("timedelta64[D]")
    to_end = (CLAIMS_END - discharge).astype(float)
    disenroll = rng.exponential(365.25 / DISENROLL_PER_YEAR, n)
    followup = np.ceil(np.minimum(np.minimum(to_end, disenroll), MAX_FOLLOWUP))
    followup = np.maximum(followup, 1.0)
    death_day = np.ceil(t_d)
    death_event = death_day <= followup
    death_time = np.where(death_event, death_day, followup)
    readmit_day = np.ceil(t_r)
    readmit_event = (t_r < t_d) & (readmit_day <= followup)
    readmit_time = np.where(readmit_event, readmit_day, death_time)
    data.update(
        {
            "readmit_30d": (readmit_event & (readmit_time <= 30)).astype(int),
            "readmit_time_days": readmit_time,
            "readmit_event": readmit_event.astype(int),
            "death_30d": (death_event & (death_time <= 30)).astype(int),
            "death_1yr": horizon_label(death_time, death_event, 365.0),
            "death_time_days": death_time,
            "death_event": death_event.astype(int),
            "followup_days": followup,
            "admit_date": np.datetime_as_string(admit, unit="D"),
            "discharge_date": np.datetime_as_string(discharge, unit="D"),
            "discharge_year": year,
        }
    )
    return {
        "readmit_30d": _cif_readmission(lp_r, lp_d),
        "death_1yr": 1 - np.exp(-DEATH_RATE * np.exp(lp_d) * 365.0**DEATH_SHAPE),
    }


def _simulate(rng: np.random.Generator, n: int):
    """The registry table (file-shaped) and the true risks."""
    data, aux = _covariates(rng, n)
    risk = _events(rng, data, aux)
    age_z, bnp = aux["age_z"], aux["bnp"]

    def c(x, mean, sd):
        return (x - mean) / sd

    # missingness: MCAR at the schema rates; weight more often missing in older and nursing-
    # home patients (MAR), BNP more often missing when it is low (not at random)
    for name, rate in MISSING.items():
        data[name] = with_missing(data[name], rng.random(n) < rate)
    data["weight_kg"] = with_missing(
        data["weight_kg"], rng.random(n) < expit(-2.2 + 0.4 * age_z + 0.6 * aux["snf"])
    )
    data["bnp"] = with_missing(
        data["bnp"], rng.random(n) < expit(-0.85 - 0.5 * c(np.log(bnp), 6.9, 1.0))
    )
    no_lvef = rng.random(n) < 0.08
    data["lvef_pct"] = with_missing(data["lvef_pct"], no_lvef)
    data["ef_category"] = with_missing(data["ef_category"], no_lvef & (rng.random(n) < 0.625))

    frame = pd.DataFrame({"patient_id": np.arange(1, n + 1), "hospital_id": aux["hospital"] + 1})
    schema = load_schema("hf_registry")
    for spec in schema.columns:
        if spec.name in data:
            frame[spec.name] = data[spec.name]
    return frame, risk


def _probit(p):
    from scipy.special import ndtri

    return ndtri(p)


def _outcome(validated: pd.DataFrame, label: str, competing_death: str):
    """The Outcome, its horizon and the rows kept, for the label and competing-death choice."""
    keep = np.ones(len(validated), dtype=bool)
    if label == "death_1yr":
        time = np.minimum(validated["death_time_days"].to_numpy(float), 365.0)
        event = validated["death_1yr"].fillna(0).to_numpy(float) == 1
        return Outcome.survival(time, event, name="death_1yr"), 365.0, keep
    readmit = validated["readmit_30d"].to_numpy(float) == 1
    died = validated["death_30d"].to_numpy(float) == 1
    time = np.minimum(validated["readmit_time_days"].to_numpy(float), 30.0)
    if competing_death == "exclude":
        # not evaluable at day 30: died first, or (rarely) left follow-up before day 30
        keep = ~np.isnan(Outcome.survival(time, readmit).at_horizon(30.0))
        return Outcome.binary(readmit[keep], name="readmit_30d"), None, keep
    if competing_death == "event":
        return Outcome.survival(time, readmit | died, name="readmit_or_death_30d"), 30.0, keep
    if competing_death == "competing":
        # readmit_time_days holds the death time of a patient who died without readmission
        event_type = np.where(readmit, 1, np.where(died, 2, 0))
        return Outcome.competing(time, event_type, name="readmit_30d"), 30.0, keep
    return Outcome.survival(time, readmit, name="readmit_30d"), 30.0, keep


def _cohort(frame, label, competing_death, units, name, source) -> Cohort:
    frame = frame.copy()
    if "admit_date" in frame.columns and "discharge_date" in frame.columns:
        admit = pd.to_datetime(frame["admit_date"], format="ISO8601", errors="coerce")
        discharge = pd.to_datetime(frame["discharge_date"], format="ISO8601", errors="coerce")
        frame["length_of_stay_from_dates"] = (discharge - admit).dt.days
    validated = validate(frame, "hf_registry", units=units)
    _check_day0_readmissions(validated)
    outcome, horizon, keep = _outcome(validated, label, competing_death)
    competing = int(((validated["death_30d"] == 1) & (validated["readmit_30d"] == 0)).sum())
    validated = validated[keep].reset_index(drop=True)
    cohort = cohort_from_validated(
        validated,
        "hf_registry",
        outcome,
        name=name,
        horizon=horizon,
        source=f"{source}; label {label}, competing_death {competing_death}",
    )
    cohort.label = label
    cohort.competing_death = competing_death
    cohort.competing_deaths_30d = competing
    warn_if_no_events(cohort, source)
    return cohort


def _check_day0_readmissions(validated: pd.DataFrame) -> None:
    """A readmission on the day of discharge is a transfer or the same stay: refuse it."""
    if "readmit_time_days" not in validated or "readmit_event" not in validated:
        return
    time = validated["readmit_time_days"].to_numpy(float)
    with np.errstate(invalid="ignore"):
        day0 = (validated["readmit_event"].to_numpy(float) == 1) & (time < 1)
    if not day0.any():
        return
    ids = validated["patient_id"].to_numpy()[day0] if "patient_id" in validated else ()
    raise SchemaError(
        [
            SchemaProblem(
                column="readmit_time_days, readmit_event",
                rule="a readmission starts at least 1 day after discharge",
                n_rows=int(day0.sum()),
                row_ids=tuple(v.item() if hasattr(v, "item") else v for v in ids[:5]),
                id_label="patient_id" if len(ids) else "row position",
                detail="readmit_time_days is 0 with readmit_event = 1: a readmission on the "
                "day of discharge is a transfer or a continuation of the index stay, not a "
                "readmission (CMS counts same-day returns as one stay).",
                fix="merge these returns into the index hospitalization and take the next "
                "readmission (or none) as the outcome; if the day count starts at the "
                "admission instead of the discharge, recompute it from the discharge date.",
            )
        ],
        "hf_registry",
    )


def load_hf_registry(path, *, label="readmit_30d", competing_death="censor", units=None) -> Cohort:
    """Load and validate a heart-failure registry export (``hf_registry`` schema).

    Parameters
    ----------
    path : str or path-like
        A CSV (optionally compressed) or Parquet file, one row per index
        hospitalization, with the columns of ``load_schema("hf_registry")``. Only
        read, never written.
    label : {"readmit_30d", "death_1yr"}, default="readmit_30d"
        30-day all-cause readmission (Frizzell et al. 2017), or death within 365
        days of discharge.
    competing_death : {"censor", "event", "exclude", "competing"}, default="censor"
        How a death within 30 days that came before any readmission counts for
        ``readmit_30d`` (a competing event; the file holds the death time):

        * ``"censor"``: the patient is censored at death (cause-specific view).
          The outcome is time to readmission within 30 days (administratively
          censored at day 30) with ``horizon`` 30; a binary model trained at
          the horizon leaves such patients out as not evaluable, a Cox model treats
          them as censored.
        * ``"event"``: death counts as an event (the composite "readmission or
          death within 30 days", as in Eapen et al. 2013).
        * ``"exclude"``: these patients (and the few whose follow-up ended before
          day 30 without a readmission) are dropped and the outcome is the binary
          ``readmit_30d`` of the others.
        * ``"competing"``: death is a competing event
          (:meth:`~riskml.Outcome.competing`: event type 1 readmission, 2 death
          before readmission, 0 censored; administratively censored at day 30,
          ``horizon`` 30). Models then estimate the cumulative incidence of
          readmission, and the metrics count a death by day 30 as a known
          non-readmission weighted for censoring (van Geloven et al. 2022).

        Counting them as "not readmitted" (0) is deliberately not offered: it
        rewards a model for predicting early death as low readmission risk.
        Ignored for ``label="death_1yr"``.
    units : None, "SI" or dict, optional
        Units of columns not in riskml's canonical units, e.g.
        ``{"creatinine": "umol/L", "hemoglobin": "g/L"}``; see
        :func:`~riskml.cohorts.validate`.

    Returns
    -------
    cohort : Cohort
        ids = ``patient_id``, groups = ``hospital_id`` (for hospital-clustered
        validation), the schema's 40 candidate predictors, the outcome described
        above, ``cohort.outcomes`` (every outcome column), ``cohort.context``
        (dates), ``label``, ``competing_death`` and ``competing_deaths_30d`` (how
        many patients died within 30 days without a readmission first).

    Raises
    ------
    SchemaError
        When the file breaks the schema: every problem listed with the column,
        the rule, the row count, the first ``patient_id`` values and the fix (an
        unconverted creatinine in umol/L, an empty history checkbox, an impossible
        date, a readmission after death, ...).

    References
    ----------
    Frizzell JD, Liang L, Schulte PJ, et al. Prediction of 30-day all-cause
    readmissions in patients hospitalized for heart failure: comparison of
    machine learning and other statistical approaches. JAMA Cardiol.
    2017;2(2):204-209.

    Eapen ZJ, Liang L, Fonarow GC, et al. Validated, electronic health record
    deployable prediction models for assessing patient risk of 30-day
    rehospitalization and mortality in older heart failure patients. JACC Heart
    Fail. 2013;1(3):245-251.

    van Geloven N, Giardiello D, Bonneville EF, et al. Validation of prediction
    models in the presence of competing risks: a guide through modern methods. BMJ
    2022;377:e069249.

    Examples
    --------
    >>> import riskml as rk
    >>> cohort = rk.cohorts.load_hf_registry("registry.parquet", competing_death="exclude")  # doctest: +SKIP
    """
    check_option(label, "label", LABELS, "load_hf_registry")
    check_option(competing_death, "competing_death", COMPETING, "load_hf_registry")
    frame = read_table(path)
    return _cohort(
        frame,
        label,
        competing_death,
        units,
        "hf_registry",
        f"{Path(path).name} (hf_registry schema)",
    )


def make_hf_registry(
    n_patients=56477,
    *,
    random_state=0,
    return_frame=False,
    label="readmit_30d",
    competing_death="censor",
):
    """A synthetic heart-failure registry like Frizzell et al. 2017's (GWTG-HF + Medicare).

    Parameters
    ----------
    n_patients : int, default=56477
        Index hospitalizations (Frizzell et al. had 56,477).
    random_state : int, numpy.random.Generator or None, default=0
    return_frame : bool, default=False
        Return the export as a file would hold it (with ids, dates and every
        outcome column) instead of a :class:`Cohort`.
    label, competing_death : str
        As in :func:`load_hf_registry`.

    Returns
    -------
    cohort : Cohort or pandas.DataFrame
        Built by the same code as :func:`load_hf_registry`. Extra attributes:
        ``true_risk`` (the true probability of the chosen label: the cumulative
        incidence of readmission by day 30 with death competing, or of death by
        day 365) and ``true_risks`` (a DataFrame of both, by row).

    Notes
    -----
    Three latent factors (frailty, renal, cardiac) correlate the columns: 13
    history checkboxes (never missing), admission vitals and labs (BUN and
    creatinine log-normal), an ejection-fraction mixture (39% reduced, 14%
    borderline, 47% preserved; Cheng et al. 2014) with ``ef_category`` derived
    from it, length of stay, disposition, discharge medications gated by EF and
    atrial fibrillation, and prior admissions. Readmission and death have
    cause-specific Weibull hazards from discharge (shapes 0.70 and 0.72) with a
    hospital random effect on readmission (SD 0.15, 250 Zipf-sized sites); the
    first event wins. Follow-up ends at the end of 2011 claims (at most five
    years) or at disenrollment (3% a year). Calibrated to 21.2% readmitted within
    30 days (oracle AUC 0.64, so fitted models reach C of about 0.60-0.63),
    about 6.5% dead within 30 days and 33% within a year (oracle AUC 0.74).
    Missingness is MCAR at the schema's rates, except weight (more often missing
    in older and nursing-home patients: MAR), BNP (more often missing when low:
    not at random) and ``ef_category`` (present for 37.5% of those without a
    measured LVEF).

    References
    ----------
    Frizzell JD, Liang L, Schulte PJ, et al. JAMA Cardiol. 2017;2(2):204-209.

    Cheng RK, Cox M, Neely ML, et al. Outcomes in patients with heart failure with
    preserved, borderline, and reduced ejection fraction in the Medicare
    population. Am Heart J. 2014;168(5):721-730.

    Examples
    --------
    >>> from riskml.cohorts import make_hf_registry
    >>> cohort = make_hf_registry(n_patients=2000, random_state=0)
    >>> len(cohort), cohort.horizon
    (2000, 30.0)
    """
    if (
        isinstance(n_patients, bool)
        or not isinstance(n_patients, numbers.Integral)
        or n_patients < 1
    ):
        raise ValueError(
            "The 'n_patients' parameter of make_hf_registry must be an int in the range "
            f"[1, inf). Got {n_patients!r} instead."
        )
    check_option(label, "label", LABELS, "make_hf_registry")
    check_option(competing_death, "competing_death", COMPETING, "make_hf_registry")
    rng = check_random_state(random_state, "make_hf_registry")
    frame, risk = _simulate(rng, int(n_patients))
    if return_frame:
        return frame
    cohort = _cohort(
        frame,
        label,
        competing_death,
        None,
        "hf_registry_synthetic",
        f"synthetic: riskml.cohorts.make_hf_registry(n_patients={n_patients}, "
        f"random_state={random_state!r})",
    )
    risks = pd.DataFrame(risk)
    if label == "readmit_30d" and competing_death == "exclude":
        keep = np.isin(frame["patient_id"].to_numpy(), cohort.ids)
        risks = risks[keep].reset_index(drop=True)
    cohort.true_risks = risks
    cohort.true_risk = risks[label].to_numpy()
    return cohort
