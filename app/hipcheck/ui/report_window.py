"""The report window: one day's numbers and charts, a day picker, previous/next, and Export.

The charts are the same SVG the HTML export embeds (``hipcheck.reporting.charts``), rendered with
QtSvg in the colour roles of the desktop's palette, so the window and the file never disagree.
The window sizes itself to the screen, reflows its charts to its width, explains the timeline's
markers on hover, and answers the keyboard: Esc closes, ← and → (or Page Up/Down) move a day,
Home goes to today.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import date, datetime, timedelta, tzinfo
from pathlib import Path

from PySide6.QtCore import QByteArray, QDate, QEvent, QPoint, Qt
from PySide6.QtGui import QCloseEvent, QHelpEvent, QKeySequence, QResizeEvent, QShortcut
from PySide6.QtSvgWidgets import QSvgWidget
from PySide6.QtWidgets import (
    QDateEdit,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from hipcheck.core.colours import Roles
from hipcheck.core.glossary import (
    BENT_HIPS,
    LONGEST_STRETCH,
    STRETCHES_LABEL,
    count,
    day_name,
    duration,
)
from hipcheck.core.report import DayRecordsLike, DayReport, build_day_report
from hipcheck.core.settings import Settings
from hipcheck.reporting.charts import (
    TIMELINE_WIDTH,
    Hotspot,
    all_charts,
    timeline_hotspots,
)
from hipcheck.reporting.localzone import local_zone
from hipcheck.reporting.render import (
    COUNT_LABELS,
    SUFFIXES,
    TIME_LABELS,
    count_rows,
    day_subtitle,
    empty_message,
    share_of_recorded,
    time_rows,
    write_report,
)
from hipcheck.store.db import DayRecords, Store
from hipcheck.ui.palette import ThemedMixin
from hipcheck.ui.screen import fit_to_screen

EXPORT_FILTERS = {
    "html": "Web page, one file (*.html)",
    "csv": "Intervals and events (*.csv)",
    "json": "JSON (*.json)",
}


class _NoHistory:
    """The records of a history that does not exist yet: every day is empty."""

    def load_day(self, day: date, tz: tzinfo | None = None) -> DayRecordsLike:
        """Nothing, for any day."""
        return DayRecords(day=day, intervals=(), events=())


class ChartView(QSvgWidget):
    """One chart; hovering a marker shows what it was (``hotspots`` are in the SVG's pixels)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.hotspots: list[Hotspot] = []

    def hotspot_at(self, pos: QPoint) -> Hotspot | None:
        """The marker under ``pos`` (widget pixels), or None."""
        size = self.renderer().defaultSize()
        if size.width() <= 0 or self.width() <= 0:
            return None
        sx, sy = size.width() / self.width(), size.height() / self.height()
        x, y = pos.x() * sx, pos.y() * sy
        near = [h for h in self.hotspots if (h.x - x) ** 2 + (h.y - y) ** 2 <= h.radius**2]
        return min(near, key=lambda h: (h.x - x) ** 2 + (h.y - y) ** 2, default=None)

    def event(self, event: QEvent) -> bool:
        """Tooltips for the markers."""
        if event.type() == QEvent.Type.ToolTip:
            assert isinstance(event, QHelpEvent)
            spot = self.hotspot_at(event.pos())
            if spot is None:
                QToolTip.hideText()
                event.ignore()
            else:
                QToolTip.showText(event.globalPos(), spot.text, self)
            return True
        return super().event(event)


class ReportWindow(ThemedMixin, QWidget):
    """One day's sitting report with a day picker; opened from the tray menu."""

    def __init__(
        self,
        store: Store | str | os.PathLike[str],
        *,
        today: date,
        tz: tzinfo | None = None,
        settings: Settings | None = None,
        now: Callable[[], datetime] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("HipCheck — Daily report")
        self._tz = tz or local_zone()
        self._today = today
        self._settings = settings or Settings()
        self._now = now or (lambda: datetime.now(self._tz))
        self._owned: Store | None = None
        self._source: Store | _NoHistory
        if isinstance(store, Store):
            self._source = store
        elif Path(store).is_file():
            # A path: read it here (and close it with the window); never create or change it.
            self._owned = Store.open_readonly(store)
            self._source = self._owned
        else:
            self._source = _NoHistory()
        self.report: DayReport | None = None
        self._chart_width = TIMELINE_WIDTH
        self._build()
        self.refresh_roles()
        self.show_day(today)

    # ---- layout ---------------------------------------------------------------------------

    def _build(self) -> None:
        """Create the widgets."""
        self.prev_button = QPushButton("◀ Previous day")
        self.next_button = QPushButton("Next day ▶")
        self.today_button = QPushButton("Today")
        self.date_edit = QDateEdit()
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat("ddd d MMM yyyy")
        self.date_edit.setMaximumDate(_qdate(self._today))
        self.export_button = QPushButton("Export…")
        self.export_button.setToolTip("Save this report as an HTML page, CSV or JSON file")
        self.prev_button.setToolTip("The day before (← or Page Up)")
        self.next_button.setToolTip("The day after (→ or Page Down)")
        self.today_button.setToolTip("Today (Home)")
        self.prev_button.clicked.connect(self.previous_day)
        self.next_button.clicked.connect(self.next_day)
        self.today_button.clicked.connect(lambda: self.show_day(self._today))
        self.date_edit.dateChanged.connect(self._date_picked)
        self.export_button.clicked.connect(self._export_clicked)

        bar = QHBoxLayout()
        for w in (self.prev_button, self.date_edit, self.next_button, self.today_button):
            bar.addWidget(w)
        bar.addStretch(1)
        bar.addWidget(self.export_button)

        self.title_label = QLabel()
        title_font = self.title_label.font()
        title_font.setPointSizeF(title_font.pointSizeF() * 1.5)
        title_font.setBold(True)
        self.title_label.setFont(title_font)
        self.subtitle_label = QLabel()
        self.empty_label = QLabel()
        self.empty_label.setWordWrap(True)

        self.value_labels: dict[str, QLabel] = {}
        self.share_labels: dict[str, QLabel] = {}
        self.numbers = QWidget()
        grid = QGridLayout(self.numbers)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(14)
        # Two columns: time (with its share of the recorded time) on the left, sitting stretches
        # and reminders on the right.
        right = [STRETCHES_LABEL, LONGEST_STRETCH, *COUNT_LABELS]
        for col, names in ((0, list(TIME_LABELS)), (4, right)):
            for row, name in enumerate(names):
                value = QLabel()
                value.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                bold = value.font()
                bold.setBold(True)
                value.setFont(bold)
                label = QLabel(name[:1].upper() + name[1:])
                if name == BENT_HIPS:
                    label.setIndent(label.fontMetrics().averageCharWidth() * 2)  # part of sitting
                grid.addWidget(label, row, col)
                grid.addWidget(value, row, col + 1)
                self.value_labels[name] = value
                if col == 0 and row > 0:
                    share = QLabel()
                    share.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                    grid.addWidget(share, row, col + 2)
                    self.share_labels[name] = share
        grid.setColumnMinimumWidth(3, 24)
        grid.setColumnStretch(6, 1)

        self.chart_widgets: dict[str, ChartView] = {
            name: ChartView() for name in ("timeline", "histogram", "trend", "balance")
        }
        self._charts = QGridLayout()
        self._charts.setContentsMargins(0, 0, 0, 0)

        content = QWidget()
        content.setObjectName("reportContent")
        body = QVBoxLayout(content)
        self._body = body
        body.addWidget(self.title_label)
        body.addWidget(self.subtitle_label)
        body.addWidget(self.empty_label)
        body.addWidget(self.numbers)
        body.addLayout(self._charts)
        body.addStretch(1)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setWidget(content)
        self.scroll.setFrameShape(QScrollArea.Shape.NoFrame)

        outer = QVBoxLayout(self)
        outer.addLayout(bar)
        outer.addWidget(self.scroll)
        self._place_charts(wide=True)
        self._keys()
        fit_to_screen(self, 1020, 860)

    def _keys(self) -> None:
        """Esc closes; arrows and Page Up/Down move a day; Home is today.

        The arrows are window shortcuts, so the date field (which uses them itself while it has
        the focus) keeps them.
        """
        keys = {
            Qt.Key.Key_Escape: self.close,
            Qt.Key.Key_Left: self.previous_day,
            Qt.Key.Key_PageUp: self.previous_day,
            Qt.Key.Key_Right: self.next_day,
            Qt.Key.Key_PageDown: self.next_day,
            Qt.Key.Key_Home: lambda: self.show_day(self._today),
        }
        self._shortcuts = []
        for key, slot in keys.items():
            shortcut = QShortcut(QKeySequence(key), self)
            shortcut.activated.connect(slot)
            self._shortcuts.append(shortcut)

    def previous_day(self) -> None:
        """Show the day before."""
        self.show_day(self.day - timedelta(days=1))

    def next_day(self) -> None:
        """Show the day after (never past today)."""
        if self.day < self._today:
            self.show_day(self.day + timedelta(days=1))

    def _place_charts(self, *, wide: bool) -> None:
        """The timeline on top; the histogram and the week side by side when they fit."""
        grid = self._charts
        for w in self.chart_widgets.values():
            grid.removeWidget(w)
        top = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop
        grid.addWidget(self.chart_widgets["timeline"], 0, 0, 1, 2, top)
        if wide:
            grid.addWidget(self.chart_widgets["histogram"], 1, 0, top)
            grid.addWidget(self.chart_widgets["trend"], 1, 1, top)
            grid.addWidget(self.chart_widgets["balance"], 2, 0, 1, 2, top)
        else:
            for row, name in enumerate(("histogram", "trend", "balance"), start=1):
                grid.addWidget(self.chart_widgets[name], row, 0, 1, 2, top)
        grid.setColumnStretch(2, 1)
        self._wide = wide

    def apply_roles(self, roles: Roles) -> None:
        """Colours from the palette's roles (also for the charts, drawn on the next show)."""
        self.subtitle_label.setStyleSheet(f"color: {roles.muted};")
        for share in self.share_labels.values():
            share.setStyleSheet(f"color: {roles.muted};")
        self.empty_label.setStyleSheet(
            f"border: 1px dashed {roles.border}; padding: 12px; background: {roles.surface};"
            f" color: {roles.text};"
        )
        if self.report is not None:
            self._draw_charts()

    def changeEvent(self, event: QEvent) -> None:
        """A new desktop palette recolours the window."""
        self.themed_change(event)
        super().changeEvent(event)

    def resizeEvent(self, event: QResizeEvent) -> None:
        """Reflow: the timeline takes the width; the small charts stack when narrow."""
        super().resizeEvent(event)
        self._reflow()

    def _reflow(self) -> None:
        margins = self._body.contentsMargins()
        scrollbar = self.scroll.verticalScrollBar().sizeHint().width()
        width = self.scroll.width() - margins.left() - margins.right() - scrollbar - 4
        width = max(480, min(1400, width))
        wide = width >= 2 * 460 + self._charts.horizontalSpacing()
        if wide != self._wide:
            self._place_charts(wide=wide)
        if width != self._chart_width:
            self._chart_width = width
            if self.report is not None:
                self._draw_charts()

    def _draw_charts(self) -> None:
        assert self.report is not None and self._roles is not None
        charts = all_charts(self.report, self._roles, timeline_width=self._chart_width)
        for name, svg in charts.items():
            widget = self.chart_widgets[name]
            widget.load(QByteArray(svg.encode("utf-8")))
            widget.setFixedSize(widget.renderer().defaultSize())
        self.chart_widgets["timeline"].hotspots = timeline_hotspots(
            self.report, width=self._chart_width
        )

    # ---- showing a day --------------------------------------------------------------------

    @property
    def day(self) -> date:
        """The day shown."""
        assert self.report is not None
        return self.report.day

    def _date_picked(self, qdate: QDate) -> None:
        """The date edit changed (by the user or by ``show_day``)."""
        picked = date(qdate.year(), qdate.month(), qdate.day())
        if self.report is None or picked != self.report.day:
            self.show_day(picked)

    def show_day(self, day: date) -> DayReport:
        """Build and show the report of ``day`` (days after today are not shown)."""
        day = min(day, self._today)
        now = self._now() if day == self._today else None
        report = build_day_report(
            self._source,
            day,
            tz=self._tz,
            now=now,
            natural_break_s=self._settings.natural_break_min * 60.0,
            flexion_threshold_deg=self._settings.flexion_threshold_deg,
            work_hours_h=(self._settings.work_start_h, self._settings.work_end_h),
        )
        self.report = report
        self.date_edit.blockSignals(True)
        self.date_edit.setDate(_qdate(day))
        self.date_edit.blockSignals(False)
        self.next_button.setEnabled(day < self._today)
        self.title_label.setText(day_name(day))
        sub = day_subtitle(report)
        self.subtitle_label.setText(sub)
        self.subtitle_label.setVisible(bool(sub))
        if isinstance(self._source, _NoHistory):
            self.empty_label.setText(
                "No data recorded yet. HipCheck keeps a history once it has watched you sit."
            )
        else:
            self.empty_label.setText(empty_message(report))
        self.empty_label.setVisible(not report.has_data)
        self.numbers.setVisible(report.has_data)
        for label, seconds in time_rows(report):
            self.value_labels[label].setText(duration(seconds))
            if label in self.share_labels:
                self.share_labels[label].setText(share_of_recorded(seconds, report))
        self.value_labels[STRETCHES_LABEL].setText(count(report.bout_count))
        self.value_labels[LONGEST_STRETCH].setText(duration(report.longest_bout_s))
        for label, n in count_rows(report):
            self.value_labels[label].setText(count(n))
        self._draw_charts()
        # Re-lay out now, so a hidden block leaves no hole even before the event loop runs.
        self._body.activate()
        return report

    # ---- export ---------------------------------------------------------------------------

    def export_to(self, path: str | os.PathLike[str], fmt: str) -> Path:
        """Write the shown day's report to ``path`` as ``fmt`` (html, csv or json)."""
        assert self.report is not None
        if fmt not in EXPORT_FILTERS:
            raise ValueError(f"cannot export as {fmt!r}")
        return write_report(self.report, fmt, path)

    def _export_clicked(self) -> None:
        """Ask where to save and in which format, then write."""
        suggested = str(Path.home() / f"hipcheck-{self.day.isoformat()}.html")
        filters = ";;".join(EXPORT_FILTERS.values())
        path, chosen = QFileDialog.getSaveFileName(self, "Export report", suggested, filters)
        if not path:
            return
        fmt = next((k for k, v in EXPORT_FILTERS.items() if v == chosen), "html")
        if not Path(path).suffix:
            path += SUFFIXES[fmt]
        try:
            self.export_to(path, fmt)
        except OSError as exc:
            QMessageBox.warning(self, "Export failed", f"Could not write {path}: {exc}")

    def closeEvent(self, event: QCloseEvent) -> None:
        """Close the database this window opened itself."""
        if self._owned is not None:
            self._owned.close()
            self._owned = None
        super().closeEvent(event)


def _qdate(day: date) -> QDate:
    """A ``QDate`` of ``day``."""
    return QDate(day.year, day.month, day.day)
