"""The ``hipcheck`` command line: sub-commands, or the tray app when none is given."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from typing import NoReturn

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
        """Print one line, no usage block, and exit 2."""
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def build_parser() -> argparse.ArgumentParser:
    """The full parser: global options plus every registered sub-command."""
    parser = _Parser(
        prog="hipcheck", description="Watches how you sit and gets you out of the chair."
    )
    parser.add_argument("--version", action="version", version=f"hipcheck {__version__}")
    add_common_options(parser)
    add_app_options(parser)
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
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
        help="camera index, video file or stream URL (default: the camera from settings)",
    )
    parser.add_argument("--loop", action="store_true", help="loop a video file source")


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
