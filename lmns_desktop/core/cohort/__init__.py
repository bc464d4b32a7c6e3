"""Cohort import: read, find the header, map columns, normalise, derive deprivation, check."""
