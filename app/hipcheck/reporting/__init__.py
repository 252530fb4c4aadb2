"""The daily report's output: SVG charts (window and HTML share them) and text/JSON/CSV/HTML."""

from hipcheck.reporting.render import FORMATS, SUFFIXES, render, write_report

__all__ = ["FORMATS", "SUFFIXES", "render", "write_report"]
