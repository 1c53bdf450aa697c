"""ICD-9-CM code lists: Elixhauser comorbidities (Quan 2005), AMI flags and cardiac procedures.

Codes are written as in the published tables, with the dot (``425.4-425.9``,
``394.x-397.x``, ``V42.2``); :func:`prefixes` turns one entry into the dot-less
prefixes that MIMIC-III stores (``'4254'``, ..., ``'394'``, ``'V422'``). A code
belongs to a category when it starts with one of the category's prefixes.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = [
    "AMI_FLAGS",
    "ELIXHAUSER_QUAN_ICD9",
    "PROCEDURES",
    "VAN_WALRAVEN_WEIGHTS",
    "code_flags",
    "elixhauser",
    "prefixes",
]

# Quan H, Sundararajan V, Halfon P, et al. Coding algorithms for defining comorbidities in
# ICD-9-CM and ICD-10 administrative data. Med Care 2005;43(11):1130-1139, Table 2, column
# "Enhanced ICD-9-CM". Uncomplicated and complicated hypertension are merged into one flag,
# as in MIT-LCP/mimic-code's elixhauser_quan concept.
ELIXHAUSER_QUAN_ICD9 = {
    "congestive_heart_failure": (
        "398.91, 402.01, 402.11, 402.91, 404.01, 404.03, 404.11, 404.13, 404.91, 404.93, "
        "425.4-425.9, 428.x"
    ),
    "cardiac_arrhythmias": (
        "426.0, 426.13, 426.7, 426.9, 426.10, 426.12, 427.0-427.4, 427.6-427.9, 785.0, "
        "996.01, 996.04, V45.0, V53.3"
    ),
    "valvular_disease": "093.2, 394.x-397.x, 424.x, 746.3-746.6, V42.2, V43.3",
    "pulmonary_circulation": "415.0, 415.1, 416.x, 417.0, 417.8, 417.9",
    "peripheral_vascular": ("093.0, 437.3, 440.x, 441.x, 443.1-443.9, 447.1, 557.1, 557.9, V43.4"),
    "hypertension": "401.x, 402.x-405.x",
    "paralysis": "334.1, 342.x, 343.x, 344.0-344.6, 344.9",
    "other_neurological": (
        "331.9, 332.0, 332.1, 333.4, 333.5, 333.92, 334.x-335.x, 336.2, 340.x, 341.x, 345.x, "
        "348.1, 348.3, 780.3, 784.3"
    ),
    "chronic_pulmonary": "416.8, 416.9, 490.x-505.x, 506.4, 508.1, 508.8",
    "diabetes_uncomplicated": "250.0-250.3",
    "diabetes_complicated": "250.4-250.9",
    "hypothyroidism": "240.9, 243.x, 244.x, 246.1, 246.8",
    "renal_failure": (
        "403.01, 403.11, 403.91, 404.02, 404.03, 404.12, 404.13, 404.92, 404.93, 585.x, 586.x, "
        "588.0, V42.0, V45.1, V56.x"
    ),
    "liver_disease": (
        "070.22, 070.23, 070.32, 070.33, 070.44, 070.54, 070.6, 070.9, 456.0-456.2, 570.x, "
        "571.x, 572.2-572.8, 573.3, 573.4, 573.8, 573.9, V42.7"
    ),
    "peptic_ulcer": "531.7, 531.9, 532.7, 532.9, 533.7, 533.9, 534.7, 534.9",
    "aids": "042.x-044.x",
    "lymphoma": "200.x-202.x, 203.0, 238.6",
    "metastatic_cancer": "196.x-199.x",
    "solid_tumor": "140.x-172.x, 174.x-195.x",
    "rheumatoid_arthritis": (
        "446.x, 701.0, 710.0-710.4, 710.8, 710.9, 711.2, 714.x, 719.3, 720.x, 725.x, 728.5, "
        "728.89, 729.30"
    ),
    "coagulopathy": "286.x, 287.1, 287.3-287.5",
    "obesity": "278.0",
    "weight_loss": "260.x-263.x, 783.2, 799.4",
    "fluid_electrolyte": "253.6, 276.x",
    "blood_loss_anemia": "280.0",
    "deficiency_anemias": "280.1-280.9, 281.x",
    "alcohol_abuse": (
        "265.2, 291.1-291.3, 291.5-291.9, 303.0, 303.9, 305.0, 357.5, 425.5, 535.3, "
        "571.0-571.3, 980.x, V11.3"
    ),
    "drug_abuse": "292.x, 304.x, 305.2-305.9, V65.42",
    "psychoses": "293.8, 295.x, 296.04, 296.14, 296.44, 296.54, 297.x, 298.x",
    "depression": "296.2, 296.3, 296.5, 300.4, 309.x, 311",
}

# van Walraven C, Austin PC, Jennings A, Quan H, Forster AJ. A modification of the Elixhauser
# comorbidity measures into a point system for hospital death using administrative data.
# Med Care 2009;47(6):626-633, Table 2 (hypertension, complicated or not, scores 0).
VAN_WALRAVEN_WEIGHTS = {
    "congestive_heart_failure": 7,
    "cardiac_arrhythmias": 5,
    "valvular_disease": -1,
    "pulmonary_circulation": 4,
    "peripheral_vascular": 2,
    "hypertension": 0,
    "paralysis": 7,
    "other_neurological": 6,
    "chronic_pulmonary": 3,
    "diabetes_uncomplicated": 0,
    "diabetes_complicated": 0,
    "hypothyroidism": 0,
    "renal_failure": 5,
    "liver_disease": 11,
    "peptic_ulcer": 0,
    "aids": 0,
    "lymphoma": 9,
    "metastatic_cancer": 12,
    "solid_tumor": 4,
    "rheumatoid_arthritis": 0,
    "coagulopathy": 3,
    "obesity": -4,
    "weight_loss": 6,
    "fluid_electrolyte": 5,
    "blood_loss_anemia": -2,
    "deficiency_anemias": -2,
    "alcohol_abuse": 0,
    "drug_abuse": -7,
    "psychoses": 0,
    "depression": -3,
}

# AMI-specific diagnosis flags (standard ICD-9-CM; study_designs.md section 2.1).
AMI_FLAGS = {
    "cardiogenic_shock": "785.51",
    "vt_vf": "427.1, 427.41",
    "afib": "427.31",
    "cardiac_arrest": "427.5",
    "complete_av_block": "426.0",
    "prior_cabg": "V45.81",
    "prior_pci": "V45.82",
    "old_mi": "412",
    "hyperlipidemia": "272.0-272.4",
    "tobacco": "305.1, V15.82",
}

# ICD-9-CM procedure codes (two-digit categories: 36.1x is stored as '361x').
PROCEDURES = {
    "pci": "00.66, 36.01, 36.02, 36.05-36.07",
    "cabg": "36.1x",
    "cardiac_cath": "37.21-37.23",
    "coronary_angiography": "88.55-88.57",
    "iabp": "37.61",
    "thrombolysis": "99.10",
    "mech_vent": "96.70-96.72",
}


def _undot(code: str) -> str:
    """'425.4' -> '4254', '428.x' -> '428', '36.1x' -> '361' (x: any further digits)."""
    return code.strip().upper().replace(".", "").rstrip("X")


def prefixes(spec: str) -> tuple[str, ...]:
    """The dot-less code prefixes of a comma-separated list of codes and ranges.

    Examples
    --------
    >>> prefixes("425.4-425.6, 428.x, V42.2")
    ('4254', '4255', '4256', '428', 'V422')
    """
    out = []
    for part in spec.split(","):
        part = part.strip()
        if not part:
            continue
        if "-" in part:
            low, high = (_undot(p) for p in part.split("-"))
            letter = low[0] if low[0].isalpha() else ""
            if len(low) != len(high) or high[: len(letter)] != letter:
                raise ValueError(f"cannot expand the code range {part!r}.")
            width = len(low) - len(letter)
            for value in range(int(low[len(letter) :]), int(high[len(letter) :]) + 1):
                out.append(letter + str(value).zfill(width))
        else:
            out.append(_undot(part))
    return tuple(out)


def code_flags(codes: pd.DataFrame, definitions: dict, *, key: str = "hadm_id") -> pd.DataFrame:
    """One 0/1 column per definition: does any of a key's codes start with its prefixes?

    Parameters
    ----------
    codes : DataFrame
        Columns ``key`` and ``icd9_code`` (dot-less strings), one row per code.
    definitions : dict
        Flag name -> code list as :func:`prefixes` reads it.

    Returns
    -------
    flags : DataFrame
        Indexed by ``key`` (every key present in ``codes``), int 0/1 columns.
    """
    clean = codes.assign(icd9_code=codes["icd9_code"].astype(str).str.strip().str.upper())
    unique = pd.Index(clean["icd9_code"].unique())
    per_code = pd.DataFrame(index=unique)
    for name, spec in definitions.items():
        per_code[name] = unique.str.startswith(prefixes(spec)) if len(unique) else []
    joined = per_code.loc[clean["icd9_code"]].set_axis(clean.index)
    joined[key] = clean[key].to_numpy()
    flags = joined.groupby(key, sort=True).max()
    return flags.astype(np.int64)


def elixhauser(diagnoses: pd.DataFrame, *, key: str = "hadm_id") -> pd.DataFrame:
    """Elixhauser comorbidities (Quan 2005 enhanced ICD-9-CM) and the van Walraven score.

    Follows MIT-LCP/mimic-code's ``elixhauser_quan`` conventions: the principal
    diagnosis (``seq_num`` 1) is not counted, uncomplicated and complicated
    hypertension are one flag, "diabetes, uncomplicated" is 0 when "complicated"
    is present and "solid tumour" is 0 when "metastatic cancer" is present.

    Parameters
    ----------
    diagnoses : DataFrame
        Columns ``key``, ``seq_num`` and ``icd9_code``.

    Returns
    -------
    DataFrame
        Indexed by ``key`` (every key in ``diagnoses``): ``elix_<name>`` 0/1 columns and
        ``elixhauser_vanwalraven``.

    References
    ----------
    Quan H, Sundararajan V, Halfon P, et al. Coding algorithms for defining
    comorbidities in ICD-9-CM and ICD-10 administrative data. Med Care.
    2005;43(11):1130-1139.

    van Walraven C, Austin PC, Jennings A, Quan H, Forster AJ. A modification of
    the Elixhauser comorbidity measures into a point system for hospital death
    using administrative data. Med Care. 2009;47(6):626-633.
    """
    keys = pd.Index(diagnoses[key].unique()).sort_values()
    secondary = diagnoses[pd.to_numeric(diagnoses["seq_num"], errors="coerce") != 1]
    flags = code_flags(secondary, ELIXHAUSER_QUAN_ICD9, key=key).reindex(keys, fill_value=0)
    flags.loc[flags["diabetes_complicated"] == 1, "diabetes_uncomplicated"] = 0
    flags.loc[flags["metastatic_cancer"] == 1, "solid_tumor"] = 0
    weights = pd.Series(VAN_WALRAVEN_WEIGHTS)[flags.columns]
    score = flags.to_numpy() @ weights.to_numpy()
    flags = flags.add_prefix("elix_")
    flags["elixhauser_vanwalraven"] = score.astype(np.int64)
    flags.index.name = key
    return flags
