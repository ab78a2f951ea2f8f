# SPDX-License-Identifier: MIT
"""minivmm's benchmark suite: measurement (run.py) and reporting (render.py)
kept apart, joined only by one JSON results file per run (results.py)."""
