"""LMNS Inclusion Health Desktop: Core20PLUS5 register, cohort equity profiling and reports."""

from __future__ import annotations

from importlib import metadata

try:
    __version__ = metadata.version("lmns-desktop")
except metadata.PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.1.0"
