"""Generated Designer forms (see ui/)."""
