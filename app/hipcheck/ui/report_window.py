"""The report window: one day's numbers and charts, a day picker, previous/next, and Export.

The charts are the same SVG the HTML export embeds (``hipcheck.reporting.charts``), rendered with
QtSvg, so the window and the file never disagree.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import date, datetime, timedelta, tzinfo
from pathlib import Path

from PySide6.QtCore import QByteArray, QDate, Qt
from PySide6.QtGui import QCloseEvent, QColor, QPalette
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
    QVBoxLayout,
    QWidget,
)

from hipcheck.core.glossary import LONGEST_STRETCH, STRETCHES_LABEL, count, day_name, duration
from hipcheck.core.report import DayRecordsLike, DayReport, build_day_report
from hipcheck.core.settings import Settings
from hipcheck.reporting.charts import all_charts
from hipcheck.reporting.localzone import local_zone
from hipcheck.reporting.render import (
    COUNT_LABELS,
    SUFFIXES,
    TIME_LABELS,
    count_rows,
    empty_message,
    time_rows,
    write_report,
)
from hipcheck.store.db import DayRecords, Store

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


class ReportWindow(QWidget):
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
        self.setWindowTitle("HipCheck — daily report")
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
        self._build()
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
        self.prev_button.clicked.connect(lambda: self.show_day(self.day - timedelta(days=1)))
        self.next_button.clicked.connect(lambda: self.show_day(self.day + timedelta(days=1)))
        self.today_button.clicked.connect(lambda: self.show_day(self._today))
        self.date_edit.dateChanged.connect(self._date_picked)
        self.export_button.clicked.connect(self._export_clicked)

        bar = QHBoxLayout()
        for w in (self.prev_button, self.date_edit, self.next_button, self.today_button):
            bar.addWidget(w)
        bar.addStretch(1)
        bar.addWidget(self.export_button)

        self.title_label = QLabel()
        self.title_label.setStyleSheet("font-size: 18px; font-weight: bold;")
        self.subtitle_label = QLabel()
        self.subtitle_label.setStyleSheet("color: #555;")
        self.empty_label = QLabel()
        self.empty_label.setWordWrap(True)
        self.empty_label.setStyleSheet(
            "border: 1px dashed #999; padding: 12px; background: #fafafa; font-size: 14px;"
        )

        self.value_labels: dict[str, QLabel] = {}
        self.numbers = QWidget()
        grid = QGridLayout(self.numbers)
        grid.setHorizontalSpacing(18)
        # Two columns of (label, value): time on the left, sitting stretches and reminders right.
        left = list(TIME_LABELS)
        right = [STRETCHES_LABEL, LONGEST_STRETCH, *COUNT_LABELS]
        for col, names in ((0, left), (2, right)):
            for row, name in enumerate(names):
                value = QLabel()
                value.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                value.setStyleSheet("font-weight: bold;")
                grid.addWidget(QLabel(name[:1].upper() + name[1:]), row, col)
                grid.addWidget(value, row, col + 1)
                self.value_labels[name] = value
        grid.setColumnStretch(4, 1)

        self.chart_widgets: dict[str, QSvgWidget] = {}
        charts = QVBoxLayout()
        self.chart_widgets["timeline"] = QSvgWidget()
        charts.addWidget(self.chart_widgets["timeline"])
        row1 = QHBoxLayout()
        row2 = QHBoxLayout()
        for name, row in (("histogram", row1), ("trend", row1), ("balance", row2)):
            self.chart_widgets[name] = QSvgWidget()
            row.addWidget(self.chart_widgets[name])
        row1.addStretch(1)
        row2.addStretch(1)
        charts.addLayout(row1)
        charts.addLayout(row2)

        content = QWidget()
        content.setObjectName("reportContent")
        # White like the charts (and the HTML page), whatever the desktop theme's window colour.
        palette = content.palette()
        palette.setColor(QPalette.ColorRole.Window, QColor("white"))
        palette.setColor(QPalette.ColorRole.WindowText, QColor("#222222"))
        content.setPalette(palette)
        content.setAutoFillBackground(True)
        body = QVBoxLayout(content)
        self._body = body
        body.addWidget(self.title_label)
        body.addWidget(self.subtitle_label)
        body.addWidget(self.empty_label)
        body.addWidget(self.numbers)
        body.addLayout(charts)
        body.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(content)

        outer = QVBoxLayout(self)
        outer.addLayout(bar)
        outer.addWidget(scroll)
        self.resize(1020, 900)

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
        )
        self.report = report
        self.date_edit.blockSignals(True)
        self.date_edit.setDate(_qdate(day))
        self.date_edit.blockSignals(False)
        self.next_button.setEnabled(day < self._today)
        self.title_label.setText(day_name(day))
        sub = f"Time zone {report.tz_name}"
        if report.day_length_s != 86400:
            sub += f" · a {report.day_length_s / 3600:g}-hour day (the clocks changed)"
        self.subtitle_label.setText(sub)
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
        self.value_labels[STRETCHES_LABEL].setText(count(report.bout_count))
        self.value_labels[LONGEST_STRETCH].setText(duration(report.longest_bout_s))
        for label, n in count_rows(report):
            self.value_labels[label].setText(count(n))
        for name, svg in all_charts(report).items():
            widget = self.chart_widgets[name]
            widget.load(QByteArray(svg.encode("utf-8")))
            widget.setFixedSize(widget.renderer().defaultSize())
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
