"""Reports: a Qt-free content model (blocks), templates that build it, and renderers.

``content`` and ``templates`` never import Qt; ``pdf`` uses ReportLab so the command line makes
PDFs with no display; ``html`` feeds Qt's print and preview.
"""
