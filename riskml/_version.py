"""riskml's version, in the bottom layer so that any module can read it without importing
the package's ``__init__`` (which re-exports from every layer)."""

__version__ = "0.1.0.dev0"
