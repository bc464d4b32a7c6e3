"""LMNS Inclusion Health Desktop: Core20PLUS5 register, cohort equity profiling and reports."""

from __future__ import annotations

FALLBACK_VERSION = "0.1.0"


def __getattr__(name: str) -> str:
    # The version comes from the installed package's metadata, read only when asked:
    # importlib.metadata costs ~30 ms, which the window should not wait for.
    if name == "__version__":
        from importlib import metadata

        try:
            return metadata.version("lmns-desktop")
        except metadata.PackageNotFoundError:  # a source tree that is not installed
            return FALLBACK_VERSION
    raise AttributeError(name)
