"""Test-wide settings, applied before any notebook kernel starts (kernels inherit the environment)."""

import os

os.environ.setdefault("COURSE_PROFILE", "ci")  # `make test` sets it too; this covers a bare `pytest`
os.environ.setdefault("MPLBACKEND", "Agg")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
