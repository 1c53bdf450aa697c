"""Published risk scores with the riskml model contract."""

from .framingham import FraminghamScore, OutOfRangeWarning

__all__ = ["FraminghamScore", "OutOfRangeWarning"]
