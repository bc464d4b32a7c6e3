"""PySide6 user interface: the main window, its tabs, table models and background jobs.

GUI code holds no business logic: it calls ``lmns_desktop.core`` (in a worker thread when the
call may take long) and shows the result.
"""
