"""``hipcheck report``: the daily sitting report from the history, as text, JSON, HTML or CSV.

Exit status: 0 when the report was printed or written (also for a day with no data, which the
report says in words); 1 when no history exists yet (nothing was ever recorded: one line on
stderr, and no database is created); 2 for bad input (date, format, an unwritable -o, an
unusable database).

The history is opened read-only and never changed (no migration, no checkpoint, nothing moved
aside), so a report also works on a read-only data folder and while HipCheck records. ``-o``
writes what the user named: a regular file is replaced atomically, a symlink's target is
written, a device or FIFO is written in place, ``-`` and ``/dev/stdout`` are standard output.
"""

from __future__ import annotations

import argparse
import re
import sys
from datetime import date, datetime, timedelta
from typing import Any

from hipcheck.cli import add_command
from hipcheck.errors import UserError
from hipcheck.paths import resolve_paths
from hipcheck.reporting.render import FORMATS

EXIT_NO_DATA = 1


DATE_FORMS = "YYYY-MM-DD, today, yesterday or -N for N days ago"
_DAYS_AGO = re.compile(r"-(\d{1,6})")


def parse_day(text: str, today: date) -> date:
    """The day ``--date`` names: ``YYYY-MM-DD``, ``today``, ``yesterday`` or ``-N`` (N days ago).

    A day after ``today`` or one the calendar cannot hold is a UserError naming the value once.
    """
    word = text.strip().lower()
    days_ago = _DAYS_AGO.fullmatch(word)
    try:
        if word == "today":
            day = today
        elif word == "yesterday":
            day = today - timedelta(days=1)
        elif days_ago:
            day = today - timedelta(days=int(days_ago.group(1)))
        else:
            day = date.fromisoformat(word)
    except ValueError:
        raise UserError(f"--date {text!r} is not a day; use {DATE_FORMS}") from None
    except OverflowError:
        raise UserError(f"--date {text}: that is before the calendar starts") from None
    if day > today:
        raise UserError(
            f"--date {text} is in the future (today is {today.isoformat()}); nothing is recorded"
            " for it yet"
        )
    return day


def register(subparsers: Any) -> None:
    """Add the ``report`` sub-command."""
    sub = add_command(
        subparsers,
        "report",
        summary="print the daily sitting report (text, json, html or csv)",
        description="The report of one day from the history: time sitting, sitting stretches, "
        "reminders, the hip angle, the last 7 days. Exit status 1 when nothing was ever "
        "recorded, 2 for a bad date, format or output file.",
        examples=(
            ("hipcheck report", "today, as text"),
            ("hipcheck report --date yesterday", "yesterday (or -3: three days ago)"),
            ("hipcheck report --date 2026-11-10 --format html -o day.html", "one HTML file"),
            ("hipcheck report --format csv", "today's intervals and events"),
        ),
    )
    sub.add_argument(
        "--date",
        default=None,
        metavar="DAY",
        help=f"the day: {DATE_FORMS} (default: today)",
    )
    sub.add_argument(
        "--format",
        choices=FORMATS,
        default="text",
        help="text (default), json, html (one self-contained file) or csv (intervals and events)",
    )
    sub.add_argument(
        "-o", "--output", metavar="FILE", default=None, help="write to FILE instead of stdout"
    )
    sub.set_defaults(func=run_report)


def run_report(args: argparse.Namespace) -> int:
    """Build the report of ``args.date`` and print or write it."""
    from hipcheck.core.report import build_day_report, day_out_of_range
    from hipcheck.reporting.localzone import local_zone
    from hipcheck.reporting.render import STDOUT_NAMES, output_problem, render, write_report
    from hipcheck.settings_run import settings_for_run
    from hipcheck.store.db import Store, StoreError

    paths = resolve_paths(args.data_dir)
    if paths.data_dir.exists() and not paths.data_dir.is_dir():
        raise UserError(f"the data directory {paths.data_dir} is not a directory")
    to_stdout = args.output is None or args.output in STDOUT_NAMES
    if not to_stdout:
        # Checked before anything is read, so a typo is reported even when there is no data.
        problem = output_problem(args.output)
        if problem is not None:
            raise UserError(f"cannot write {args.output}: {problem}")
    loaded = settings_for_run(args, repair=False)
    for warning in loaded.warnings:
        print(f"hipcheck: warning: {warning}", file=sys.stderr)
    tz = local_zone()
    now = datetime.now(tz)
    day = now.date() if args.date is None else parse_day(args.date, now.date())
    out_of_range = day_out_of_range(day)
    if out_of_range is not None:
        raise UserError(f"--date {args.date}: {out_of_range}")
    if not paths.database.is_file():
        print(
            f"No data recorded yet: there is no history at {paths.database}. Run HipCheck"
            " (or `hipcheck analyze --store`) to record some.",
            file=sys.stderr,
        )
        return EXIT_NO_DATA
    try:
        store = Store.open_readonly(paths.database)
    except StoreError as exc:
        raise UserError(str(exc)) from None
    try:
        report = build_day_report(
            store,
            day,
            tz=tz,
            now=now,
            natural_break_s=loaded.settings.natural_break_min * 60.0,
            flexion_threshold_deg=loaded.settings.flexion_threshold_deg,
            work_hours_h=(loaded.settings.work_start_h, loaded.settings.work_end_h),
        )
    finally:
        store.close()
    if store.skipped_warning:
        print(f"hipcheck: warning: {store.skipped_warning}", file=sys.stderr)
    if to_stdout:
        sys.stdout.write(render(report, args.format))
        sys.stdout.flush()
        return 0
    try:
        written = write_report(report, args.format, args.output)
    except OSError as exc:
        raise UserError(f"cannot write {args.output}: {exc.strerror or exc}") from None
    print(f"Report for {day.isoformat()} written to {written}", file=sys.stderr)
    return 0
