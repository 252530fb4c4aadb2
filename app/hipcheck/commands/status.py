"""``hipcheck status``, ``pause [MINUTES]`` and ``resume``: talk to the running instance.

For people and scripts. ``status`` says in sentences what the running app sees; ``status --json``
prints the same as one JSON object with stable keys (``STATUS_KEYS``). Exit status 0 when the
running HipCheck answered, 1 when none is running (or it refused), 2 for bad input.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime
from typing import Any

from hipcheck.cli import add_command
from hipcheck.core.glossary import clock_time_from, duration
from hipcheck.core.redact import printable, redact_url
from hipcheck.errors import UserError
from hipcheck.paths import resolve_paths

MAX_PAUSE_MIN = 24 * 60.0
NOT_RUNNING = "HipCheck is not running; start it with `hipcheck`."
NOT_ANSWERING = "HipCheck is running but not answering; try again, or restart it."

STATUS_KEYS: tuple[str, ...] = (
    "running",
    "state",
    "paused",
    "paused_until",
    "paused_reason",
    "sitting_s",
    "next_break_in_s",
    "reminders_held",
    "today_sitting_s",
    "camera",
    "camera_message",
    "timer_only",
    "storage_error",
    "message",
)
"""The keys of ``hipcheck status --json``, always all present (null when not known)."""

_HELD = {
    "off_hours": "No reminders outside working hours.",
    "day_off": "No reminders today: it is not a working day.",
    "dnd": "Reminders wait while Do not disturb is on.",
}


def _minutes(text: str) -> float:
    """Parse MINUTES: a number in (0, 1440]."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of minutes") from None
    if not 0 < value <= MAX_PAUSE_MIN:  # also rejects nan and inf
        raise argparse.ArgumentTypeError(
            f"choose more than 0 and at most {MAX_PAUSE_MIN:g} (a day), not {text}"
        )
    return value


def register(subparsers: Any) -> None:
    """Add the ``status``, ``pause`` and ``resume`` sub-commands."""
    status = add_command(
        subparsers,
        "status",
        summary="say what the running HipCheck sees (exit status 1 if it is not running)",
        description="Ask the running HipCheck what it sees: whether you sit, for how long, when "
        "the next break is due and today's sitting time. Exit status 1 when HipCheck is not "
        "running; it does not start it.",
        examples=(
            ("hipcheck status", "in sentences"),
            ("hipcheck status --json", "the same for scripts, with stable keys"),
        ),
    )
    status.add_argument(
        "--json",
        action="store_true",
        help=f"print one JSON object with the keys {', '.join(STATUS_KEYS)}",
    )
    status.set_defaults(func=run_status)

    pause = add_command(
        subparsers,
        "pause",
        summary="pause monitoring and reminders in the running HipCheck",
        description="Pause the running HipCheck: the camera is released (its light goes off) and "
        "no reminders come until it resumes, by itself after MINUTES or with "
        "`hipcheck resume`. The paused time counts as away.",
        examples=(
            ("hipcheck pause 30", "pause for 30 minutes"),
            ("hipcheck pause", "pause until `hipcheck resume`"),
        ),
    )
    pause.add_argument(
        "minutes",
        metavar="MINUTES",
        nargs="?",
        type=_minutes,
        default=None,
        help="resume by itself after MINUTES (at most 1440; default: until `hipcheck resume`)",
    )
    pause.set_defaults(func=run_pause)

    resume = add_command(
        subparsers,
        "resume",
        summary="resume monitoring in the running HipCheck after a pause",
        description="Resume a paused HipCheck: it opens the camera again and reminders start "
        "counting again.",
        examples=(("hipcheck resume", "resume now"),),
    )
    resume.set_defaults(func=run_resume)


class _Silent(Exception):
    """Nobody answered; the one-line reason is the message."""


def _send(args: argparse.Namespace, command: str, **params: Any) -> dict[str, Any]:
    """Send ``command`` and return the reply; _Silent with the reason when nobody answers."""
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
        raise _Silent(NOT_ANSWERING) from None
    except (NotRunning, ValueError):
        raise _Silent(NOT_RUNNING) from None
    if not reply.get("ok"):
        raise _Silent(f"hipcheck: {_shown(reply.get('error', 'the running HipCheck refused'))}")
    return reply


def _number(reply: dict[str, Any], key: str) -> float | None:
    value = reply.get(key)
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _shown(value: Any) -> str:
    """Text from the socket as it may be printed: one line, no escape sequences or other
    control characters, no URL credentials (whoever answered, and whatever they sent)."""
    return printable(redact_url(str(value)), keep_newlines=False)


def _text(reply: dict[str, Any], key: str) -> str | None:
    value = reply.get(key)
    return _shown(value) if value not in (None, "") else None


def status_document(reply: dict[str, Any], now: datetime) -> dict[str, Any]:
    """The running app's reply as the stable ``status --json`` object (``STATUS_KEYS``)."""
    doc: dict[str, Any] = {
        "running": True,
        "state": _text(reply, "state") or "unknown",
        "paused": bool(reply.get("paused")),
        "paused_until": _text(reply, "paused_until"),
        "paused_reason": _text(reply, "paused_reason") or ("user" if reply.get("paused") else None),
        "sitting_s": _number(reply, "bout_s"),
        "next_break_in_s": _number(reply, "next_break_in_s"),
        "reminders_held": _text(reply, "reminders_held"),
        "today_sitting_s": _number(reply, "today_sitting_s"),
        "camera": _text(reply, "camera"),
        "camera_message": _text(reply, "camera_message"),
        "timer_only": bool(reply.get("timer_only")),
        "storage_error": _text(reply, "storage_error"),
    }
    doc["message"] = status_sentences(doc, now)
    return doc


def _until(text: str, now: datetime) -> str:
    """``14:30``, or ``Wed 08:00`` on another day, from an ISO time."""
    try:
        return clock_time_from(datetime.fromisoformat(text), now)
    except ValueError:
        return text


def status_sentences(doc: dict[str, Any], now: datetime) -> str:
    """The status in sentences, e.g. ``HipCheck is monitoring. Sitting for 14 min · break in…``."""
    state = doc["state"]
    if doc["paused"]:
        if doc["paused_reason"] == "screen_locked":
            first = "HipCheck is paused while the screen is locked."
        elif doc["paused_until"]:
            first = f"HipCheck is paused until {_until(doc['paused_until'], now)}."
        else:
            first = "HipCheck is paused until you resume it (`hipcheck resume`)."
    elif doc["camera"] == "camera_problem" or state == "camera_problem":
        why = doc["camera_message"] or "the camera does not deliver pictures"
        first = f"HipCheck cannot watch: {why.rstrip('.')}."
        if doc["timer_only"]:
            due = doc["next_break_in_s"]
            first += " Timer only: reminding by the clock"
            first += "." if due is None else f", break in {duration(due)}."
    elif doc["camera"] == "ended" or state == "ended":
        why = doc["camera_message"] or "The video ended."
        first = f"HipCheck has stopped watching. {why if why.endswith('.') else why + '.'}"
    elif doc["camera"] == "stopped" or state == "stopped":
        first = "HipCheck has stopped watching; its log says why (`hipcheck --verbose` shows it)."
    elif state == "sitting":
        parts = [f"Sitting for {duration(doc['sitting_s'] or 0.0)}"]
        if doc["next_break_in_s"] is not None and doc["reminders_held"] is None:
            due = doc["next_break_in_s"]
            parts.append("break due now" if due < 30 else f"break in {duration(due)}")
        first = "HipCheck is monitoring. " + " · ".join(parts) + "."
    elif state == "standing":
        first = "HipCheck is monitoring. You are standing."
    elif state == "away":
        first = "HipCheck is monitoring. You are away from the desk."
    elif state == "unknown":
        first = "HipCheck is monitoring. It cannot tell yet whether you sit or stand."
    else:
        first = "HipCheck is starting: looking for the camera and for you."
    sentences = [first]
    held = _HELD.get(doc["reminders_held"] or "")
    if held and not doc["paused"]:
        sentences.append(held)
    if doc["today_sitting_s"] is not None:
        sentences.append(f"Today: {duration(doc['today_sitting_s'])} sitting.")
    text = " ".join(sentences)
    if doc["storage_error"]:
        text += f"\nWarning: {doc['storage_error']}"
    return text


def run_status(args: argparse.Namespace) -> int:
    """Print the running instance's status in sentences, or as JSON."""
    try:
        reply = _send(args, "status")
    except _Silent as silent:
        if args.json:
            doc = dict.fromkeys(STATUS_KEYS)
            doc.update(running=False, message=str(silent))
            print(json.dumps(doc))
        else:
            print(silent, file=sys.stderr)
        return 1
    doc = status_document(reply, datetime.now().astimezone())
    print(json.dumps(doc) if args.json else doc["message"])
    return 0


def _ask(args: argparse.Namespace, command: str, **params: Any) -> bool:
    """Send ``command`` and print the running app's answer; False (reason on stderr) if none."""
    try:
        reply = _send(args, command, **params)
    except _Silent as silent:
        print(silent, file=sys.stderr)
        return False
    if isinstance(reply.get("message"), str):
        print(_shown(reply["message"]))
    else:
        minutes = params.get("minutes")
        print(
            "Resumed"
            if command == "resume"
            else "Paused" + (f" for {duration(minutes * 60)}" if minutes is not None else "")
        )
    return True


def run_pause(args: argparse.Namespace) -> int:
    """Pause the running instance, for ``args.minutes`` or until resumed."""
    params: dict[str, Any] = {} if args.minutes is None else {"minutes": args.minutes}
    return 0 if _ask(args, "pause", **params) else 1


def run_resume(args: argparse.Namespace) -> int:
    """Resume the running instance."""
    return 0 if _ask(args, "resume") else 1
