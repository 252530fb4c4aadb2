"""``hipcheck status``, ``pause [MINUTES]`` and ``resume``: talk to the running instance.

For scripts and desktop shortcuts. Exit status 0 when the running HipCheck answered, 1 when none is
running (or it refused), 2 for bad input.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from hipcheck.cli import add_common_options
from hipcheck.core.redact import printable, redact_url
from hipcheck.errors import UserError
from hipcheck.paths import resolve_paths

MAX_PAUSE_MIN = 24 * 60.0


def _minutes(text: str) -> float:
    """Parse MINUTES: a number in (0, 1440]."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"MINUTES must be a number, got {text!r}") from None
    if not 0 < value <= MAX_PAUSE_MIN:  # also rejects nan and inf
        raise argparse.ArgumentTypeError(
            f"MINUTES must be more than 0 and at most {MAX_PAUSE_MIN:g}, got {text}"
        )
    return value


def register(subparsers: Any) -> None:
    """Add the ``status``, ``pause`` and ``resume`` sub-commands."""
    status = subparsers.add_parser(
        "status", help="show what the running HipCheck sees (exit 1 if none is running)"
    )
    add_common_options(status)
    status.add_argument("--json", action="store_true", help="print the reply as JSON")
    status.set_defaults(func=run_status)

    pause = subparsers.add_parser("pause", help="pause monitoring and reminders")
    add_common_options(pause)
    pause.add_argument(
        "minutes",
        metavar="MINUTES",
        nargs="?",
        type=_minutes,
        default=None,
        help="resume by itself after MINUTES (default: until `hipcheck resume`)",
    )
    pause.set_defaults(func=run_pause)

    resume = subparsers.add_parser("resume", help="resume monitoring after a pause")
    add_common_options(resume)
    resume.set_defaults(func=run_resume)


def _send(args: argparse.Namespace, command: str, **params: Any) -> dict[str, Any] | None:
    """Send ``command``; print the one-line reason and return None when nobody answers."""
    # Imported here so `hipcheck --help` and the other sub-commands do not load Qt.
    from hipcheck.core.settings import Settings, SettingsError, apply_overrides
    from hipcheck.instance import NoReply, NotRunning, request

    # --set means nothing to the running instance, but a wrong one is still a mistake to report.
    try:
        apply_overrides(Settings(), args.overrides)
    except SettingsError as exc:
        raise UserError(str(exc)) from None
    paths = resolve_paths(args.data_dir)
    try:
        reply = request(command, paths, **params)
    except NoReply:
        print("HipCheck is running but not responding", file=sys.stderr)
        return None
    except (NotRunning, ValueError):
        print("HipCheck is not running", file=sys.stderr)
        return None
    if not reply.get("ok"):
        error = _shown(reply.get("error", "the running HipCheck refused"), keep_newlines=False)
        print(f"hipcheck: {error}", file=sys.stderr)
        return None
    return reply


def _shown(value: Any, *, keep_newlines: bool = True) -> str:
    """Text from the socket as it may be printed: no escape sequences, no URL credentials."""
    return printable(redact_url(str(value)), keep_newlines=keep_newlines)


def _describe(reply: dict[str, Any]) -> str:
    """A human-readable text for a reply: its ``message``, else ``key: value`` lines."""
    if isinstance(reply.get("message"), str):
        return _shown(reply["message"])
    lines = (f"{key}: {value}" for key, value in reply.items() if key != "ok")
    return "\n".join(_shown(line, keep_newlines=False) for line in lines)


def _message(reply: dict[str, Any], default: str) -> str:
    """The reply's one-line message, sanitised, or ``default``."""
    message = reply.get("message")
    return _shown(message, keep_newlines=False) if isinstance(message, str) else default


def run_status(args: argparse.Namespace) -> int:
    """Print the running instance's status."""
    reply = _send(args, "status")
    if reply is None:
        return 1
    # JSON escapes control characters itself; credentials are hidden in both forms.
    print(redact_url(json.dumps(reply, default=str)) if args.json else _describe(reply))
    return 0


def run_pause(args: argparse.Namespace) -> int:
    """Pause the running instance, for ``args.minutes`` or until resumed."""
    params: dict[str, Any] = {} if args.minutes is None else {"minutes": args.minutes}
    reply = _send(args, "pause", **params)
    if reply is None:
        return 1
    default = "Paused" + (f" for {args.minutes:g} min" if args.minutes is not None else "")
    print(_message(reply, default))
    return 0


def run_resume(args: argparse.Namespace) -> int:
    """Resume the running instance."""
    reply = _send(args, "resume")
    if reply is None:
        return 1
    print(_message(reply, "Resumed"))
    return 0
