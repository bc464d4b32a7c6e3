"""Report tests: the shared sample reports live in ``report_samples`` beside this file."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
