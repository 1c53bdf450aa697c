"""ICD-10 code lists for MIMIC-IV, and code flags over admissions coded in ICD-9 or ICD-10.

MIMIC-IV holds ICD-9-CM codes (admissions before October 2015) and ICD-10-CM /
ICD-10-PCS codes (after), without dots, with ``icd_version`` 9 or 10. Each list
below is the ICD-10 counterpart of an ICD-9 list of :mod:`._icd9`, under the same
names, so that a flag means the same thing whichever revision coded the admission.
Every ICD-10-CM and ICD-10-PCS code named here was checked against MIMIC-IV's own
dictionaries (``d_icd_diagnoses``, ``d_icd_procedures``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._icd9 import (
    AMI_FLAGS,
    ELIXHAUSER_QUAN_ICD9,
    PROCEDURES,
    VAN_WALRAVEN_WEIGHTS,
    code_flags,
)

__all__ = [
    "AMI_FLAGS_ICD10",
    "AMI_TYPES",
    "ELIXHAUSER_QUAN_ICD10",
    "PROCEDURES_ICD10_PCS",
    "ami_type",
    "elixhauser_any_version",
    "flags_any_version",
]

# Quan H, Sundararajan V, Halfon P, et al. Med Care 2005;43(11):1130-1139, Table 2, column
# "ICD-10". Uncomplicated (I10.x) and complicated hypertension are one flag, as for ICD-9.
ELIXHAUSER_QUAN_ICD10 = {
    "congestive_heart_failure": (
        "I09.9, I11.0, I13.0, I13.2, I25.5, I42.0, I42.5-I42.9, I43.x, I50.x, P29.0"
    ),
    "cardiac_arrhythmias": (
        "I44.1-I44.3, I45.6, I45.9, I47.x-I49.x, R00.0, R00.1, R00.8, T82.1, Z45.0, Z95.0"
    ),
    "valvular_disease": ("A52.0, I05.x-I08.x, I09.1, I09.8, I34.x-I39.x, Q23.0-Q23.3, Z95.2-Z95.4"),
    "pulmonary_circulation": "I26.x, I27.x, I28.0, I28.8, I28.9",
    "peripheral_vascular": (
        "I70.x, I71.x, I73.1, I73.8, I73.9, I77.1, I79.0, I79.2, K55.1, K55.8, K55.9, Z95.8, Z95.9"
    ),
    "hypertension": "I10.x, I11.x-I13.x, I15.x",
    "paralysis": "G04.1, G11.4, G80.1, G80.2, G81.x, G82.x, G83.0-G83.4, G83.9",
    "other_neurological": (
        "G10.x-G13.x, G20.x-G22.x, G25.4, G25.5, G31.2, G31.8, G31.9, G32.x, G35.x-G37.x, "
        "G40.x, G41.x, G93.1, G93.4, R47.0, R56.x"
    ),
    "chronic_pulmonary": "I27.8, I27.9, J40.x-J47.x, J60.x-J67.x, J68.4, J70.1, J70.3",
    "diabetes_uncomplicated": (
        "E10.0, E10.1, E10.9, E11.0, E11.1, E11.9, E12.0, E12.1, E12.9, E13.0, E13.1, E13.9, "
        "E14.0, E14.1, E14.9"
    ),
    "diabetes_complicated": ("E10.2-E10.8, E11.2-E11.8, E12.2-E12.8, E13.2-E13.8, E14.2-E14.8"),
    "hypothyroidism": "E00.x-E03.x, E89.0",
    "renal_failure": "I12.0, I13.1, N18.x, N19.x, N25.0, Z49.0-Z49.2, Z94.0, Z99.2",
    "liver_disease": (
        "B18.x, I85.x, I86.4, I98.2, K70.x, K71.1, K71.3-K71.5, K71.7, K72.x-K74.x, K76.0, "
        "K76.2-K76.9, Z94.4"
    ),
    "peptic_ulcer": "K25.7, K25.9, K26.7, K26.9, K27.7, K27.9, K28.7, K28.9",
    "aids": "B20.x-B22.x, B24.x",
    "lymphoma": "C81.x-C85.x, C88.x, C96.x, C90.0, C90.2",
    "metastatic_cancer": "C77.x-C80.x",
    "solid_tumor": (
        "C00.x-C26.x, C30.x-C34.x, C37.x-C41.x, C43.x, C45.x-C58.x, C60.x-C76.x, C97.x"
    ),
    "rheumatoid_arthritis": (
        "L94.0, L94.1, L94.3, M05.x, M06.x, M08.x, M12.0, M12.3, M30.x, M31.0-M31.3, "
        "M32.x-M35.x, M45.x, M46.1, M46.8, M46.9"
    ),
    "coagulopathy": "D65-D68.x, D69.1, D69.3-D69.6",
    "obesity": "E66.x",
    "weight_loss": "E40.x-E46.x, R63.4, R64",
    "fluid_electrolyte": "E22.2, E86.x, E87.x",
    "blood_loss_anemia": "D50.0",
    "deficiency_anemias": "D50.8, D50.9, D51.x-D53.x",
    "alcohol_abuse": (
        "F10, E52, G62.1, I42.6, K29.2, K70.0, K70.3, K70.9, T51.x, Z50.2, Z71.4, Z72.1"
    ),
    "drug_abuse": "F11.x-F16.x, F18.x, F19.x, Z71.5, Z72.2",
    "psychoses": "F20.x, F22.x-F25.x, F28.x, F29.x, F30.2, F31.2, F31.5",
    "depression": "F20.4, F31.3-F31.5, F32.x, F33.x, F34.1, F41.2, F43.2",
}

# The AMI flags of ._icd9.AMI_FLAGS in ICD-10-CM: atrial fibrillation without flutter (I48.3,
# I48.4, I48.92 are flutter), ventricular tachycardia (I47.2x) or fibrillation (I49.01).
AMI_FLAGS_ICD10 = {
    "cardiogenic_shock": "R57.0",
    "vt_vf": "I47.2, I49.01",
    "afib": "I48.0, I48.1, I48.2, I48.91",
    "cardiac_arrest": "I46.x",
    "complete_av_block": "I44.2",
    "prior_cabg": "Z95.1",
    "prior_pci": "Z95.5, Z98.61",
    "old_mi": "I25.2",
    "hyperlipidemia": "E78.0-E78.5",
    "tobacco": "F17.x, Z72.0, Z87.891",
}

# The procedures of ._icd9.PROCEDURES in ICD-10-PCS (root operation and body part: 027 dilation
# and 02C extirpation of coronary arteries, 021 coronary bypass, B21 coronary fluoroscopy).
PROCEDURES_ICD10_PCS = {
    "pci": "0270-0273, 02C0, 02C1, 02C2, 02C3",
    "cabg": "0210-0213",
    "cardiac_cath": "4A023N6, 4A023N7, 4A023N8",
    "coronary_angiography": "B210-B213",
    "iabp": "5A02110, 5A02210",
    "thrombolysis": "3E03317, 3E04317, 3E05317, 3E06317, 3E07317, 3E08317",
    "mech_vent": "5A1935Z, 5A1945Z, 5A1955Z",
}

#: ``ami_type`` levels, by precedence (the first present names the admission).
AMI_TYPES = ("STEMI", "NSTEMI", "type2_or_other", "unspecified", "post_mi_syndrome")


def ami_type(code: pd.Series, version: pd.Series) -> np.ndarray:
    """The AMI type of dot-less index codes.

    ICD-9: 410.7x NSTEMI, 410.9x unspecified, 411.0 post-MI syndrome, other 410.x
    STEMI. ICD-10: I21.4 and I22.2 (subsequent) NSTEMI, I21.9 unspecified, I21.A1
    (type 2) and I21.A9 (other type) ``type2_or_other``, I24.1 (Dressler) post-MI
    syndrome, other I21.x and I22.x STEMI.

    Examples
    --------
    >>> import pandas as pd
    >>> ami_type(pd.Series(["41071", "I214", "I21A1", "I2101", "4110"]),
    ...          pd.Series([9, 10, 10, 10, 9])).tolist()
    ['NSTEMI', 'NSTEMI', 'type2_or_other', 'STEMI', 'post_mi_syndrome']
    """
    nine = (version == 9).to_numpy()
    code = code.to_numpy(dtype=object).astype(str)
    site9 = np.array([c[3:4] for c in code])
    return np.select(
        [
            nine & (code == "4110"),
            nine & (site9 == "7"),
            nine & (site9 == "9"),
            nine,
            code == "I241",
            np.isin(code, ["I214", "I222"]),
            code == "I219",
            np.char.startswith(code.astype("U"), "I21A"),
        ],
        ["post_mi_syndrome", "NSTEMI", "unspecified", "STEMI"]
        + ["post_mi_syndrome", "NSTEMI", "unspecified", "type2_or_other"],
        default="STEMI",
    )


def flags_any_version(codes: pd.DataFrame, icd9: dict, icd10: dict, keys) -> pd.DataFrame:
    """0/1 flags of each key from codes of either revision (``icd_code``, ``icd_version``).

    A key is flagged when one of its ICD-9 codes starts with a prefix of the ICD-9
    list or one of its ICD-10 codes with a prefix of the ICD-10 list. Every key in
    ``keys`` gets a row (0 where it has no code).
    """
    parts = []
    for version, definitions in ((9, icd9), (10, icd10)):
        rows = codes[codes["icd_version"] == version]
        part = code_flags(
            rows.rename(columns={"icd_code": "icd9_code"})[["hadm_id", "icd9_code"]],
            definitions,
        )
        parts.append(part.reindex(columns=list(definitions)))
    flags = pd.concat(parts).groupby(level=0).max()
    return flags.reindex(pd.Index(keys, name="hadm_id"), fill_value=0).fillna(0).astype(np.int64)


def elixhauser_any_version(diagnoses: pd.DataFrame, keys) -> pd.DataFrame:
    """Elixhauser comorbidities (Quan 2005, ICD-9-CM enhanced or ICD-10) and the van
    Walraven score, from ``hadm_id``, ``seq_num``, ``icd_code`` and ``icd_version``.

    The conventions of :func:`riskml.cohorts._icd9.elixhauser`: the principal
    diagnosis (``seq_num`` 1) is not counted, "diabetes, uncomplicated" is 0 when
    "complicated" is present and "solid tumour" is 0 when "metastatic cancer" is.

    References
    ----------
    Quan H, Sundararajan V, Halfon P, et al. Coding algorithms for defining
    comorbidities in ICD-9-CM and ICD-10 administrative data. Med Care.
    2005;43(11):1130-1139.

    van Walraven C, Austin PC, Jennings A, Quan H, Forster AJ. A modification of
    the Elixhauser comorbidity measures into a point system for hospital death
    using administrative data. Med Care. 2009;47(6):626-633.
    """
    secondary = diagnoses[pd.to_numeric(diagnoses["seq_num"], errors="coerce") != 1]
    flags = flags_any_version(secondary, ELIXHAUSER_QUAN_ICD9, ELIXHAUSER_QUAN_ICD10, keys)
    flags.loc[flags["diabetes_complicated"] == 1, "diabetes_uncomplicated"] = 0
    flags.loc[flags["metastatic_cancer"] == 1, "solid_tumor"] = 0
    weights = pd.Series(VAN_WALRAVEN_WEIGHTS)[flags.columns]
    score = flags.to_numpy() @ weights.to_numpy()
    flags = flags.add_prefix("elix_")
    flags["elixhauser_vanwalraven"] = score.astype(np.int64)
    return flags


def diagnosis_flags(diagnoses: pd.DataFrame, keys) -> pd.DataFrame:
    """The AMI-specific flags (any position) of each admission, ICD-9 or ICD-10."""
    return flags_any_version(diagnoses, AMI_FLAGS, AMI_FLAGS_ICD10, keys)


def procedure_flags(procedures: pd.DataFrame, keys) -> pd.DataFrame:
    """The cardiac procedure flags of each admission, ICD-9-CM or ICD-10-PCS."""
    return flags_any_version(procedures, PROCEDURES, PROCEDURES_ICD10_PCS, keys)
