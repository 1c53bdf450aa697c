"""Benchmarks of riskml's kernels; run ``python -m benchmarks`` (``--full`` adds n = 500k)."""
