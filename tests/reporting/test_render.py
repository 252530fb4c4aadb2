"""The report's renderers (text, JSON, CSV, HTML) and charts, on a real store of known days."""

from __future__ import annotations

import csv
import io
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from hipcheck.core.colours import DARK, LIGHT
from hipcheck.core.glossary import banned_in
from hipcheck.core.report import DayReport, build_day_report, timeline_span
from hipcheck.reporting import FORMATS, render, write_report
from hipcheck.reporting.charts import all_charts, timeline_hotspots, timeline_svg
from hipcheck.store.db import Store
from reporting.sample_days import BERLIN, TUESDAY, at, fill_tuesday

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    """A real store holding ``fill_tuesday``."""
    s = Store.open(tmp_path / "hipcheck.sqlite3")
    fill_tuesday(s)
    yield s
    s.close()


@pytest.fixture
def tuesday(store: Store) -> DayReport:
    """The report of the known Tuesday."""
    return build_day_report(store, TUESDAY, tz=BERLIN)


@pytest.fixture
def empty(store: Store) -> DayReport:
    """The report of a day with nothing recorded."""
    return build_day_report(store, date(2026, 11, 7), tz=BERLIN)


def test_text_summary(tuesday: DayReport) -> None:
    """The terminal summary carries the hand-computed numbers in readable units."""
    text = render(tuesday, "text")
    assert "HipCheck report for Tuesday 10 November 2026\n" in text
    # Of the recorded day, never of the 24 hours: 119 of 140 recorded minutes sitting.
    assert "Recorded 2 h 20 min, 09:00–11:20" in text
    assert re.search(r"Sitting\s+1 h 59 min\s+85 %", text)
    assert re.search(r"Standing\s+11 min\s+8 %", text)
    assert "Not recorded" not in text and "Europe/Berlin" not in text
    assert re.search(r"\n    hips bent\s+1 h 10 min", text)
    assert "Hips bent past 45°: a hip angle of 135° or less (180° = straight)." in text
    assert re.search(r"Standing\s+11 min", text)
    assert re.search(r"Sitting stretches\s+2\s+longest 1 h 30 min", text)
    assert "09:00–10:30" in text and "10:45–11:15" in text
    assert re.search(r"Nudges sent\s+2", text) and re.search(r"Snoozed\s+1", text)
    assert "Glute bridge 1, Dead bug 0" in text
    assert banned_in(text) == []


def test_text_of_an_empty_day_says_so(empty: DayReport) -> None:
    """An empty day is named as such and shows no zeros as if measured."""
    text = render(empty, "text")
    assert "No data recorded on Saturday 7 November 2026" in text
    assert "Sitting stretches" not in text
    assert not re.search(r"\b0 min\b", text)


def test_json_has_the_numbers(tuesday: DayReport, empty: DayReport) -> None:
    """JSON: seconds as numbers, nulls for an empty day."""
    doc = json.loads(render(tuesday, "json"))
    assert doc["sitting_s"] == 7140.0 and doc["flexion_s"] == 4200.0
    assert doc["bouts"] == 2 and doc["longest_bout_s"] == 5400.0
    assert doc["day_length_s"] == 86400.0
    assert (doc["nudges"], doc["breaks_taken"], doc["snoozed"], doc["skipped"]) == (2, 1, 1, 1)
    assert doc["exercise_balance"]["glute_bridge"] == 1
    assert [e["kind"] for e in doc["events"]][:2] == ["nudge", "break_started"]
    assert doc["timeline"][0]["start"] == "2026-11-10T09:00:00+01:00"
    nothing = json.loads(render(empty, "json"))
    assert nothing["has_data"] is False
    assert nothing["sitting_s"] is None and nothing["bouts"] is None


def test_csv_lists_the_days_intervals_and_events(tuesday: DayReport) -> None:
    """One row per interval and per event, in time order, parseable by the csv module."""
    rows = list(csv.DictReader(io.StringIO(render(tuesday, "csv"))))
    intervals = [r for r in rows if r["record"] == "interval"]
    events = [r for r in rows if r["record"] == "event"]
    assert len(intervals) == 7 and len(events) == 6
    assert sum(float(r["duration_s"]) for r in intervals if r["state"] == "sitting") == 7140.0
    assert [r["start"] for r in rows] == sorted(r["start"] for r in rows)
    done = next(r for r in events if r["kind"] == "break_done")
    assert json.loads(done["detail"]) == {"exercise": "glute_bridge"}


def _external_refs(html: str) -> list[str]:
    """Anything a browser would fetch: src/href attributes, CSS url(), @import, scripts."""
    found = re.findall(r"""(?:src|href)\s*=\s*["']?([^"'\s>]+)""", html, flags=re.I)
    found += re.findall(r"url\(\s*['\"]?(?!#)([^)'\"]+)", html, flags=re.I)
    found += re.findall(r"@import|<script|<link|<iframe|<img", html, flags=re.I)
    return found


def test_html_is_one_self_contained_file(tuesday: DayReport, empty: DayReport) -> None:
    """Inline CSS and SVG, nothing fetched, every chart's ids unique in the page."""
    for report in (tuesday, empty):
        html = render(report, "html")
        assert html.startswith("<!DOCTYPE html>")
        assert _external_refs(html) == []
        assert html.count("<svg ") == 8  # each chart in the light and the dark scheme
        ids = re.findall(r'\bid="([^"]+)"', html)
        assert len(ids) == len(set(ids))
    assert "1 h 59 min" in render(tuesday, "html")
    assert "No data recorded on" in render(empty, "html")


def test_charts_are_well_formed_svg(tuesday: DayReport, empty: DayReport) -> None:
    """Each chart parses as XML, and the timeline draws one band rect per interval."""
    for report in (tuesday, empty):
        for name, svg in all_charts(report).items():
            root = ET.fromstring(svg)
            assert root.tag == f"{SVG}svg", name
    root = ET.fromstring(timeline_svg(tuesday))
    bands = [r for r in root.iter(f"{SVG}rect") if r.get("fill", "").startswith("url(#tl-")]
    states = [r.get("fill") for r in bands if r.get("height") == "44"]
    assert states == [
        "url(#tl-sitting)",
        "url(#tl-standing)",
        "url(#tl-sitting)",
        "url(#tl-standing)",
        "url(#tl-unknown)",
        "url(#tl-sitting)",
        "url(#tl-away)",
    ]
    # The timeline spans the working hours 08:00–18:00: the 09:00 start sits at 1/10 of the band.
    first = next(r for r in bands if r.get("height") == "44")
    assert float(first.get("x", "0")) == pytest.approx(16 + 928 * 1 / 10, abs=0.1)
    labels = [t.text for t in root.iter(f"{SVG}text")]
    assert "08:00" in labels and "18:00" in labels and "07:00" not in labels
    assert "No data recorded on this day" in timeline_svg(empty)


def test_a_dst_timeline_has_23_hour_ticks(store: Store) -> None:
    """The spring-forward day is drawn over 23 real hours; its labels skip 02:00."""
    store.record_interval(at(2026, 3, 29, 1, 0), at(2026, 3, 29, 4, 0), "sitting", 100.0, 0.0)
    # Working hours 0–24: the whole day is shown.
    report = build_day_report(store, date(2026, 3, 29), tz=BERLIN, work_hours_h=(0.0, 24.0))
    root = ET.fromstring(timeline_svg(report))
    ticks = [ln for ln in root.iter(f"{SVG}line") if ln.get("stroke") == LIGHT.muted]
    assert len(ticks) == 24  # 23 hours: 24 tick marks including both midnights
    labels = [t.text for t in root.iter(f"{SVG}text")]
    assert "03:00" in labels and "02:00" not in labels


@pytest.mark.parametrize("fmt", FORMATS)
def test_write_report_writes_each_format(tuesday: DayReport, tmp_path: Path, fmt: str) -> None:
    """``write_report`` writes what ``render`` returns and leaves no temporary files."""
    target = tmp_path / f"out.{fmt}"
    write_report(tuesday, fmt, target)
    assert target.read_text(encoding="utf-8") == render(tuesday, fmt)
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_an_unknown_format_is_refused(tuesday: DayReport) -> None:
    """A format outside FORMATS is a ValueError, not an empty file."""
    with pytest.raises(ValueError, match="unknown report format"):
        render(tuesday, "pdf")


def test_timeline_spans_the_recorded_hours_and_explains_its_markers(store: Store) -> None:
    """Records outside the working hours widen the span to whole hours; markers carry words."""
    store.record_interval(at(2026, 11, 3, 6, 40), at(2026, 11, 3, 7, 10), "sitting", 100.0, 0.0)
    store.record_interval(at(2026, 11, 3, 19, 5), at(2026, 11, 3, 19, 30), "sitting", 100.0, 0.0)
    store.record_event(at(2026, 11, 3, 19, 20), "nudge", {"bout_s": 1500})
    report = build_day_report(store, date(2026, 11, 3), tz=BERLIN)
    lo, hi = timeline_span(report)
    assert (lo, hi) == (at(2026, 11, 3, 6, 0), at(2026, 11, 3, 20, 0))
    svg = timeline_svg(report)
    assert "<title>19:20 · Nudge: time to get up, after 25 min sitting</title>" in svg
    (spot,) = timeline_hotspots(report)
    assert spot.text.startswith("19:20 · Nudge")
    assert spot.x == pytest.approx(16 + 928 * (13 + 20 / 60) / 14, abs=0.1)


def test_the_html_follows_the_readers_colour_scheme(tuesday: DayReport) -> None:
    """Light and dark CSS variables behind prefers-color-scheme; each chart in both schemes."""
    html = render(tuesday, "html")
    assert "@media (prefers-color-scheme: dark)" in html
    assert f"--text: {LIGHT.text};" in html and f"--text: {DARK.text};" in html
    assert html.count('data-scheme="light"') == 4 and html.count('data-scheme="dark"') == 4
    assert "Time zone" not in html and "Recorded 2 h 20 min, 09:00–11:20" in html


def test_a_day_not_begun_says_it_is_in_the_future(store: Store) -> None:
    """A future day is not "not watched": it has not happened yet (today at midnight has)."""
    future = build_day_report(store, date(2026, 11, 12), tz=BERLIN, now=at(2026, 11, 11, 23, 59))
    assert future.is_future and not future.has_data
    text = render(future, "text")
    assert "Thursday 12 November 2026 is in the future: nothing is recorded yet." in text
    assert "not watching" not in text
    midnight = build_day_report(store, date(2026, 11, 12), tz=BERLIN, now=at(2026, 11, 12, 0, 0))
    assert not midnight.is_future
    assert "HipCheck was not watching that day" in render(midnight, "text")


def test_timer_only_time_is_a_part_of_the_recorded_time(store: Store) -> None:
    """An hour reminded by the clock alone (no camera) shows as its own row, with its share."""
    from hipcheck.core.timer import TIMER_ONLY
    from hipcheck.core.types import State

    store.record_interval(
        at(2026, 11, 10, 12, 0), at(2026, 11, 10, 13, 0), State.UNKNOWN, None, 0.0,
        extra={TIMER_ONLY: 1.0},
    )  # fmt: skip
    report = build_day_report(store, TUESDAY, tz=BERLIN)
    assert report.timer_only_s == 3600.0 and report.unknown_s == 300.0
    text = render(report, "text")
    # 60 of 200 recorded minutes; the camera's unknown time is not counted twice.
    assert re.search(r"Recorded\s+3 h 20 min\n", text)
    assert re.search(r"Timer only\s+1 h\s+30 %", text)
    assert re.search(r"Not sure\s+5 min\s+2 %", text)
    assert json.loads(render(report, "json"))["timer_only_s"] == 3600.0
