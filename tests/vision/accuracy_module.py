"""Loads benchmarks/accuracy.py as a module, so tests and the benchmark share one evaluation."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

ACCURACY_PY = Path(__file__).resolve().parents[2] / "benchmarks" / "accuracy.py"


def load_accuracy() -> ModuleType:
    """The ``benchmarks/accuracy.py`` module (imported once)."""
    name = "hipcheck_benchmarks_accuracy"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, ACCURACY_PY)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module
