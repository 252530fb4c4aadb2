"""Every text people can read speaks the glossary: no banned word or duration format anywhere.

Two nets. The wide one reads every string literal in the package (docstrings, log messages and
identifier-like keys such as ``"bout_s"`` excepted: people do not read those) and runs the
glossary's ``banned_in`` on it. The close one renders what people actually see -- the text and
HTML reports of a known day, notification titles and bodies for every exercise, the settings'
labels and help -- and checks the result.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from hipcheck.core.glossary import banned_in
from hipcheck.core.settings import iter_specs

PACKAGE = Path(__file__).resolve().parents[1] / "app" / "hipcheck"
IDENTIFIER = re.compile(r"^[a-z0-9_./-]*$")
LOGGERS = {"log", "logger", "logging"}


def _skipped(tree: ast.AST) -> set[int]:
    """Nodes people never read: docstrings (and bare string statements) and logging calls."""
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            skipped.add(id(node.value))
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id in LOGGERS
        ):
            skipped.update(id(sub) for sub in ast.walk(node))
    return skipped


def readable_strings(path: Path) -> Iterator[tuple[int, str]]:
    """``(line, text)`` of every string literal in ``path`` a person might read."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped = _skipped(tree)
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and id(node) not in skipped
            and not IDENTIFIER.match(node.value)
        ):
            yield node.lineno, node.value


MODULES = sorted(p for p in PACKAGE.rglob("*.py") if p.name != "glossary.py")


def test_the_scan_sees_the_user_facing_modules() -> None:
    """The net covers the reports, the CLI, notifications, the tray and the windows."""
    names = {p.relative_to(PACKAGE).as_posix() for p in MODULES}
    for needed in ("reporting/render.py", "reporting/html.py", "reporting/charts.py", "cli.py",
                   "commands/status.py", "commands/report.py", "commands/analyze.py",
                   "commands/settings.py", "core/exercise.py", "core/reminders.py",
                   "ui/notify.py", "ui/tray.py", "ui/controller.py", "ui/live_view.py"):  # fmt: skip
        assert needed in names


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.relative_to(PACKAGE).as_posix())
def test_no_banned_words_in_string_literals(path: Path) -> None:
    found = [
        f"{path.name}:{line}: {banned_in(text)} in {text[:60]!r}"
        for line, text in readable_strings(path)
        if banned_in(text)
    ]
    assert found == []


def test_the_scan_can_fail(tmp_path: Path) -> None:
    """A module that shows "bout" or "1h31" is caught; a docstring or log line is not."""
    module = tmp_path / "bad.py"
    module.write_text(
        '"""A bout is fine in a docstring."""\n'
        "import logging\n"
        "log = logging.getLogger(__name__)\n"
        'log.info("bout ended")\n'
        'KEY = "bout_s"\n'
        'TITLE = f"This bout: {1} min"\n'
        'SHORT = "lasted 1h31"\n'
    )
    texts = [text for _, text in readable_strings(module) if banned_in(text)]
    assert sorted(texts) == ["This bout: ", "lasted 1h31"]


def test_rendered_reports_speak_the_glossary(tmp_path: Path) -> None:
    """The text and HTML report of a known day, as people read them."""
    from hipcheck.core.report import build_day_report
    from hipcheck.reporting import render
    from hipcheck.store.db import Store
    from reporting.sample_days import BERLIN, TUESDAY, fill_tuesday

    with Store.open(tmp_path / "h.sqlite3") as store:
        fill_tuesday(store)
        for day in (TUESDAY, date(2026, 11, 7)):
            report = build_day_report(store, day, tz=BERLIN)
            text = render(report, "text")
            html = re.sub(r"<[^>]+>", " ", render(report, "html"))  # the words, not the markup
            assert banned_in(text) == [], text
            assert banned_in(html) == []


def test_notifications_speak_the_glossary() -> None:
    """Every nudge title and body, for every exercise and variant."""
    from hipcheck.core.exercise import (
        BoutPosture,
        Exercise,
        ExerciseHistory,
        Variant,
        choose_exercise,
    )
    from hipcheck.core.reminders import Nudge, NudgeKind

    for exercise in Exercise:
        for variant in Variant:
            for bout_s in (40.0, 45 * 60.0, 95 * 60.0):
                choice = choose_exercise(
                    BoutPosture(bout_s=bout_s, flexion_s=bout_s, mean_flexion_deg=100.0),
                    ExerciseHistory(),
                    preferred=exercise.value,
                    variant=variant.value,
                )
                nudge = Nudge(0.0, NudgeKind.LIMIT, choice, bout_s, True, 3)
                assert banned_in(f"{nudge.title}\n{nudge.body}") == [], nudge.body


def test_settings_speak_the_glossary() -> None:
    for name, spec, _default in iter_specs():
        assert banned_in(f"{spec.label}\n{spec.help}\n{spec.unit}") == [], name
