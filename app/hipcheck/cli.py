"""The ``hipcheck`` command line: sub-commands, or the tray app when none is given."""

from __future__ import annotations

import argparse
import importlib
import sys
import textwrap
from collections.abc import Sequence
from typing import Any, NoReturn

from hipcheck import __version__
from hipcheck.commands import COMMAND_MODULES
from hipcheck.core.redact import redact_url
from hipcheck.errors import UserError
from hipcheck.logs import setup_logging
from hipcheck.paths import check_folders, resolve_paths
from hipcheck.private import restrict_umask, tighten_existing


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line on stderr and exit status 2."""

    def error(self, message: str) -> NoReturn:
        """Print one line, no usage block, and exit 2 (``--date: ...``, not ``argument --date:``)."""
        message = message.removeprefix("argument ")
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


DESCRIPTION = """\
HipCheck watches how you sit through your webcam and gets you out of the chair
at the right moment, with a short glute-bridge or dead-bug break.

`hipcheck` with no command starts the tray app (one per user). No command below
starts it: status, pause and resume talk to the running app; report, analyze
and settings work on their own."""

EXAMPLES: tuple[tuple[str, str], ...] = (
    ("hipcheck", "start the tray app"),
    ("hipcheck --set sitting_limit_min=30", "start it with a 30-minute sitting limit"),
    ("hipcheck status", "what the running app sees"),
    ("hipcheck pause 30", "pause monitoring for 30 minutes"),
    ("hipcheck report --date yesterday", "yesterday's report"),
    ("hipcheck analyze clip.mp4", "how much of a video is sitting"),
    ("hipcheck settings", "every setting and where it comes from"),
    ("hipcheck COMMAND --help", "more about one command"),
)


HELP_WIDTH = 79


def examples_text(examples: Sequence[tuple[str, str]]) -> str:
    """An "examples:" block for a help page: each command line with what it does."""
    width = max(len(cmd) for cmd, _ in examples)
    if width + max(len(what) for _, what in examples) + 4 <= HELP_WIDTH:
        lines = [f"  {cmd:<{width}}  {what}" for cmd, what in examples]
    else:  # too wide for one line each: the command, then what it does below it
        lines = [f"  {cmd}\n      {what}" for cmd, what in examples]
    return "examples:\n" + "\n".join(lines)


def add_command(
    subparsers: Any,
    name: str,
    *,
    summary: str,
    description: str,
    examples: Sequence[tuple[str, str]],
) -> argparse.ArgumentParser:
    """Add sub-command ``name`` with its one-line summary, description, examples, common options."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        name,
        help=summary,
        description=textwrap.fill(description, HELP_WIDTH),
        epilog=examples_text(examples),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_common_options(parser)
    return parser


def build_parser() -> argparse.ArgumentParser:
    """The full parser: global options plus every registered sub-command."""
    parser = _Parser(
        prog="hipcheck",
        description=DESCRIPTION,
        epilog=examples_text(EXAMPLES),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"hipcheck {__version__}")
    add_common_options(parser)
    add_app_options(parser)
    subparsers = parser.add_subparsers(
        dest="command", metavar="COMMAND", parser_class=_Parser, title="commands"
    )
    for name in COMMAND_MODULES:
        importlib.import_module(f"hipcheck.commands.{name}").register(subparsers)
    return parser


def add_common_options(parser: argparse.ArgumentParser) -> None:
    """Options every sub-command shares (they may appear before or after the sub-command)."""
    parser.add_argument(
        "--data-dir",
        metavar="DIR",
        default=argparse.SUPPRESS,
        help="keep settings, database and logs in DIR (also $HIPCHECK_DATA_DIR)",
    )
    parser.add_argument(
        "--verbose", "-v", action="store_true", default=argparse.SUPPRESS, help="log to the console"
    )
    parser.add_argument(
        "--set",
        metavar="KEY=VALUE",
        action="append",
        dest="overrides",
        default=argparse.SUPPRESS,
        help="override a setting for this run (repeatable)",
    )


def add_app_options(parser: argparse.ArgumentParser) -> None:
    """Options of the tray app (``hipcheck`` with no sub-command)."""
    parser.add_argument(
        "--source",
        metavar="SOURCE",
        default=None,
        help="tray app: watch a camera index, video or image file or stream URL instead of"
        " the camera from settings",
    )
    parser.add_argument(
        "--loop", action="store_true", help="tray app: play a video --source over and over"
    )
    parser.add_argument(
        "--first-run",
        dest="first_run",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="tray app: show (or never show) the first-run window at start "
        "(default: once; $HIPCHECK_NO_FIRST_RUN turns it off)",
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: parse, dispatch, and turn user errors into one line and exit status 2."""
    parser = build_parser()
    args = parser.parse_args(argv)
    for name, default in (("data_dir", None), ("verbose", False), ("overrides", [])):
        if not hasattr(args, name):
            setattr(args, name, default)
    restrict_umask()
    try:
        paths = resolve_paths(args.data_dir)
        check_folders(paths)
        setup_logging(paths, args.verbose)
        tighten_existing(paths)
        func = getattr(args, "func", None)
        if func is None:
            from hipcheck.ui.app import run_app

            return run_app(args)
        return int(func(args))
    except UserError as exc:
        print(f"hipcheck: error: {redact_url(str(exc))}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("hipcheck: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
