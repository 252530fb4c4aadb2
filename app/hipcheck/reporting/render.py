"""The daily report as text (terminal), JSON, CSV (intervals and events) and HTML; and writing it."""

from __future__ import annotations

import csv
import errno
import io
import json
import os
import stat
import tempfile
from pathlib import Path
from typing import Any

from hipcheck.core.glossary import (
    BENT_HIPS,
    LONGEST_STRETCH,
    STRETCHES_LABEL,
    bent_past_explained,
    clock_time,
    count,
    day_name,
    duration,
    exercise_name,
    hip_angle,
    state_name,
)
from hipcheck.core.report import DayReport

FORMATS: tuple[str, ...] = ("text", "json", "html", "csv")
SUFFIXES = {"text": ".txt", "json": ".json", "html": ".html", "csv": ".csv"}


def _share(part: float | None, whole: float) -> str:
    """`` 42 %`` of the recorded time, or blank."""
    return f"{100 * part / whole:3.0f} %" if part is not None and whole > 0 else ""


TIME_LABELS = (
    "Recorded",
    state_name("sitting"),
    BENT_HIPS,
    state_name("standing"),
    state_name("away"),
    state_name("unknown"),
    "Timer only",
)
"""The time rows' labels: the recorded time, then its parts; the third is the part of the sitting
time with the hips bent."""
COUNT_LABELS = ("Nudges sent", "Breaks taken", "Snoozed", "Skipped")


def time_rows(report: DayReport) -> list[tuple[str, float | None]]:
    """The day's time totals in display order (label, seconds or None): the recorded time, then
    its parts (shares are of the recorded time, never of the 24 hours)."""
    values = (
        report.recorded_s if report.has_data else None,
        report.sitting_s,
        report.flexion_s,
        report.standing_s,
        report.away_s,
        report.unknown_s,
        report.timer_only_s,
    )
    return list(zip(TIME_LABELS, values, strict=True))


def recorded_span(report: DayReport) -> str:
    """When HipCheck watched: ``09:00–17:20``, or blank without records."""
    if not report.segments:
        return ""
    return f"{clock_time(report.segments[0].start)}–{clock_time(report.segments[-1].end)}"


def day_subtitle(report: DayReport) -> str:
    """The line under the day's title: how long and when it was recorded (and a clock change)."""
    parts = []
    if report.has_data and report.segments:
        parts.append(f"Recorded {duration(report.recorded_s)}, {recorded_span(report)}")
    if report.day_length_s != 86400:
        parts.append(f"a {report.day_length_s / 3600:g}-hour day (the clocks changed)")
    return " · ".join(parts)


def share_of_recorded(seconds: float | None, report: DayReport) -> str:
    """``33 %`` of the recorded time, or blank."""
    return _share(seconds, report.recorded_s).strip()


def count_rows(report: DayReport) -> list[tuple[str, int | None]]:
    """The day's reminder counts in display order."""
    values = (report.nudges, report.breaks_taken, report.snoozed, report.skipped)
    return list(zip(COUNT_LABELS, values, strict=True))


def empty_message(report: DayReport) -> str:
    """What an empty day says instead of zeros (a day not yet begun says it is in the future)."""
    if report.is_future:
        return f"{day_name(report.day)} is in the future: nothing is recorded yet."
    return (
        f"No data recorded on {day_name(report.day)}: HipCheck was not watching that day,"
        " so there is nothing to count."
    )


def render_text(report: DayReport) -> str:
    """A readable terminal summary."""
    lines = [f"HipCheck report for {day_name(report.day)}"]
    subtitle = day_subtitle(report)
    if subtitle:
        lines.append(subtitle)
    if not report.has_data:
        lines += ["", empty_message(report)]
    else:
        whole = report.recorded_s
        lines.append("")
        for label, value in time_rows(report):
            share = "" if label == TIME_LABELS[0] else _share(value, whole)
            label = f"  {label}" if label == TIME_LABELS[2] else label
            lines.append(f"  {label:<20}{duration(value):>14}  {share}".rstrip())
        lines.append("")
        longest = duration(report.longest_bout_s) if report.bouts else "-"
        lines.append(f"  {STRETCHES_LABEL:<20}{count(report.bout_count):>14}  longest {longest}")
        for bout in report.bouts:
            since = "(from the day before) " if bout.from_previous_day else ""
            until = " (goes on past midnight)" if bout.into_next_day else ""
            lines.append(
                f"    {clock_time(bout.start)}–{clock_time(bout.end)}  {since}"
                f"{duration(bout.duration_s)}{until}"
            )
        lines.append(f"  Mean hip angle sitting {hip_angle(report.mean_hip_angle_sitting_deg)}")
        lines.append(f"  {bent_past_explained(report.flexion_threshold_deg)}")
        lines.append("")
        for label, n in count_rows(report):
            lines.append(f"  {label:<20}{count(n):>14}")
    b = report.balance
    lines.append("")
    lines.append(f"Exercise breaks {b.first_day:%d %b}–{b.last_day:%d %b}:")
    if b.total:
        lines.append("  " + ", ".join(f"{exercise_name(k)} {v}" for k, v in b.counts.items()))
    else:
        lines.append("  none")
    lines.append(f"Last 7 days (sitting / {LONGEST_STRETCH.lower()}):")
    for d in report.trend:
        mark = "*" if d.day == report.day else " "
        if d.has_data:
            row = f"{duration(d.sitting_s):>14} / {duration(d.longest_bout_s)}"
        else:
            row = f"{'no data':>14}"
        lines.append(f" {mark}{d.day:%a %d %b}{row}")
    return "\n".join(lines) + "\n"


def _r(value: float | None, digits: int = 1) -> float | None:
    """Round for output, keeping None."""
    return None if value is None else round(value, digits)


def report_to_dict(report: DayReport) -> dict[str, Any]:
    """The report as JSON-able data; seconds as numbers, times as ISO 8601 with offsets."""
    return {
        "day": report.day.isoformat(),
        "timezone": report.tz_name,
        "has_data": report.has_data,
        "day_start": report.day_start.isoformat(),
        "day_end": report.day_end.isoformat(),
        "day_length_s": _r(report.day_length_s),
        "elapsed_s": _r(report.elapsed_s),
        "sitting_s": _r(report.sitting_s),
        "flexion_s": _r(report.flexion_s),
        "standing_s": _r(report.standing_s),
        "away_s": _r(report.away_s),
        "unknown_s": _r(report.unknown_s),
        "timer_only_s": _r(report.timer_only_s),
        "not_recorded_s": _r(report.not_monitored_s),
        "bouts": report.bout_count,
        "longest_bout_s": _r(report.longest_bout_s),
        "bout_list": [
            {
                "start": b.start.isoformat(),
                "end": b.end.isoformat(),
                "duration_s": _r(b.duration_s),
                "full_duration_s": _r(b.full_duration_s),
                "from_previous_day": b.from_previous_day,
                "into_next_day": b.into_next_day,
            }
            for b in report.bouts
        ],
        "mean_hip_angle_sitting_deg": _r(report.mean_hip_angle_sitting_deg),
        "hip_angle_histogram": [
            {"lo_deg": b.lo_deg, "hi_deg": b.hi_deg, "seconds": _r(b.seconds)}
            for b in report.angle_bins
        ],
        "hip_angle_unmeasured_s": _r(report.angle_unmeasured_s),
        "nudges": report.nudges,
        "breaks_started": report.breaks_started,
        "breaks_taken": report.breaks_taken,
        "snoozed": report.snoozed,
        "skipped": report.skipped,
        "exercise_balance": {
            "first_day": report.balance.first_day.isoformat(),
            "last_day": report.balance.last_day.isoformat(),
            **report.balance.counts,
        },
        "trend": [
            {
                "day": d.day.isoformat(),
                "has_data": d.has_data,
                "sitting_s": _r(d.sitting_s),
                "longest_bout_s": _r(d.longest_bout_s),
            }
            for d in report.trend
        ],
        "timeline": [
            {
                "start": s.start.isoformat(),
                "end": s.end.isoformat(),
                "state": s.state.value,
                "gap": s.gap,
            }
            for s in report.segments
        ],
        "events": [{"at": e.at.isoformat(), "kind": e.kind, **e.detail} for e in report.events],
        "settings": {
            "natural_break_s": report.natural_break_s,
            "flexion_threshold_deg": report.flexion_threshold_deg,
        },
    }


def render_json(report: DayReport) -> str:
    """The report as indented JSON."""
    return json.dumps(report_to_dict(report), indent=1, ensure_ascii=False) + "\n"


CSV_COLUMNS = (
    "record",
    "start",
    "end",
    "duration_s",
    "state",
    "mean_hip_angle_deg",
    "flexion_s",
    "gap",
    "kind",
    "detail",
)


def render_csv(report: DayReport) -> str:
    """The day's intervals and events, one row each, oldest first (local times with offsets)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    rows: list[tuple[float, list[object]]] = []
    for s in report.segments:
        rows.append(
            (
                s.start.timestamp(),
                [
                    "interval",
                    s.start.isoformat(),
                    s.end.isoformat(),
                    f"{s.duration_s:.1f}",
                    s.state.value,
                    "" if s.mean_hip_angle_deg is None else f"{s.mean_hip_angle_deg:.1f}",
                    f"{s.flexion_s:.1f}",
                    int(s.gap),
                    "",
                    "",
                ],
            )
        )
    for e in report.events:
        detail = json.dumps(dict(e.detail), sort_keys=True) if e.detail else ""
        rows.append(
            (e.at.timestamp(), ["event", e.at.isoformat(), "", "", "", "", "", "", e.kind, detail])
        )
    for _, row in sorted(rows, key=lambda r: r[0]):
        writer.writerow(row)
    return out.getvalue()


def render(report: DayReport, fmt: str) -> str:
    """The report in ``fmt`` (one of ``FORMATS``)."""
    if fmt == "text":
        return render_text(report)
    if fmt == "json":
        return render_json(report)
    if fmt == "csv":
        return render_csv(report)
    if fmt == "html":
        from hipcheck.reporting.html import render_html

        return render_html(report)
    raise ValueError(f"unknown report format {fmt!r}; choose one of {', '.join(FORMATS)}")


# Names that mean this process's own output, whatever file or pipe is behind it.
STDOUT_NAMES = frozenset({"-", "/dev/stdout", "/dev/fd/1", "/proc/self/fd/1"})
# Special files: always written where they are, never replaced by a new file.
_SPECIAL_ROOTS = ("/dev/", "/proc/")


def output_problem(path: str | os.PathLike[str]) -> str | None:
    """Why ``write_text_to(path)`` would fail before anything is written, or None."""
    name = os.fspath(path)
    if name in STDOUT_NAMES:
        return None
    try:
        st: os.stat_result | None = os.stat(name)  # follows symlinks
    except FileNotFoundError:
        st = None
    except OSError as exc:
        return exc.strerror or str(exc)
    if st is not None and stat.S_ISDIR(st.st_mode):
        return "it is a directory"
    if st is not None and not stat.S_ISREG(st.st_mode):
        return None if os.access(name, os.W_OK) else "permission denied"
    parent = Path(os.path.realpath(name)).parent
    if not parent.is_dir():
        return f"the folder {parent} does not exist"
    if not os.access(parent, os.W_OK | os.X_OK) or (
        st is not None and not os.access(name, os.W_OK)
    ):
        return "permission denied"
    return None


def write_text_to(path: str | os.PathLike[str], text: str) -> Path:
    """Write ``text`` to what ``path`` names, the way the user means it.

    A regular file (new or existing) is replaced atomically: a half-written file never replaces
    a good one, and an existing file keeps its permissions. A symlink is followed and its target
    written. A device, FIFO or anything under /dev or /proc (``/dev/null``, ``/dev/stderr``, a
    terminal) is written in place and never turned into a regular file.
    """
    name = os.fspath(path)
    try:
        st: os.stat_result | None = os.stat(name)
    except FileNotFoundError:
        st = None
    if st is not None and stat.S_ISDIR(st.st_mode):
        raise IsADirectoryError(errno.EISDIR, "it is a directory", name)
    special = name.startswith(_SPECIAL_ROOTS) or os.path.realpath(name).startswith(_SPECIAL_ROOTS)
    if special or (st is not None and not stat.S_ISREG(st.st_mode)):
        with open(name, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
        return Path(name)
    target = Path(os.path.realpath(name))
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        if st is not None:
            os.fchmod(fd, stat.S_IMODE(st.st_mode))
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Path(name)


def write_report(report: DayReport, fmt: str, path: str | os.PathLike[str]) -> Path:
    """Write the report to ``path`` (see ``write_text_to``); returns the path as given."""
    return write_text_to(path, render(report, fmt))
