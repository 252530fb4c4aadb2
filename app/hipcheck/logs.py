"""Logging: a rotating file in the user's state directory, the console only with ``--verbose``.

Nothing image-like is ever logged: a filter replaces array and large bytes arguments (a camera frame
passed to a log call by mistake) with a placeholder before any handler sees them. The same filter
hides the credentials of any URL in a message or traceback (``rtsp://***@host/x``). The log folder
is 0700 and its files 0600: a log says when someone sat at their desk.
"""

from __future__ import annotations

import logging
import logging.handlers
import sys
from pathlib import Path
from types import TracebackType
from typing import Any

from hipcheck.core.redact import redact_url
from hipcheck.paths import AppPaths
from hipcheck.private import chmod_private, make_private_dir

LOG_FILE_NAME = "hipcheck.log"
MAX_LOG_BYTES = 1_000_000
LOG_BACKUPS = 3
FORMAT = "%(asctime)s %(levelname)s %(name)s [%(threadName)s]: %(message)s"
_MARK = "_hipcheck_handler"
_MAX_BYTES_ARG = 1024

# Libraries that are chatty at DEBUG and say nothing HipCheck's user needs.
_QUIET = ("matplotlib", "PIL", "asyncio", "jeepney")


def _withhold(value: Any) -> Any:
    """``value``, or a placeholder if it looks like image data."""
    shape = getattr(value, "shape", None)
    if isinstance(shape, tuple) and len(shape) >= 2:
        return f"<array {'x'.join(map(str, shape))} withheld>"
    if isinstance(value, (bytes, bytearray, memoryview)) and len(value) > _MAX_BYTES_ARG:
        return f"<{len(value)} bytes withheld>"
    return value


class NoFramesFilter(logging.Filter):
    """Replaces image-like arguments of a log record with a placeholder (frames stay in memory)
    and hides URL credentials in the message and traceback (secrets stay in memory too)."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Scrub ``record.msg``, ``record.args`` and the traceback; always keeps the record."""
        record.msg = _withhold(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(_withhold(a) for a in record.args)
        elif isinstance(record.args, dict):
            record.args = {k: _withhold(v) for k, v in record.args.items()}
        try:
            message = record.getMessage()
        except Exception:  # a bad format string: the handler reports it, unredacted args stay out
            message = str(record.msg)
        hidden = redact_url(message)
        if hidden != message:
            record.msg, record.args = hidden, None
        if record.exc_info or record.exc_text:
            # Another handler may have formatted the traceback already: redact that text too.
            text = record.exc_text or logging.Formatter().formatException(record.exc_info)  # type: ignore[arg-type]
            record.exc_text = redact_url(text)
        return True


class _PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """A rotating log whose files are readable by their owner only, whatever the umask."""

    def _open(self) -> Any:
        stream = super()._open()
        chmod_private(stream.fileno())
        return stream


def log_file(paths: AppPaths) -> Path:
    """The current log file for ``paths``."""
    return paths.log_dir / LOG_FILE_NAME


_console_verbose = False


def console_verbose() -> bool:
    """Whether the user asked for everything on the console (``--verbose``)."""
    return _console_verbose


def setup_logging(paths: AppPaths, verbose: bool = False) -> Path | None:
    """Log to a rotating file in ``paths.log_dir``; to stderr at DEBUG with ``verbose``.

    Without ``verbose`` the console gets only warnings and errors, one short line each, so what a
    command prints stays clean but the user still hears about lost or moved data. Returns the log file, or
    None when it cannot be written (read-only or full disk): logging then goes on without it.
    Calling it again replaces the handlers it added before.
    """
    global _console_verbose
    _console_verbose = verbose
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, _MARK, False):
            root.removeHandler(handler)
            handler.close()
    root.setLevel(logging.DEBUG)
    # A full or read-only disk must not print "--- Logging error ---" tracebacks on every record.
    logging.raiseExceptions = False
    formatter = logging.Formatter(FORMAT)
    scrub = NoFramesFilter()

    path: Path | None = log_file(paths)
    try:
        assert path is not None
        make_private_dir(path.parent)
        file_handler: logging.Handler = _PrivateRotatingFileHandler(
            path, maxBytes=MAX_LOG_BYTES, backupCount=LOG_BACKUPS, encoding="utf-8"
        )
    except OSError:
        path = None
        file_handler = logging.NullHandler()
    file_handler.setLevel(logging.DEBUG if verbose else logging.INFO)
    _add(root, file_handler, formatter, scrub)

    console = logging.StreamHandler(sys.stderr)
    if verbose:
        console.setLevel(logging.DEBUG)
        _add(root, console, formatter, scrub)
    else:
        # Warnings the user must see (a database moved aside, a full disk) as one short line each.
        console.setLevel(logging.WARNING)
        _add(root, console, logging.Formatter("hipcheck: %(levelname)s: %(message)s"), scrub)
    for name in _QUIET:
        logging.getLogger(name).setLevel(logging.WARNING)
    logging.captureWarnings(True)
    _log_uncaught_exceptions()
    if path is None:
        logging.getLogger(__name__).debug("log directory %s is not writable", paths.log_dir)
    return path


def _add(
    root: logging.Logger, handler: logging.Handler, fmt: logging.Formatter, scrub: logging.Filter
) -> None:
    handler.setFormatter(fmt)
    # On the handler, not the logger: filters on the root logger skip records from child loggers.
    handler.addFilter(scrub)
    setattr(handler, _MARK, True)
    root.addHandler(handler)


def _log_uncaught_exceptions() -> None:
    """Send uncaught exceptions (including those raised in Qt slots) to the log too."""
    previous = sys.excepthook
    if getattr(previous, _MARK, False):
        return

    def hook(kind: type[BaseException], value: BaseException, tb: TracebackType | None) -> None:
        if not issubclass(kind, KeyboardInterrupt):
            logging.getLogger("hipcheck").critical("uncaught exception", exc_info=(kind, value, tb))
        previous(kind, value, tb)

    setattr(hook, _MARK, True)
    sys.excepthook = hook
