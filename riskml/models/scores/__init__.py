"""Published risk scores with the riskml model contract."""

from ._definition import PublishedModelError, bundled_names
from ._equations import EQUATIONS, Equation
from ._published import PublishedModel, published_model
from .framingham import FraminghamScore, OutOfRangeWarning

__all__ = [
    "EQUATIONS",
    "Equation",
    "FraminghamScore",
    "OutOfRangeWarning",
    "PublishedModel",
    "PublishedModelError",
    "bundled_names",
    "published_model",
]
