"""The report's charts as SVG strings: one drawing library for the window (QtSvg) and the HTML.

Colours are the Okabe–Ito colour-blind-safe set, and every state also differs by pattern (solid,
stripes, dots, cross-hatch) and is named in a legend, so the charts read in grey-scale too. The
SVG stays within what QtSvg renders (shapes, text, patterns; no CSS, scripts or external files).
Each chart's ids carry a prefix so several charts can share one HTML page.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from xml.sax.saxutils import escape

from hipcheck.core.glossary import (
    HIP_ANGLE_NOTE,
    LONGEST_STRETCH,
    SITTING_STRETCH,
    bent_past,
    duration,
    exercise_name,
    hip_angle_from_flexion,
    state_name,
)
from hipcheck.core.report import ANGLE_BIN_DEG, DayReport

FONT = "DejaVu Sans, Arial, Helvetica, sans-serif"
INK = "#222222"
MUTED = "#666666"
GRID = "#dddddd"
STATE_COLOURS = {
    "sitting": "#D55E00",
    "standing": "#009E73",
    "away": "#56B4E9",
    "unknown": "#999999",
}
MARK_STYLE = {
    # kind: (label, colour)
    "nudge": ("Nudge", "#E69F00"),
    "break_done": ("Break taken", "#0072B2"),
    "snooze": ("Snoozed", "#555555"),
    "break_skipped": ("Skipped", "#000000"),
}
EXERCISE_COLOURS = {"glute_bridge": "#0072B2", "deadbug": "#CC79A7"}


def _t(x: float, y: float, text: str, *, size: int = 12, anchor: str = "start", **kw: str) -> str:
    """A text element (escaped)."""
    attrs = "".join(f' {k.replace("_", "-")}="{v}"' for k, v in kw.items())
    fill = "" if "fill" in kw else f' fill="{INK}"'
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-family="{FONT}" font-size="{size}"'
        f' text-anchor="{anchor}"{fill}{attrs}>{escape(text)}</text>'
    )


def _panel(prefix: str, title: str, left: float) -> list[str]:
    """The start of a chart's body: its patterns and its bold title."""
    return [_patterns(prefix), _t(left, 18, title, size=13, font_weight="bold")]


def _svg(width: int, height: int, body: list[str], title: str) -> str:
    """Wrap ``body`` into a standalone SVG document with an accessible title."""
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}"'
        f' viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}">'
        f"<title>{escape(title)}</title>"
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>'
        + "".join(body)
        + "</svg>"
    )


def _patterns(prefix: str) -> str:
    """Fill patterns per state (and exercise), ids ``<prefix>-<name>``."""

    def pat(name: str, colour: str, overlay: str) -> str:
        return (
            f'<pattern id="{prefix}-{name}" width="8" height="8" patternUnits="userSpaceOnUse">'
            f'<rect x="0" y="0" width="8" height="8" fill="{colour}"/>{overlay}</pattern>'
        )

    white = 'stroke="#ffffff" stroke-width="1.6"'
    stripes = f'<path d="M-2,2 L2,-2 M0,8 L8,0 M6,10 L10,6" {white}/>'
    dots = '<circle cx="2" cy="2" r="1.3" fill="#ffffff"/><circle cx="6" cy="6" r="1.3" fill="#ffffff"/>'
    cross = f'<path d="M0,0 L8,8 M8,0 L0,8" {white}/>'
    return (
        "<defs>"
        + pat("sitting", STATE_COLOURS["sitting"], "")
        + pat("standing", STATE_COLOURS["standing"], stripes)
        + pat("away", STATE_COLOURS["away"], dots)
        + pat("unknown", STATE_COLOURS["unknown"], cross)
        + pat("glute_bridge", EXERCISE_COLOURS["glute_bridge"], "")
        + pat("deadbug", EXERCISE_COLOURS["deadbug"], stripes)
        + pat("stretch", "#7a2a00", stripes)
        + "</defs>"
    )


def _marker(kind: str, x: float, y: float) -> str:
    """The symbol of an event kind centred at (x, y): triangle, circle, 'z' or cross."""
    colour = MARK_STYLE.get(kind, (kind, INK))[1]
    if kind == "nudge":
        return (
            f'<path d="M{x - 6:.1f},{y - 6:.1f} L{x + 6:.1f},{y - 6:.1f} L{x:.1f},{y + 6:.1f} Z"'
            f' fill="{colour}" stroke="{INK}" stroke-width="0.8"/>'
        )
    if kind == "break_done":
        return (
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="6" fill="{colour}" stroke="{INK}"'
            ' stroke-width="0.8"/>'
        )
    if kind == "snooze":
        return _t(x, y + 5, "z", size=14, anchor="middle", fill=colour, font_weight="bold")
    return (
        f'<path d="M{x - 5:.1f},{y - 5:.1f} L{x + 5:.1f},{y + 5:.1f} M{x + 5:.1f},{y - 5:.1f}'
        f' L{x - 5:.1f},{y + 5:.1f}" stroke="{colour}" stroke-width="2.2"/>'
    )


def timeline_svg(report: DayReport, *, width: int = 960, prefix: str = "tl") -> str:
    """The day as a band coloured by state, with nudges, breaks, snoozes and skips marked."""
    left, right = 16, 16
    band_top, band_h = 40, 44
    plot_w = width - left - right
    start_s, length_s = report.day_start.timestamp(), report.day_length_s
    height = 176
    title = f"Timeline of {report.day.isoformat()}"

    def x_of(at: datetime) -> float:
        return left + plot_w * (at.timestamp() - start_s) / length_s

    body = [_patterns(prefix)]
    # The empty band: the parts of the day nothing was recorded, drawn as a light outline.
    body.append(
        f'<rect x="{left}" y="{band_top}" width="{plot_w}" height="{band_h}" fill="#f6f6f6"'
        f' stroke="{GRID}"/>'
    )
    if report.elapsed_s < length_s:
        # The future part of today: not "not monitored", just not yet.
        x_now = left + plot_w * report.elapsed_s / length_s
        body.append(
            f'<rect x="{x_now:.1f}" y="{band_top}" width="{left + plot_w - x_now:.1f}"'
            f' height="{band_h}" fill="#ffffff" stroke="{GRID}" stroke-dasharray="2,3"/>'
        )
        body.append(
            f'<line x1="{x_now:.1f}" y1="{band_top - 6}" x2="{x_now:.1f}"'
            f' y2="{band_top + band_h + 6}" stroke="{INK}" stroke-width="1.5"'
            ' stroke-dasharray="3,2"/>'
        )
        if x_now < width - right - 40:  # near midnight the 24:00 label says enough
            body.append(_t(x_now + 3, band_top - 4, "now", size=11, fill=MUTED))
    if not report.has_data:
        body.append(
            _t(left + plot_w / 2, band_top + band_h / 2 + 5, "No data recorded on this day",
               size=13, anchor="middle", fill=MUTED)
        )  # fmt: skip
    for seg in report.segments:
        x0, x1 = x_of(seg.start), x_of(seg.end)
        body.append(
            f'<rect x="{x0:.2f}" y="{band_top}" width="{max(x1 - x0, 0.6):.2f}"'
            f' height="{band_h}" fill="url(#{prefix}-{seg.state.value})"/>'
        )
    # Sitting stretches under the band: how the sitting hangs together between breaks.
    for bout in report.bouts:
        x0, x1 = x_of(bout.start), x_of(bout.end)
        body.append(
            f'<rect x="{x0:.2f}" y="{band_top + band_h + 3}" width="{max(x1 - x0, 1.0):.2f}"'
            f' height="5" fill="url(#{prefix}-stretch)"/>'
        )
    # Hour ticks on real hours of the UTC time line, labelled in local time (DST days skip or
    # repeat a label rather than squeezing 23 or 25 hours into 24).
    tick_top = band_top + band_h + 10
    hour = report.day_start.astimezone(timezone.utc)
    end = report.day_end.astimezone(timezone.utc)
    while hour <= end:
        local = hour.astimezone(report.day_start.tzinfo)
        x = left + plot_w * (hour.timestamp() - start_s) / length_s
        major = local.hour % 3 == 0
        body.append(
            f'<line x1="{x:.1f}" y1="{tick_top}" x2="{x:.1f}" y2="{tick_top + (6 if major else 3)}"'
            f' stroke="{MUTED}"/>'
        )
        if major:
            label = "24:00" if hour == end else f"{local.hour:02d}:00"
            body.append(_t(x, tick_top + 18, label, size=11, anchor="middle", fill=MUTED))
        hour += timedelta(hours=1)
    # Two rows so a nudge and the break it led to do not cover each other.
    for mark in report.marks:
        body.append(_marker(mark.kind, x_of(mark.at), 12 if mark.kind == "nudge" else 27))
    # Legend: states with their patterns, then the markers actually used.
    y = height - 30
    x = float(left)
    for state in ("sitting", "standing", "away", "unknown"):
        body.append(
            f'<rect x="{x:.1f}" y="{y - 10}" width="18" height="12" fill="url(#{prefix}-{state})"'
            f' stroke="{INK}" stroke-width="0.5"/>'
        )
        body.append(_t(x + 23, y, state_name(state), size=12))
        x += 100
    body.append(
        f'<rect x="{x:.1f}" y="{y - 10}" width="18" height="12" fill="#f6f6f6" stroke="{GRID}"/>'
    )
    body.append(_t(x + 23, y, "Not recorded", size=12))
    x += 120
    body.append(
        f'<rect x="{x:.1f}" y="{y - 7}" width="18" height="5" fill="url(#{prefix}-stretch)"/>'
    )
    body.append(_t(x + 23, y, SITTING_STRETCH.capitalize(), size=12))
    y2 = height - 10
    x = float(left)
    for kind, (label, _colour) in MARK_STYLE.items():
        body.append(_marker(kind, x + 8, y2 - 4))
        body.append(_t(x + 20, y2, label, size=12))
        x += 120
    return _svg(width, height, body, title)


def histogram_svg(report: DayReport, *, width: int = 460, prefix: str = "hist") -> str:
    """Sitting time per hip-angle bin, with the bent-hips zone marked."""
    title = "Hip angle while sitting"
    height, left, right, top, bottom = 266, 54, 12, 34, 66
    body = _panel(prefix, title, left)
    plot_w, plot_h = width - left - right, height - top - bottom
    bins = report.angle_bins
    total = sum(b.seconds for b in bins)
    if not bins or total <= 0:
        msg = "No sitting recorded" if report.has_data else "No data recorded on this day"
        if report.has_data and report.angle_unmeasured_s:
            msg = "Hip angle not measured (hips hidden)"
        body.append(_t(width / 2, height / 2, msg, size=13, anchor="middle", fill=MUTED))
        return _svg(width, height, body, title)
    lo, hi = bins[0].lo_deg, bins[-1].hi_deg

    def x_of(deg: float) -> float:
        return left + plot_w * (deg - lo) / (hi - lo)

    # Bent-hips zone: hip angle at or below 180° − threshold.
    limit = hip_angle_from_flexion(report.flexion_threshold_deg)
    if lo < limit:
        zx = x_of(min(limit, hi))
        body.append(
            f'<rect x="{left}" y="{top}" width="{zx - left:.1f}" height="{plot_h}" fill="#fbe3d6"/>'
        )
        body.append(
            f'<line x1="{zx:.1f}" y1="{top}" x2="{zx:.1f}" y2="{top + plot_h}" stroke="#8a3300"'
            ' stroke-dasharray="4,3"/>'
        )
    peak = max(b.seconds for b in bins)
    for b in bins:
        if b.seconds <= 0:
            continue
        x0, x1 = x_of(b.lo_deg) + 1, x_of(b.hi_deg) - 1
        h = plot_h * b.seconds / peak
        body.append(
            f'<rect x="{x0:.1f}" y="{top + plot_h - h:.1f}" width="{x1 - x0:.1f}" height="{h:.1f}"'
            f' fill="url(#{prefix}-sitting)" stroke="{INK}" stroke-width="0.5"/>'
        )
        body.append(
            _t((x0 + x1) / 2, top + plot_h - h - 4, duration(b.seconds), size=9,
               anchor="middle")
        )  # fmt: skip
    body.append(
        f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}"'
        f' stroke="{INK}"/>'
    )
    deg = lo
    while deg <= hi:
        x = x_of(deg)
        body.append(
            f'<line x1="{x:.1f}" y1="{top + plot_h}" x2="{x:.1f}" y2="{top + plot_h + 4}"'
            f' stroke="{INK}"/>'
        )
        body.append(_t(x, top + plot_h + 16, f"{deg:g}°", size=11, anchor="middle"))
        deg += 2 * ANGLE_BIN_DEG  # on bin edges: 60°, 90°, 120°…
    body.append(
        _t(left + plot_w / 2, height - 30, f"hip angle ({HIP_ANGLE_NOTE})", size=11,
           anchor="middle", fill=MUTED)
    )  # fmt: skip
    body.append(
        _t(14, top + plot_h / 2, "sitting time", size=11, anchor="middle", fill=MUTED,
           transform=f"rotate(-90 14 {top + plot_h / 2:.1f})")
    )  # fmt: skip
    note = f"shaded: hips {bent_past(report.flexion_threshold_deg)} (hip angle ≤ {limit:g}°)"
    if report.angle_unmeasured_s:
        note += f" · angle not measured: {duration(report.angle_unmeasured_s)}"
    body.append(
        f'<rect x="{left}" y="{height - 17}" width="12" height="10" fill="#fbe3d6"'
        ' stroke="#8a3300" stroke-width="0.5"/>'
    )
    body.append(_t(left + 17, height - 8, note, size=11, fill="#8a3300"))
    return _svg(width, height, body, title)


_NICE_TOPS_MIN = (20, 40, 60, 90, 120, 180, 240, 360, 480, 600, 720, 960, 1200, 1440, 1500)


def trend_svg(report: DayReport, *, width: int = 460, prefix: str = "trend") -> str:
    """Sitting time per day over the last 7 days, each day's longest sitting stretch inside its bar."""
    height = 250
    left, right, top, bottom = 54, 12, 34, 58
    plot_w, plot_h = width - left - right, height - top - bottom
    title = "Last 7 days"
    body = _panel(prefix, title, left)
    days = report.trend
    measured = [d.sitting_s for d in days if d.sitting_s is not None]
    peak = max(measured, default=0.0)
    # A round top for the axis whose half is round too.
    top_s = next((t * 60.0 for t in _NICE_TOPS_MIN if t * 60.0 >= peak), max(peak, 60.0))
    for frac in (0.0, 0.5, 1.0):
        y = top + plot_h * (1 - frac)
        body.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" stroke="{GRID}"/>'
        )
        body.append(_t(left - 6, y + 4, duration(top_s * frac), size=10, anchor="end"))
    slot = plot_w / len(days)
    for i, d in enumerate(days):
        cx = left + slot * (i + 0.5)
        bar_w = slot * 0.6
        selected = d.day == report.day
        label = f"{d.day:%a}"
        body.append(
            _t(cx, top + plot_h + 16, label, size=11, anchor="middle",
               font_weight="bold" if selected else "normal")
        )  # fmt: skip
        body.append(_t(cx, top + plot_h + 30, f"{d.day.day}", size=10, anchor="middle", fill=MUTED))
        if d.sitting_s is None:
            # No data is not zero: an outline and a word, never an empty bar.
            body.append(
                f'<rect x="{cx - bar_w / 2:.1f}" y="{top + plot_h - 40}" width="{bar_w:.1f}"'
                f' height="40" fill="none" stroke="{GRID}" stroke-dasharray="3,3"/>'
            )
            body.append(_t(cx, top + plot_h - 16, "no data", size=9, anchor="middle", fill=MUTED))
            continue
        h = plot_h * d.sitting_s / top_s
        body.append(
            f'<rect x="{cx - bar_w / 2:.1f}" y="{top + plot_h - h:.1f}" width="{bar_w:.1f}"'
            f' height="{h:.1f}" fill="url(#{prefix}-sitting)"'
            f' stroke="{INK if selected else "none"}" stroke-width="1.5"/>'
        )
        if d.longest_bout_s:
            hb = plot_h * d.longest_bout_s / top_s
            body.append(
                f'<rect x="{cx - bar_w / 4:.1f}" y="{top + plot_h - hb:.1f}" width="{bar_w / 2:.1f}"'
                f' height="{hb:.1f}" fill="url(#{prefix}-stretch)"/>'
            )
        body.append(_t(cx, top + plot_h - h - 4, duration(d.sitting_s), size=10, anchor="middle"))
    y = height - 8
    body.append(
        f'<rect x="{left}" y="{y - 10}" width="14" height="12" fill="url(#{prefix}-sitting)"/>'
    )
    body.append(_t(left + 19, y, "Sitting", size=11))
    body.append(
        f'<rect x="{left + 90}" y="{y - 10}" width="14" height="12" fill="url(#{prefix}-stretch)"/>'
    )
    body.append(_t(left + 109, y, LONGEST_STRETCH, size=11))
    return _svg(width, height, body, title)


def balance_svg(report: DayReport, *, width: int = 460, prefix: str = "bal") -> str:
    """Glute bridges vs dead bugs taken as breaks over the last 7 days, as one split bar."""
    height = 96
    left, right = 16, 16
    plot_w = width - left - right
    b = report.balance
    title = f"Exercise balance, {b.first_day:%d %b} – {b.last_day:%d %b}"
    body = _panel(prefix, title, left)
    if b.total == 0:
        body.append(
            _t(width / 2, 56, "No exercise breaks in these 7 days", size=13, anchor="middle",
               fill=MUTED)
        )  # fmt: skip
        return _svg(width, height, body, title)
    x = float(left)
    names = list(b.counts)
    for name in names:
        n = b.counts[name]
        if n == 0:
            continue
        w = plot_w * n / b.total
        body.append(
            f'<rect x="{x:.1f}" y="32" width="{w:.1f}" height="26" fill="url(#{prefix}-{name})"'
            f' stroke="{INK}" stroke-width="0.5"/>'
        )
        x += w
    for i, name in enumerate(names):
        n = b.counts[name]
        share = round(100 * n / b.total)
        text = f"{exercise_name(name)}: {n} ({share} %)"
        anchor = "start" if i == 0 else "end"
        tx = left if i == 0 else width - right
        body.append(
            f'<rect x="{tx if i == 0 else tx - 14:.1f}" y="68" width="14" height="12"'
            f' fill="url(#{prefix}-{name})"/>'
        )
        body.append(_t(tx + 19 if i == 0 else tx - 19, 79, text, size=12, anchor=anchor))
    return _svg(width, height, body, title)


def all_charts(report: DayReport) -> dict[str, str]:
    """Every chart of the report by name: timeline, histogram, trend, balance."""
    return {
        "timeline": timeline_svg(report),
        "histogram": histogram_svg(report),
        "trend": trend_svg(report),
        "balance": balance_svg(report),
    }


__all__ = [
    "all_charts",
    "balance_svg",
    "histogram_svg",
    "timeline_svg",
    "trend_svg",
]
