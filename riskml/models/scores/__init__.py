"""Published risk scores with the riskml model contract."""

from ._equations import EQUATIONS, Equation
from .framingham import FraminghamScore, OutOfRangeWarning

__all__ = ["EQUATIONS", "Equation", "FraminghamScore", "OutOfRangeWarning"]
