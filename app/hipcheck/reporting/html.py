"""The daily report as ONE self-contained HTML file: inline CSS, inline SVG charts, nothing fetched.

Fit to open in any browser or attach to an email: no scripts, no web fonts, no external URLs.
The page follows the reader's light or dark preference (``prefers-color-scheme``): the colours
are the named roles of ``hipcheck.core.colours`` as CSS variables, and each chart is embedded once
per scheme with the other one hidden.
"""

from __future__ import annotations

from html import escape

from hipcheck import __version__
from hipcheck.core.colours import DARK, LIGHT, css_variables
from hipcheck.core.glossary import (
    BENT_HIPS,
    LONGEST_STRETCH,
    STRETCHES_LABEL,
    bent_past_explained,
    break_that_ends_stretch,
    clock_time,
    count,
    day_name,
    duration,
)
from hipcheck.core.report import DayReport
from hipcheck.reporting.charts import all_charts
from hipcheck.reporting.render import (
    count_rows,
    day_subtitle,
    empty_message,
    share_of_recorded,
    time_rows,
)

_THEMES = (
    f":root {{ color-scheme: light dark; {css_variables(LIGHT)} }}\n"
    f"@media (prefers-color-scheme: dark) {{ :root {{ {css_variables(DARK)} }}"
    " .scheme-light { display: none; } }\n"
)
_CSS = (
    _THEMES
    + """
@media not (prefers-color-scheme: dark) { .scheme-dark { display: none; } }
body { font-family: "DejaVu Sans", Arial, Helvetica, sans-serif; color: var(--text);
  background: var(--background); margin: 24px auto; max-width: 1000px; padding: 0 16px;
  line-height: 1.4; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 16px; margin: 24px 0 8px; }
.sub { color: var(--muted); margin: 0 0 16px; }
.empty { border: 1px dashed var(--border); padding: 16px; background: var(--surface); }
.grid { display: flex; flex-wrap: wrap; gap: 12px 28px; align-items: flex-start; }
.card { border: 1px solid var(--border); border-radius: 6px; padding: 8px 12px; min-width: 110px; }
.cards { gap: 10px; }
.card .v { font-size: 20px; font-weight: bold; }
.card .l { color: var(--muted); font-size: 13px; }
table { border-collapse: collapse; font-size: 14px; }
td, th { padding: 3px 12px 3px 0; text-align: left; }
td.n { text-align: right; }
td.part { padding-left: 1.2em; }
td.s { color: var(--muted); text-align: right; }
.charts { display: flex; flex-wrap: wrap; gap: 16px; }
svg { max-width: 100%; height: auto; }
footer { color: var(--muted); font-size: 12px; margin-top: 32px; }
"""
)


def _both(light: str, dark: str) -> str:
    """A chart in both schemes; the reader's preference shows one."""
    return f'<div class="scheme-light">{light}</div><div class="scheme-dark">{dark}</div>'


def _card(label: str, value: str) -> str:
    """One big number with its label."""
    label = label[:1].upper() + label[1:]  # "hips bent" heads a card as "Hips bent"
    return f'<div class="card"><div class="v">{escape(value)}</div><div class="l">{escape(label)}</div></div>'


def render_html(report: DayReport) -> str:
    """The whole report as one HTML document."""
    light = all_charts(report, LIGHT)
    dark = all_charts(report, DARK, suffix="-dark")
    charts = {name: _both(light[name], dark[name]) for name in light}
    title = f"HipCheck report — {day_name(report.day)}"
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{escape(title)}</h1>",
    ]
    sub = day_subtitle(report)
    if sub:
        parts.append(f'<p class="sub">{escape(sub)}</p>')
    if not report.has_data:
        parts.append(f'<p class="empty" id="empty">{escape(empty_message(report))}</p>')
    else:
        cards = [_card(label, duration(seconds)) for label, seconds in time_rows(report)[:4]] + [
            _card(STRETCHES_LABEL, count(report.bout_count)),
            _card(LONGEST_STRETCH, duration(report.longest_bout_s)),
        ]
        parts.append('<div class="grid cards" id="numbers">' + "".join(cards) + "</div>")
    parts.append("<h2>The day</h2>")
    parts.append(charts["timeline"])
    if report.has_data:
        parts.append('<div class="grid">')
        rows = "".join(
            f"<tr><td{' class=part' if label == BENT_HIPS else ''}>{escape(label)}</td>"
            f"<td class='n'>{escape(duration(v))}</td>"
            f"<td class='s'>{'' if i == 0 else escape(share_of_recorded(v, report))}</td></tr>"
            for i, (label, v) in enumerate(time_rows(report))
        )
        parts.append(f"<table><tr><th colspan='3'>Time</th></tr>{rows}</table>")
        rows = "".join(
            f"<tr><td>{escape(label)}</td><td class='n'>{escape(count(v))}</td></tr>"
            for label, v in count_rows(report)
        )
        parts.append(f"<table><tr><th colspan='2'>Reminders</th></tr>{rows}</table>")
        bouts = "".join(
            f"<tr><td>{clock_time(b.start)}–{clock_time(b.end)}</td>"
            f"<td class='n'>{escape(duration(b.duration_s))}</td></tr>"
            for b in report.bouts
        )
        parts.append(f"<table><tr><th colspan='2'>{STRETCHES_LABEL}</th></tr>{bouts}</table>")
        parts.append("</div>")
    parts.append("<h2>Posture and the week</h2>")
    parts.append(
        '<div class="charts">'
        + charts["histogram"]
        + charts["trend"]
        + charts["balance"]
        + "</div>"
    )
    parts.append(
        f"<footer>Made by HipCheck {escape(__version__)} from the history on this computer. "
        f"{escape(break_that_ends_stretch(report.natural_break_s / 60))} "
        f"{escape(bent_past_explained(report.flexion_threshold_deg))}</footer>"
    )
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"
