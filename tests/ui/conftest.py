"""Qt tests run offscreen unless a display platform is chosen explicitly (QT_QPA_PLATFORM)."""

from __future__ import annotations

import os

# Must happen before pytest-qt creates the QApplication.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
