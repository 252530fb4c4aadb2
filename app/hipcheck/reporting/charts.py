"""The report's charts as SVG strings: one drawing library for the window (QtSvg) and the HTML.

Colours come from a scheme of named roles (``hipcheck.core.colours``: light, dark, high contrast);
the state colours are the Okabe–Ito colour-blind-safe set, and every state also differs by pattern
(solid, stripes, dots, cross-hatch) and is named in a legend, so the charts read in grey-scale too.
The SVG stays within what QtSvg renders (shapes, text, patterns; no CSS, scripts or external
files). Each chart's ids carry a prefix so several charts can share one HTML page. Timeline
markers carry a ``<title>`` (a browser's hover text); ``timeline_hotspots`` gives the window the
same places and words for its tooltips.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from xml.sax.saxutils import escape

from hipcheck.core.colours import LIGHT, Roles
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
from hipcheck.core.report import ANGLE_BIN_DEG, DayReport, Mark, timeline_span

FONT = "DejaVu Sans, Arial, Helvetica, sans-serif"
TIMELINE_WIDTH = 960
# Timeline markers: kind -> (legend label, colour role).
MARK_STYLE = {
    "nudge": ("Nudge", "nudge"),
    "break_done": ("Break taken", "break_done"),
    "snooze": ("Snoozed", "snooze"),
    "break_skipped": ("Skipped", "skipped"),
}
_MARK_WORDS = {
    "nudge": "Nudge: time to get up",
    "break_done": "Break taken",
    "snooze": "Nudge snoozed",
    "break_skipped": "Break skipped",
}
_HOW_WORDS = {
    "stood_up": "you got up",
    "done": "Done pressed",
    "skip": "Skip pressed",
    "closed": "window closed",
    "postpone": "postponed",
}


def _text_width(text: str, size: float) -> float:
    """About how wide ``text`` is drawn in the chart font (DejaVu Sans: ~0.6 em a character)."""
    return 0.6 * size * len(text)


class _Ink:
    """The SVG writer of one chart in one colour scheme."""

    def __init__(self, roles: Roles) -> None:
        self.r = roles

    def t(self, x: float, y: float, text: str, *, size: int = 12, anchor: str = "start",
          **kw: str) -> str:  # fmt: skip
        """A text element (escaped), in the ``text`` colour unless ``fill`` is given."""
        attrs = "".join(f' {k.replace("_", "-")}="{v}"' for k, v in kw.items())
        fill = "" if "fill" in kw else f' fill="{self.r.text}"'
        return (
            f'<text x="{x:.1f}" y="{y:.1f}" font-family="{FONT}" font-size="{size}"'
            f' text-anchor="{anchor}"{fill}{attrs}>{escape(text)}</text>'
        )

    def amount(self, cx: float, y: float, text: str, room_px: float, *, size: int = 10) -> str:
        """A bar's value centred above it (last line at ``y``): ``2 h 10 min`` wider than the bar
        goes on two lines, ``2 h`` over ``10 min``, so neighbouring values never run together."""
        hours, sep, rest = text.partition(" h ")
        if not sep or _text_width(text, size) <= room_px:
            return self.t(cx, y, text, size=size, anchor="middle")
        return self.t(cx, y - size - 1, f"{hours} h", size=size, anchor="middle") + self.t(
            cx, y, rest, size=size, anchor="middle"
        )

    def panel(self, prefix: str, title: str, left: float) -> list[str]:
        """The start of a chart's body: its patterns and its bold title."""
        return [self.patterns(prefix), self.t(left, 18, title, size=13, font_weight="bold")]

    def svg(self, width: int, height: int, body: list[str], title: str) -> str:
        """Wrap ``body`` into a standalone SVG document with an accessible title."""
        return (
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}"'
            f' viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}"'
            f' data-scheme="{self.r.name}">'
            f"<title>{escape(title)}</title>"
            f'<rect x="0" y="0" width="{width}" height="{height}" fill="{self.r.background}"/>'
            + "".join(body)
            + "</svg>"
        )

    def patterns(self, prefix: str) -> str:
        """Fill patterns per state (and exercise), ids ``<prefix>-<name>``."""
        r = self.r

        def pat(name: str, colour: str, overlay: str) -> str:
            return (
                f'<pattern id="{prefix}-{name}" width="8" height="8"'
                ' patternUnits="userSpaceOnUse">'
                f'<rect x="0" y="0" width="8" height="8" fill="{colour}"/>{overlay}</pattern>'
            )

        line = f'stroke="{r.on_state}" stroke-width="1.6"'
        stripes = f'<path d="M-2,2 L2,-2 M0,8 L8,0 M6,10 L10,6" {line}/>'
        dots = (
            f'<circle cx="2" cy="2" r="1.3" fill="{r.on_state}"/>'
            f'<circle cx="6" cy="6" r="1.3" fill="{r.on_state}"/>'
        )
        cross = f'<path d="M0,0 L8,8 M8,0 L0,8" {line}/>'
        return (
            "<defs>"
            + pat("sitting", r.sitting, "")
            + pat("standing", r.standing, stripes)
            + pat("away", r.away, dots)
            + pat("unknown", r.unknown, cross)
            + pat("glute_bridge", r.glute_bridge, "")
            + pat("deadbug", r.deadbug, stripes)
            + pat("stretch", r.stretch, stripes)
            + "</defs>"
        )

    def marker(self, kind: str, x: float, y: float) -> str:
        """The symbol of an event kind centred at (x, y): triangle, circle, 'z' or cross."""
        colour = self.r.get(MARK_STYLE[kind][1]) if kind in MARK_STYLE else self.r.text
        ink = self.r.text
        if kind == "nudge":
            return (
                f'<path d="M{x - 6:.1f},{y - 6:.1f} L{x + 6:.1f},{y - 6:.1f} L{x:.1f},{y + 6:.1f}'
                f' Z" fill="{colour}" stroke="{ink}" stroke-width="0.8"/>'
            )
        if kind == "break_done":
            return (
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="6" fill="{colour}" stroke="{ink}"'
                ' stroke-width="0.8"/>'
            )
        if kind == "snooze":
            return self.t(x, y + 5, "z", size=14, anchor="middle", fill=colour, font_weight="bold")
        return (
            f'<path d="M{x - 5:.1f},{y - 5:.1f} L{x + 5:.1f},{y + 5:.1f} M{x + 5:.1f},{y - 5:.1f}'
            f' L{x - 5:.1f},{y + 5:.1f}" stroke="{colour}" stroke-width="2.2"/>'
        )


@dataclass(frozen=True, slots=True)
class Hotspot:
    """A place on a chart (in the SVG's own pixels) and what hovering it explains."""

    x: float
    y: float
    radius: float
    text: str


def mark_words(mark: Mark) -> str:
    """What a timeline marker means, in a sentence: ``14:05 · Break taken: Glute bridge``."""
    words = _MARK_WORDS.get(mark.kind, mark.kind.replace("_", " ").capitalize())
    exercise = mark.detail.get("exercise")
    if isinstance(exercise, str) and exercise:
        words += f": {exercise_name(exercise)}"
    bout_s = mark.detail.get("bout_s")
    if mark.kind == "nudge" and isinstance(bout_s, (int, float)) and bout_s > 0:
        words += f", after {duration(float(bout_s))} sitting"
    how = mark.detail.get("how")
    if isinstance(how, str) and how in _HOW_WORDS:
        words += f" ({_HOW_WORDS[how]})"
    return f"{mark.at:%H:%M} · {words}"


_LEFT, _RIGHT, _BAND_TOP, _BAND_H = 16, 16, 40, 44


def _timeline_scale(report: DayReport, width: int) -> tuple[float, float, float]:
    """The timeline's first and last second shown and its pixels per second."""
    lo, hi = timeline_span(report)
    start_s, end_s = lo.timestamp(), hi.timestamp()
    return start_s, end_s, (width - _LEFT - _RIGHT) / max(1.0, end_s - start_s)


def timeline_hotspots(report: DayReport, *, width: int = TIMELINE_WIDTH) -> list[Hotspot]:
    """Where each marker of the timeline sits and what it means (the window's tooltips)."""
    start_s, _end_s, per_s = _timeline_scale(report, width)
    return [
        Hotspot(
            _LEFT + per_s * (m.at.timestamp() - start_s),
            12 if m.kind == "nudge" else 27,
            8.0,
            mark_words(m),
        )
        for m in report.marks
    ]


def timeline_svg(
    report: DayReport, *, width: int = TIMELINE_WIDTH, prefix: str = "tl", roles: Roles = LIGHT
) -> str:
    """The recorded part of the day as a band coloured by state, with the reminders marked."""
    ink = _Ink(roles)
    r = roles
    left, band_top, band_h = _LEFT, _BAND_TOP, _BAND_H
    plot_w = width - _LEFT - _RIGHT
    start_s, end_s, per_s = _timeline_scale(report, width)
    height = 176
    title = f"Timeline of {report.day.isoformat()}"

    def x_of(at: datetime) -> float:
        return left + per_s * (min(max(at.timestamp(), start_s), end_s) - start_s)

    body = [ink.patterns(prefix)]
    # The empty band: the parts of the day nothing was recorded, drawn as a light outline.
    body.append(
        f'<rect x="{left}" y="{band_top}" width="{plot_w}" height="{band_h}" fill="{r.surface}"'
        f' stroke="{r.border}"/>'
    )
    now_s = report.day_start.timestamp() + report.elapsed_s
    if now_s < end_s:
        # The future part of today: not "not recorded", just not yet.
        x_now = left + per_s * max(0.0, now_s - start_s)
        body.append(
            f'<rect x="{x_now:.1f}" y="{band_top}" width="{left + plot_w - x_now:.1f}"'
            f' height="{band_h}" fill="{r.background}" stroke="{r.border}"'
            ' stroke-dasharray="2,3"/>'
        )
        if now_s > start_s:
            body.append(
                f'<line x1="{x_now:.1f}" y1="{band_top - 6}" x2="{x_now:.1f}"'
                f' y2="{band_top + band_h + 6}" stroke="{r.text}" stroke-width="1.5"'
                ' stroke-dasharray="3,2"/>'
            )
            if x_now < width - _RIGHT - 40:
                body.append(ink.t(x_now + 3, band_top - 4, "now", size=11, fill=r.muted))
    if not report.has_data:
        body.append(
            ink.t(left + plot_w / 2, band_top + band_h / 2 + 5, "No data recorded on this day",
                  size=13, anchor="middle", fill=r.muted)
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
    # repeat a label rather than squeezing 23 or 25 hours into 24); every hour is labelled on a
    # short span, every 2nd or 3rd on a long one.
    tick_top = band_top + band_h + 10
    hours = (end_s - start_s) / 3600
    every = 1 if hours <= 12 else 2 if hours <= 16 else 3
    hour = datetime.fromtimestamp(start_s, timezone.utc)
    end = datetime.fromtimestamp(end_s, timezone.utc)
    while hour <= end:
        local = hour.astimezone(report.day_start.tzinfo)
        x = left + per_s * (hour.timestamp() - start_s)
        major = local.hour % every == 0
        body.append(
            f'<line x1="{x:.1f}" y1="{tick_top}" x2="{x:.1f}" y2="{tick_top + (6 if major else 3)}"'
            f' stroke="{r.muted}"/>'
        )
        if major:
            midnight = hour.timestamp() == report.day_end.timestamp()
            label = "24:00" if midnight else f"{local.hour:02d}:00"
            body.append(ink.t(x, tick_top + 18, label, size=11, anchor="middle", fill=r.muted))
        hour += timedelta(hours=1)
    # Two rows so a nudge and the break it led to do not cover each other; each says what it is.
    for mark, spot in zip(report.marks, timeline_hotspots(report, width=width), strict=True):
        body.append(
            f"<g><title>{escape(spot.text)}</title>{ink.marker(mark.kind, spot.x, spot.y)}</g>"
        )
    # Legend: states with their patterns, then the markers.
    y = height - 30
    x = float(left)
    for state in ("sitting", "standing", "away", "unknown"):
        body.append(
            f'<rect x="{x:.1f}" y="{y - 10}" width="18" height="12" fill="url(#{prefix}-{state})"'
            f' stroke="{r.text}" stroke-width="0.5"/>'
        )
        body.append(ink.t(x + 23, y, state_name(state), size=12))
        x += 100
    body.append(
        f'<rect x="{x:.1f}" y="{y - 10}" width="18" height="12" fill="{r.surface}"'
        f' stroke="{r.border}"/>'
    )
    body.append(ink.t(x + 23, y, "Not recorded", size=12))
    x += 120
    body.append(
        f'<rect x="{x:.1f}" y="{y - 7}" width="18" height="5" fill="url(#{prefix}-stretch)"/>'
    )
    body.append(ink.t(x + 23, y, SITTING_STRETCH.capitalize(), size=12))
    y2 = height - 10
    x = float(left)
    for kind, (label, _role) in MARK_STYLE.items():
        body.append(ink.marker(kind, x + 8, y2 - 4))
        body.append(ink.t(x + 20, y2, label, size=12))
        x += 120
    return ink.svg(width, height, body, title)


def histogram_svg(
    report: DayReport, *, width: int = 460, prefix: str = "hist", roles: Roles = LIGHT
) -> str:
    """Sitting time per hip-angle bin, with the bent-hips zone marked."""
    ink, r = _Ink(roles), roles
    title = "Hip angle while sitting"
    height, left, right, top, bottom = 280, 54, 12, 34, 80
    body = ink.panel(prefix, title, left)
    plot_w, plot_h = width - left - right, height - top - bottom
    bins = report.angle_bins
    total = sum(b.seconds for b in bins)
    if not bins or total <= 0:
        msg = "No sitting recorded" if report.has_data else "No data recorded on this day"
        if report.has_data and report.angle_unmeasured_s:
            msg = "Hip angle not measured (hips hidden)"
        body.append(ink.t(width / 2, height / 2, msg, size=13, anchor="middle", fill=r.muted))
        return ink.svg(width, height, body, title)
    lo, hi = bins[0].lo_deg, bins[-1].hi_deg

    def x_of(deg: float) -> float:
        return left + plot_w * (deg - lo) / (hi - lo)

    # Bent-hips zone: hip angle at or below 180° − threshold.
    limit = hip_angle_from_flexion(report.flexion_threshold_deg)
    if lo < limit:
        zx = x_of(min(limit, hi))
        body.append(
            f'<rect x="{left}" y="{top}" width="{zx - left:.1f}" height="{plot_h}"'
            f' fill="{r.bent_zone}"/>'
        )
        body.append(
            f'<line x1="{zx:.1f}" y1="{top}" x2="{zx:.1f}" y2="{top + plot_h}"'
            f' stroke="{r.bent_ink}" stroke-dasharray="4,3"/>'
        )
    peak = max(b.seconds for b in bins)
    for b in bins:
        if b.seconds <= 0:
            continue
        x0, x1 = x_of(b.lo_deg) + 1, x_of(b.hi_deg) - 1
        h = (plot_h - 12) * b.seconds / peak  # room above the tallest bar for a two-line value
        body.append(
            f'<rect x="{x0:.1f}" y="{top + plot_h - h:.1f}" width="{x1 - x0:.1f}" height="{h:.1f}"'
            f' fill="url(#{prefix}-sitting)" stroke="{r.text}" stroke-width="0.5"/>'
        )
        body.append(ink.amount((x0 + x1) / 2, top + plot_h - h - 4, duration(b.seconds), x1 - x0))
    body.append(
        f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}"'
        f' stroke="{r.text}"/>'
    )
    deg = lo
    while deg <= hi:
        x = x_of(deg)
        body.append(
            f'<line x1="{x:.1f}" y1="{top + plot_h}" x2="{x:.1f}" y2="{top + plot_h + 4}"'
            f' stroke="{r.text}"/>'
        )
        body.append(ink.t(x, top + plot_h + 16, f"{deg:g}°", size=11, anchor="middle"))
        deg += 2 * ANGLE_BIN_DEG  # on bin edges: 60°, 90°, 120°…
    body.append(
        ink.t(left + plot_w / 2, height - 44, f"hip angle ({HIP_ANGLE_NOTE})", size=11,
           anchor="middle", fill=r.muted)
    )  # fmt: skip
    body.append(
        ink.t(14, top + plot_h / 2, "sitting time", size=11, anchor="middle", fill=r.muted,
           transform=f"rotate(-90 14 {top + plot_h / 2:.1f})")
    )  # fmt: skip
    note = f"shaded: hips {bent_past(report.flexion_threshold_deg)} (hip angle ≤ {limit:g}°)"
    body.append(
        f'<rect x="{left}" y="{height - 31}" width="12" height="10" fill="{r.bent_zone}"'
        f' stroke="{r.bent_ink}" stroke-width="0.5"/>'
    )
    body.append(ink.t(left + 17, height - 22, note, size=11, fill=r.bent_ink))
    if report.angle_unmeasured_s:
        unmeasured = f"angle not measured (hips hidden): {duration(report.angle_unmeasured_s)}"
        body.append(ink.t(left, height - 6, unmeasured, size=11, fill=r.muted))
    return ink.svg(width, height, body, title)


_NICE_TOPS_MIN = (20, 40, 60, 90, 120, 180, 240, 360, 480, 600, 720, 960, 1200, 1440, 1500)


def trend_svg(
    report: DayReport, *, width: int = 460, prefix: str = "trend", roles: Roles = LIGHT
) -> str:
    """Sitting time per day over the last 7 days, each day's longest sitting stretch inside its bar."""
    ink, r = _Ink(roles), roles
    height = 250
    left, right, top, bottom = 54, 12, 34, 58
    plot_w, plot_h = width - left - right, height - top - bottom
    title = "Last 7 days"
    body = ink.panel(prefix, title, left)
    days = report.trend
    measured = [d.sitting_s for d in days if d.sitting_s is not None]
    peak = max(measured, default=0.0)
    # A round top for the axis whose half is round too.
    top_s = next((t * 60.0 for t in _NICE_TOPS_MIN if t * 60.0 >= peak), max(peak, 60.0))
    for frac in (0.0, 0.5, 1.0):
        y = top + plot_h * (1 - frac)
        body.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" stroke="{r.border}"/>'
        )
        body.append(ink.t(left - 6, y + 4, duration(top_s * frac), size=10, anchor="end"))
    slot = plot_w / len(days)
    for i, d in enumerate(days):
        cx = left + slot * (i + 0.5)
        bar_w = slot * 0.6
        selected = d.day == report.day
        label = f"{d.day:%a}"
        body.append(
            ink.t(cx, top + plot_h + 16, label, size=11, anchor="middle",
               font_weight="bold" if selected else "normal")
        )  # fmt: skip
        body.append(
            ink.t(cx, top + plot_h + 30, f"{d.day.day}", size=10, anchor="middle", fill=r.muted)
        )
        if d.sitting_s is None:
            # No data is not zero: an outline and a word, never an empty bar.
            body.append(
                f'<rect x="{cx - bar_w / 2:.1f}" y="{top + plot_h - 40}" width="{bar_w:.1f}"'
                f' height="40" fill="none" stroke="{r.border}" stroke-dasharray="3,3"/>'
            )
            body.append(
                ink.t(cx, top + plot_h - 16, "no data", size=9, anchor="middle", fill=r.muted)
            )
            continue
        h = plot_h * d.sitting_s / top_s
        body.append(
            f'<rect x="{cx - bar_w / 2:.1f}" y="{top + plot_h - h:.1f}" width="{bar_w:.1f}"'
            f' height="{h:.1f}" fill="url(#{prefix}-sitting)"'
            f' stroke="{r.text if selected else "none"}" stroke-width="1.5"/>'
        )
        if d.longest_bout_s:
            hb = plot_h * d.longest_bout_s / top_s
            body.append(
                f'<rect x="{cx - bar_w / 4:.1f}" y="{top + plot_h - hb:.1f}" width="{bar_w / 2:.1f}"'
                f' height="{hb:.1f}" fill="url(#{prefix}-stretch)"/>'
            )
        body.append(ink.amount(cx, top + plot_h - h - 4, duration(d.sitting_s), slot - 4))
    y = height - 8
    body.append(
        f'<rect x="{left}" y="{y - 10}" width="14" height="12" fill="url(#{prefix}-sitting)"/>'
    )
    body.append(ink.t(left + 19, y, "Sitting", size=11))
    body.append(
        f'<rect x="{left + 90}" y="{y - 10}" width="14" height="12" fill="url(#{prefix}-stretch)"/>'
    )
    body.append(ink.t(left + 109, y, LONGEST_STRETCH, size=11))
    return ink.svg(width, height, body, title)


def balance_svg(
    report: DayReport, *, width: int = 460, prefix: str = "bal", roles: Roles = LIGHT
) -> str:
    """Glute bridges vs dead bugs taken as breaks over the last 7 days, as one split bar."""
    ink, r = _Ink(roles), roles
    height = 96
    left, right = 16, 16
    plot_w = width - left - right
    b = report.balance
    title = f"Exercise balance, {b.first_day:%d %b} – {b.last_day:%d %b}"
    body = ink.panel(prefix, title, left)
    if b.total == 0:
        body.append(
            ink.t(width / 2, 56, "No exercise breaks in these 7 days", size=13, anchor="middle",
               fill=r.muted)
        )  # fmt: skip
        return ink.svg(width, height, body, title)
    x = float(left)
    names = list(b.counts)
    for name in names:
        n = b.counts[name]
        if n == 0:
            continue
        w = plot_w * n / b.total
        body.append(
            f'<rect x="{x:.1f}" y="32" width="{w:.1f}" height="26" fill="url(#{prefix}-{name})"'
            f' stroke="{r.text}" stroke-width="0.5"/>'
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
        body.append(ink.t(tx + 19 if i == 0 else tx - 19, 79, text, size=12, anchor=anchor))
    return ink.svg(width, height, body, title)


def all_charts(
    report: DayReport,
    roles: Roles = LIGHT,
    *,
    suffix: str = "",
    timeline_width: int = TIMELINE_WIDTH,
) -> dict[str, str]:
    """Every chart of the report by name (timeline, histogram, trend, balance) in one scheme;
    ``suffix`` keeps the ids of a second scheme's copy apart on one page."""
    return {
        "timeline": timeline_svg(report, roles=roles, prefix="tl" + suffix, width=timeline_width),
        "histogram": histogram_svg(report, roles=roles, prefix="hist" + suffix),
        "trend": trend_svg(report, roles=roles, prefix="trend" + suffix),
        "balance": balance_svg(report, roles=roles, prefix="bal" + suffix),
    }


__all__ = [
    "Hotspot",
    "all_charts",
    "balance_svg",
    "histogram_svg",
    "mark_words",
    "timeline_hotspots",
    "timeline_svg",
    "trend_svg",
]
