"""Qt-free domain logic: vocabularies, register store, cohort import, statistics, profiling.

Nothing in this package may import PySide6 (a test enforces it), so the command line and the
report renderers run with no display.
"""
