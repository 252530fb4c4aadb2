"""``hipcheck settings``: every setting's key, value and where the value comes from.

The keys are the ones ``hipcheck --set KEY=VALUE`` and ``settings.toml`` take. A value comes from
the settings file, from its default, or from a ``--set`` given with this command (so a script can
check what a run with those overrides would use). Read-only: a bad settings file is reported, not
rewritten.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from hipcheck.cli import add_command
from hipcheck.errors import UserError
from hipcheck.paths import resolve_paths


def register(subparsers: Any) -> None:
    """Add the ``settings`` sub-command."""
    sub = add_command(
        subparsers,
        "settings",
        summary="list every setting: key, value and where it comes from (file, default, --set)",
        description="List the settings HipCheck would use: each key (as `--set KEY=VALUE` and "
        "settings.toml take it), its value, where the value comes from (the settings file, the "
        "default, or a --set given here) and what it may be. Changes nothing; edit settings in "
        "the Settings window of the tray app.",
        examples=(
            ("hipcheck settings", "the table"),
            ("hipcheck settings --set sound=false", "what a run with this --set would use"),
            ("hipcheck settings --json", "for scripts"),
        ),
    )
    sub.add_argument(
        "--json",
        action="store_true",
        help="print {file, settings: {KEY: {value, source, default, unit, minimum, maximum,"
        " choices, label, help, advanced}}}",
    )
    sub.set_defaults(func=run_settings)


def _allowed(spec: Any, default: Any) -> str:
    """What a value may be: ``0.5–240 min``, ``one of a, b``, ``true or false``, ``text``."""
    from hipcheck.core.settings import bounds_text

    if spec.minimum is not None or spec.maximum is not None:
        return bounds_text(spec)
    if spec.choices:
        joined = ", ".join(spec.choices)
        return f"any of {joined}" if isinstance(default, tuple) else f"one of {joined}"
    if spec.widget == "camera":
        return "a camera number, a video or image file, or a stream URL"
    return "true or false" if isinstance(default, bool) else "text"


def _shown(value: Any) -> str:
    """A value as ``--set`` takes it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, tuple):
        return ",".join(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def settings_rows(args: argparse.Namespace) -> tuple[str, list[dict[str, Any]]]:
    """The settings file's path and one row per setting (value, source and declaration)."""
    from hipcheck.core.settings import Settings, file_help, iter_specs, settings_to_dict
    from hipcheck.settings_run import settings_for_run

    paths = resolve_paths(args.data_dir)
    if paths.config_dir.exists() and not paths.config_dir.is_dir():
        raise UserError(f"the data folder {paths.config_dir} is a file, not a folder")
    loaded = settings_for_run(args, repair=False)
    for warning in loaded.warnings:
        print(f"hipcheck: warning: {warning}", file=sys.stderr)
    values = settings_to_dict(loaded.settings)
    defaults = settings_to_dict(Settings())
    rows = []
    for name, spec, default in iter_specs():
        rows.append(
            {
                "key": name,
                "value": values[name],
                "source": loaded.source_of(name),
                "default": defaults[name],
                "unit": spec.unit or None,
                "minimum": spec.minimum,
                "maximum": spec.maximum,
                "choices": list(spec.choices) or None,
                "label": spec.label,
                "help": file_help(spec),
                "advanced": spec.advanced,
                "allowed": _allowed(spec, default),
                "shown": _shown(getattr(loaded.settings, name)),
            }
        )
    return str(paths.settings_file), rows


def run_settings(args: argparse.Namespace) -> int:
    """Print the settings as a table (or JSON)."""
    file, rows = settings_rows(args)
    if args.json:
        doc = {
            "file": file,
            "settings": {
                r["key"]: {k: v for k, v in r.items() if k not in ("key", "allowed", "shown")}
                for r in rows
            },
        }
        print(json.dumps(doc, indent=1, ensure_ascii=False))
        return 0
    header = ("KEY", "VALUE", "FROM", "ALLOWED")
    table = [header] + [(r["key"], r["shown"], r["source"], r["allowed"]) for r in rows]
    widths = [max(len(row[i]) for row in table) for i in range(3)]
    print(f"Settings file: {file}")
    for row in table:
        cells = [cell.ljust(width) for cell, width in zip(row[:3], widths, strict=True)]
        print("  " + "  ".join(cells) + f"  {row[3]}")
    print("FROM: file = the settings file, default = not in the file, --set = given here.")
    print("Change a value for one run: `hipcheck --set KEY=VALUE`; for good: the Settings window.")
    return 0
