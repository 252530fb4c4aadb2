"""Every HipCheck setting, declared once: name, type, default, bounds, unit, label, help, tab.

The settings dialog, validation of the settings file, ``--set KEY=VALUE``, ``hipcheck settings``
and the README's table are all derived from these declarations; adding a setting is one
``_s(...)`` line. Labels and help speak the glossary (``core.glossary``): a setting stored as
flexion is shown to people as a hip angle (``shown_value``/``stored_value``), and technical
settings are marked ``advanced`` so the dialog can keep them apart.
"""

from __future__ import annotations

import difflib
import math
import os
import re
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import Field, dataclass, field, fields, replace
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from hipcheck.core.glossary import flexion_from_hip_angle, hip_angle_from_flexion

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

import tomli_w

from hipcheck.core.userfile import backup_copy, failure_reason, read_limited

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True, slots=True)
class SettingSpec:
    """How one setting is declared."""

    label: str
    help: str
    tab: str
    unit: str = ""
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] = ()
    # A hint for the dialog when a plain widget for the type is not enough (e.g. "camera").
    widget: str = ""
    # The spin-box step; None lets the dialog pick one from the bounds.
    step: float | None = None
    # Technical: the dialog shows it under "Advanced", away from the everyday settings.
    advanced: bool = False
    # "hip_angle": stored as flexion (degrees bent from straight), shown as the hip angle
    # (180° = straight); label, help, unit and the shown bounds speak of the hip angle.
    shown_as: str = ""
    # Said about the stored value in the settings file and the README, after ``help``.
    file_note: str = ""

    @property
    def shown_in(self) -> str:
        """The settings window's tab that shows this setting."""
        return ADVANCED if self.advanced else self.tab


ADVANCED = "Advanced"


def _s(default: Any, label: str, help: str, tab: str, **kw: Any) -> Any:
    """Declare a setting: a dataclass field whose metadata is its ``SettingSpec``."""
    spec = SettingSpec(label=label, help=help, tab=tab, **kw)
    if isinstance(default, (list, tuple)):
        return field(default_factory=lambda: tuple(default), metadata={"spec": spec})
    return field(default=default, metadata={"spec": spec})


REM = "Reminders"
MON = "Camera"
POS = "Posture"
EXE = REM  # the exercise settings sit with the reminders they shape
PRI = "Privacy & start-up"
STA = PRI


@dataclass(frozen=True)
class Settings:
    """All settings with their defaults; units are in the names."""

    camera: str = _s(
        "0", "Camera", "The camera to watch (0 is the first one), or a video file or stream URL.",
        MON, widget="camera",
    )  # fmt: skip
    camera_position: str = _s(
        "front", "Camera position",
        "Where the camera sees you from: in front (a laptop) or beside you (measures the hip angle).",
        MON, choices=("front", "side"),
    )  # fmt: skip
    sample_rate_hz: float = _s(
        2.0, "Pictures per second", "How often HipCheck looks at the camera while watching.", MON,
        unit="per s", minimum=0.2, maximum=10.0, advanced=True,
    )  # fmt: skip
    adaptive_sampling: bool = _s(
        True, "Look less often when nothing changes",
        "Saves power: while you keep still, HipCheck looks once every 2 s.", MON, advanced=True,
    )  # fmt: skip
    standing_desk: bool = _s(
        False, "I use a standing desk",
        "With hips hidden, assume you may be standing instead of sitting.", MON,
    )  # fmt: skip
    flexion_threshold_deg: float = _s(
        45.0, "Hips count as bent at",
        "Sitting with a hip angle at or below this counts as sitting with bent hips "
        "(180° = straight, about 90° sitting upright).", POS,
        unit="°", minimum=10.0, maximum=90.0, shown_as="hip_angle", advanced=True,
        file_note="Stored as degrees bent from straight: 45 here is a hip angle of 135°.",
    )  # fmt: skip
    natural_break_min: float = _s(
        2.0, "A break is at least",
        "Standing up or being away this long ends a sitting stretch; shorter trips count as "
        "part of it.", POS,
        unit="min", minimum=0.5, maximum=30.0, step=0.5, advanced=True,
    )  # fmt: skip
    sitting_limit_min: float = _s(
        45.0, "Sitting limit", "Remind me after sitting this long without a break.", REM,
        unit="min", minimum=0.5, maximum=240.0, step=5.0,
    )  # fmt: skip
    snooze_min: float = _s(
        10.0, "Snooze length", "How long a snoozed nudge waits.", REM,
        unit="min", minimum=1.0, maximum=60.0,
    )  # fmt: skip
    snooze_max: int = _s(
        3, "Snoozes in a row", "How many times in a row a nudge may be snoozed.", REM,
        minimum=0, maximum=10,
    )  # fmt: skip
    work_start_h: float = _s(
        8.0, "Working hours start", "No nudges before this hour of the day.", REM,
        unit="h", minimum=0.0, maximum=24.0, step=0.25, widget="time_of_day",
    )  # fmt: skip
    work_end_h: float = _s(
        18.0, "Working hours end", "No nudges after this hour of the day.", REM,
        unit="h", minimum=0.0, maximum=24.0, step=0.25, widget="time_of_day",
    )  # fmt: skip
    work_days: tuple[str, ...] = _s(
        ("mon", "tue", "wed", "thu", "fri"), "Working days", "Days on which HipCheck nudges.", REM,
        choices=WEEKDAYS,
    )  # fmt: skip
    sound: bool = _s(True, "Sound", "Play the notification sound with a nudge.", REM)
    preferred_exercise: str = _s(
        "balanced", "Preferred exercise",
        "Balanced picks what your posture needs; or always suggest one exercise.", EXE,
        choices=("balanced", "glute_bridge", "deadbug"),
    )  # fmt: skip
    exercise_variant: str = _s(
        "office", "Exercise variant",
        "Office-friendly exercises you can do standing at the desk, or floor exercises on a mat.",
        EXE, choices=("office", "floor"),
    )  # fmt: skip
    retention_days: int = _s(
        365, "Keep data for", "Days of records kept, today included; older ones are deleted.", PRI,
        unit="days", minimum=1, maximum=3650,
    )  # fmt: skip
    start_at_login: bool = _s(False, "Start at login", "Start HipCheck when you log in.", STA)


def retention_cutoff(today: date, keep_days: int) -> date:
    """The first day kept by ``retention_days``: the last ``keep_days`` days, today included."""
    if keep_days < 1:
        raise ValueError(f"keep_days must be at least 1, got {keep_days}")
    return today - timedelta(days=keep_days - 1)


def spec_of(name: str) -> SettingSpec:
    """The declaration of setting ``name``."""
    for f in fields(Settings):
        if f.name == name:
            spec: SettingSpec = f.metadata["spec"]
            return spec
    raise KeyError(name)


def shown_value(name: str, stored: Any) -> Any:
    """The value as people see it (a flexion setting as its hip angle); others unchanged."""
    if spec_of(name).shown_as == "hip_angle":
        return hip_angle_from_flexion(float(stored))
    return stored


def stored_value(name: str, shown: Any) -> Any:
    """The value to store for what people chose (a hip angle back to flexion); others unchanged."""
    if spec_of(name).shown_as == "hip_angle":
        return flexion_from_hip_angle(float(shown))
    return shown


def shown_bounds(name: str) -> tuple[float | None, float | None]:
    """The (minimum, maximum) as people see them: a hip angle's bounds swap ends."""
    spec = spec_of(name)
    if spec.shown_as == "hip_angle" and spec.minimum is not None and spec.maximum is not None:
        return shown_value(name, spec.maximum), shown_value(name, spec.minimum)
    return spec.minimum, spec.maximum


# ---- validation, loading, saving, overrides ----------------------------------------------------

SETTINGS_VERSION = 1
"""The version written into the settings file; bump it and add a migration when keys change."""

_TRUE = {"true", "yes", "on", "1"}
_FALSE = {"false", "no", "off", "0"}


class SettingsError(ValueError):
    """A setting name or value that fails its declaration; the message is one line."""


SOURCE_DEFAULT = "default"
SOURCE_FILE = "file"
SOURCE_OVERRIDE = "--set"


@dataclass(frozen=True)
class LoadedSettings:
    """Settings read from disk plus warnings for the user (bad keys replaced by defaults).

    ``from_file`` names the keys whose value came from the file, ``overridden`` those a ``--set``
    changed for this run (never saved); every other key has its default. ``saved`` is what the
    settings file holds when it differs from ``settings`` (None: the same).
    """

    settings: Settings
    warnings: list[str] = field(default_factory=list)
    backup: Path | None = None
    from_file: frozenset[str] = frozenset()
    overridden: frozenset[str] = frozenset()
    saved: Settings | None = None

    def source_of(self, name: str) -> str:
        """Where ``name``'s value comes from: ``--set``, ``file`` or ``default``."""
        if name in self.overridden:
            return SOURCE_OVERRIDE
        return SOURCE_FILE if name in self.from_file else SOURCE_DEFAULT

    @property
    def file_settings(self) -> Settings:
        """What the settings file holds (the settings without this run's overrides)."""
        return self.saved if self.saved is not None else self.settings


class SettingsFileRefused(OSError):
    """The settings file is from a newer HipCheck: it is kept as it is and never overwritten.

    An ``OSError`` so every writer's "could not save the settings file" path reports it.
    """


def _settings_fields() -> tuple[Field[Any], ...]:
    return fields(Settings)


def setting_names() -> tuple[str, ...]:
    """Every setting name, in declaration order."""
    return tuple(f.name for f in _settings_fields())


def iter_specs() -> Iterator[tuple[str, SettingSpec, Any]]:
    """Yield ``(name, spec, default)`` for every setting in declaration order."""
    defaults = Settings()
    for f in _settings_fields():
        yield f.name, f.metadata["spec"], getattr(defaults, f.name)


def kind_of(name: str) -> type:
    """The Python type of setting ``name``'s value: bool, int, float, str or tuple."""
    return type(getattr(Settings(), _known(name)))


def _known(name: str) -> str:
    if name not in setting_names():
        close = difflib.get_close_matches(name, setting_names(), n=1)
        hint = f"did you mean {close[0]}?" if close else "`hipcheck settings` lists them all"
        raise SettingsError(f"unknown setting {name!r} ({hint})")
    return name


def bounds_text(spec: SettingSpec) -> str:
    """``0.5–240 min``: a setting's bounds with its unit."""
    unit = f" {spec.unit}" if spec.unit and spec.unit != "°" else spec.unit
    return f"{_fmt_number(spec.minimum)}–{_fmt_number(spec.maximum)}{unit}"


def _fmt_number(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _shown(value: object, limit: int = 60) -> str:
    """``repr(value)`` cut to ``limit`` characters (a hostile file may hold huge values)."""
    try:
        text = repr(value)
    except Exception:  # an integer beyond Python's digit limit, a recursion too deep to print
        return f"<{type(value).__name__}>"
    return text if len(text) <= limit else text[: limit - 1] + "…"


def validate_value(name: str, value: object) -> Any:
    """Check a typed value (as read from TOML or a widget) against ``name``'s declaration.

    Returns the value normalised to the setting's type (ints accepted for floats, lists turned
    into tuples); raises SettingsError with a one-line message naming the key otherwise.
    """
    kind = kind_of(name)
    spec = spec_of(name)
    if kind is bool:
        if not isinstance(value, bool):
            raise SettingsError(f"{name}: expected true or false, got {_shown(value)}")
        return value
    if kind is int or kind is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise SettingsError(f"{name}: expected a number, got {_shown(value)}")
        if kind is int and not (isinstance(value, int) or float(value).is_integer()):
            raise SettingsError(f"{name}: expected a whole number, got {_shown(value)}")
        try:
            finite = math.isfinite(value)
        except OverflowError:  # an integer too large for a float
            finite = False
        if not finite:
            raise SettingsError(f"{name}: expected a finite number, got {_shown(value)}")
        number = int(value) if kind is int else float(value)
        if (spec.minimum is not None and number < spec.minimum) or (
            spec.maximum is not None and number > spec.maximum
        ):
            raise SettingsError(f"{name}: {_shown(value)} is outside {bounds_text(spec)}")
        return number
    if kind is str:
        if not isinstance(value, str):
            raise SettingsError(f"{name}: expected text, got {_shown(value)}")
        if spec.choices and value not in spec.choices:
            raise SettingsError(f"{name}: {_shown(value)} is not one of {', '.join(spec.choices)}")
        if "\n" in value:
            raise SettingsError(f"{name}: must be a single line")
        return value
    # A tuple of choices (e.g. working days): no duplicates, kept in declaration order.
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
        raise SettingsError(
            f"{name}: expected a list of {', '.join(spec.choices)}, got {_shown(value)}"
        )
    bad = [v for v in value if v not in spec.choices]
    if bad:
        raise SettingsError(f"{name}: {bad[0]!r} is not one of {', '.join(spec.choices)}")
    return tuple(c for c in spec.choices if c in value)


def parse_value(name: str, text: str) -> Any:
    """Turn command-line text into ``name``'s type, then validate it like the file."""
    kind = kind_of(name)
    raw = text.strip()
    value: object
    if kind is bool:
        if raw.lower() in _TRUE:
            value = True
        elif raw.lower() in _FALSE:
            value = False
        else:
            raise SettingsError(f"{name}: expected true or false, got {text!r}")
    elif kind is int or kind is float:
        try:
            value = int(raw) if kind is int else float(raw)
        except ValueError:
            what = "a whole number" if kind is int else "a number"
            raise SettingsError(f"{name}: expected {what}, got {text!r}") from None
    elif kind is str:
        value = text
    else:
        value = [part.strip().lower() for part in raw.split(",") if part.strip()]
    return validate_value(name, value)


def with_value(settings: Settings, name: str, value: object) -> Settings:
    """A copy of ``settings`` with ``name`` set to the validated ``value``."""
    return replace(settings, **{name: validate_value(name, value)})


def parse_override(text: str) -> tuple[str, Any]:
    """Parse one ``KEY=VALUE`` override into ``(name, validated value)``."""
    key, sep, raw = text.partition("=")
    key = key.strip()
    if not sep or not key:
        raise SettingsError(f"--set expects KEY=VALUE, got {text!r}")
    return key, parse_value(_known(key), raw)


def apply_overrides(settings: Settings, overrides: Iterable[str]) -> Settings:
    """Apply ``KEY=VALUE`` overrides with the same names and validation as the settings file."""
    changes = dict(parse_override(text) for text in overrides)
    return replace(settings, **changes) if changes else settings


def saved_with_change(saved: Settings, name: str, value: object) -> Settings:
    """What the settings file should hold after the user set ``name``: only that key changes.

    The running settings may carry one-run overrides (``--set``); saving them instead of the
    file's own values would make an override permanent.
    """
    return with_value(saved, name, value)


def overridden_names(overrides: Iterable[str]) -> frozenset[str]:
    """The setting names that ``KEY=VALUE`` overrides change (checked like ``apply_overrides``)."""
    return frozenset(parse_override(text)[0] for text in overrides)


def settings_to_dict(settings: Settings) -> dict[str, Any]:
    """The settings as plain TOML/JSON-ready values (tuples become lists)."""
    out: dict[str, Any] = {}
    for name in setting_names():
        value = getattr(settings, name)
        out[name] = list(value) if isinstance(value, tuple) else value
    return out


# ---- migrations: each turns a version-n table into a version-n+1 table -------------------------


def _migrate_0_to_1(data: dict[str, Any]) -> dict[str, Any]:
    """Version 0 (pre-release) had no units in key names and working hours as one string."""
    renames = {
        "sitting_limit": "sitting_limit_min",
        "snooze": "snooze_min",
        "snooze_limit": "snooze_max",
        "flexion_threshold": "flexion_threshold_deg",
        "natural_break": "natural_break_min",
        "sample_rate": "sample_rate_hz",
        "retention": "retention_days",
    }
    out = {renames.get(k, k): v for k, v in data.items()}
    if isinstance(out.get("camera"), int) and not isinstance(out["camera"], bool):
        out["camera"] = str(out["camera"])
    hours = out.pop("work_hours", None)
    if isinstance(hours, str):
        match = re.fullmatch(r"\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*", hours)
        if match:
            h0, m0, h1, m1 = (int(g) for g in match.groups())
            out["work_start_h"] = h0 + m0 / 60
            out["work_end_h"] = h1 + m1 / 60
        else:
            out["work_hours"] = hours  # left in place so it is reported as a bad key
    return out


MIGRATIONS: Mapping[int, Callable[[dict[str, Any]], dict[str, Any]]] = {0: _migrate_0_to_1}


def migrate(data: Mapping[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """Bring a parsed settings table up to SETTINGS_VERSION; returns the table and warnings."""
    table = dict(data)
    version = table.pop("version", 0)
    warnings: list[str] = []
    if isinstance(version, bool) or not isinstance(version, int) or version < 0:
        warnings.append(f"version: {version!r} is not a settings version; read as version 0")
        version = 0
    if version > SETTINGS_VERSION:
        warnings.append(
            f"version: the file is from a newer HipCheck (version {version}); "
            "keys this version does not know are ignored"
        )
        return table, warnings
    while version < SETTINGS_VERSION:
        table = MIGRATIONS[version](table)
        version += 1
    return table, warnings


def settings_from_table(table: Mapping[str, Any]) -> tuple[Settings, list[str]]:
    """Validate a migrated table key by key: good keys kept, bad ones defaulted with a warning."""
    changes, warnings = _valid_changes(table)
    return replace(Settings(), **changes), warnings


def _valid_changes(table: Mapping[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """The table's valid keys with their validated values, and a warning per bad key."""
    changes: dict[str, Any] = {}
    warnings: list[str] = []
    for key, value in table.items():
        if key not in setting_names():
            warnings.append(f"{key}: unknown setting, ignored")
            continue
        try:
            changes[key] = validate_value(key, value)
        except SettingsError as exc:
            default = tomli_w.dumps({"v": settings_to_dict(Settings())[key]})[4:].strip()
            warnings.append(f"{exc}; using the default {default}")
    return changes, warnings


def file_version(data: Mapping[str, Any]) -> int | None:
    """The ``version`` of a parsed settings table when it is a plain integer, else None."""
    version = data.get("version")
    return version if isinstance(version, int) and not isinstance(version, bool) else None


def _parse(raw: bytes) -> tuple[dict[str, Any], list[str], bool, int | None]:
    """The file's valid settings, warnings, whether it needs rewriting, and its version; raises
    on a file that cannot be read as settings at all (any exception: a hostile file may raise
    ValueError, RecursionError, MemoryError...)."""
    data = tomllib.loads(raw.decode("utf-8-sig"))  # a BOM from a Windows editor is fine
    version = file_version(data)
    if version is not None and version > SETTINGS_VERSION:
        return {}, [], False, version
    table, warnings = migrate(data)
    changes, bad = _valid_changes(table)
    # A hand-written file without ``version`` but with current keys is left alone.
    unchanged = table == {k: v for k, v in data.items() if k != "version"}
    return changes, warnings + bad, not unchanged, version


def load_settings(
    path: str | os.PathLike[str], *, now: datetime | None = None, repair: bool = True
) -> LoadedSettings:
    """Read, migrate and validate the settings file; a missing file gives the defaults.

    In a file that cannot be parsed, or that holds bad keys or values, bad keys fall back to their
    defaults (all of them if the file cannot be read as settings at all, whatever the reason)
    and each problem becomes a warning naming the key. With ``repair`` the file is first copied
    to a backup and the cleaned (or migrated) settings are written back, so the warning is shown
    once; without it nothing on disk changes (for read-only commands). A repair that cannot
    write (read-only folder, full disk) says so and the settings live in memory for this run. A
    file from a newer HipCheck is kept as it is: this run uses the defaults, and the file is
    never overwritten (``save_settings`` refuses it).
    """
    file = Path(path)
    when = now if now is not None else datetime.now(timezone.utc)
    try:
        raw = read_limited(file)
    except FileNotFoundError:
        return LoadedSettings(Settings())
    except (OSError, ValueError) as exc:
        return LoadedSettings(Settings(), [f"{file}: cannot be read ({exc}); using defaults"])
    try:
        changes, warnings, rewrite, version = _parse(raw)
    except Exception as exc:
        changes, rewrite, version = {}, True, None
        what = "not valid TOML" if isinstance(exc, tomllib.TOMLDecodeError) else "not readable"
        warnings = [f"{file.name}: {what} ({failure_reason(exc)}); all settings reset to defaults"]
    if version is not None and version > SETTINGS_VERSION:
        return LoadedSettings(
            Settings(),
            [
                f"{file.name} is from a newer HipCheck (settings version {version}); this run "
                "uses the defaults and leaves the file as it is"
            ],
        )
    settings = replace(Settings(), **changes)
    if not (warnings or rewrite) or not repair:
        return LoadedSettings(settings, warnings, from_file=frozenset(changes))
    try:
        backup = backup_copy(file, raw, when)
        save_settings(file, settings)
    except OSError as exc:
        warnings.append(
            f"could not repair {file.name} ({exc.strerror or exc}); "
            "these settings are used for this run only"
        )
        return LoadedSettings(settings, warnings, from_file=frozenset(changes))
    if warnings:
        warnings.append(f"your previous file was saved as {backup.name}")
    return LoadedSettings(settings, warnings, backup, from_file=frozenset(changes))


def settings_to_toml(settings: Settings) -> str:
    """The settings file's text: every key with its label, unit, bounds and help as comments."""
    values = settings_to_dict(settings)
    lines = [
        "# HipCheck settings. Edit while HipCheck is stopped, or use its Settings window.",
        "# A bad value is replaced by its default (your file is backed up first).",
        "",
        tomli_w.dumps({"version": SETTINGS_VERSION}).strip(),
    ]
    tab = ""
    for name, spec, _default in iter_specs():
        if spec.tab != tab:
            tab = spec.tab
            lines += ["", f"# ---- {tab} ----"]
        lines.append(f"# {spec.label}: {file_help(spec)}{_constraint_comment(spec)}")
        lines.append(tomli_w.dumps({name: values[name]}).strip())
    return "\n".join(lines) + "\n"


def file_help(spec: SettingSpec) -> str:
    """The help for the stored value (settings file, README, ``hipcheck settings``)."""
    return f"{spec.help} {spec.file_note}" if spec.file_note else spec.help


def _constraint_comment(spec: SettingSpec) -> str:
    if spec.minimum is not None or spec.maximum is not None:
        return f" ({bounds_text(spec)})"
    if spec.choices:
        return f" (one of: {', '.join(spec.choices)})"
    return ""


def save_settings(path: str | os.PathLike[str], settings: Settings) -> None:
    """Write the settings file atomically (temporary file in the same folder, then replace).

    The file is the user's own (0600, its folder 0700 when created here). Raises
    ``SettingsFileRefused`` rather than overwrite a file from a newer HipCheck.
    """
    file = Path(path)
    _refuse_newer(file)
    if not file.parent.is_dir():
        file.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{file.name}.", suffix=".tmp", dir=file.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(settings_to_toml(settings))
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, file)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _refuse_newer(file: Path) -> None:
    """Raise SettingsFileRefused if ``file`` is a settings file from a newer HipCheck."""
    try:
        data = tomllib.loads(read_limited(file).decode("utf-8-sig"))
    except Exception:  # missing, unreadable or damaged: ours to replace
        return
    version = file_version(data)
    if version is not None and version > SETTINGS_VERSION:
        raise SettingsFileRefused(
            f"{file.name} is from a newer HipCheck (settings version {version}); not overwritten"
        )


# ---- the README table ------------------------------------------------------------------------


def markdown_table() -> str:
    """The README's table of every setting: key, default, unit, bounds or choices, tab, help."""
    rows = [
        "| Key | Default | Unit | Bounds / choices | Tab | Meaning |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for name, spec, default in iter_specs():
        if isinstance(default, bool):
            shown = "true" if default else "false"
        elif isinstance(default, tuple):
            shown = ",".join(default)
        elif isinstance(default, str):
            shown = f'"{default}"'
        else:
            shown = _fmt_number(default)
        if spec.minimum is not None or spec.maximum is not None:
            bounds = f"{_fmt_number(spec.minimum)} – {_fmt_number(spec.maximum)}"
        elif spec.choices:
            bounds = ", ".join(spec.choices)
        elif isinstance(default, bool):
            bounds = "true, false"
        else:
            bounds = ""
        rows.append(
            f"| `{name}` | `{shown}` | {spec.unit} | {bounds} | {spec.shown_in} | {file_help(spec)} |"
        )
    return "\n".join(rows) + "\n"


README_START = "<!-- settings-table:start -->\n"
README_END = "<!-- settings-table:end -->"


def update_readme(text: str) -> str:
    """``text`` (a README) with the table between the settings-table markers regenerated."""
    head, start, rest = text.partition(README_START)
    _old, end, tail = rest.partition(README_END)
    if not start or not end:
        raise SettingsError("README has no settings-table markers")
    return head + README_START + markdown_table() + README_END + tail


def _main(argv: Sequence[str]) -> int:
    args = list(argv)
    if args == ["--markdown"]:
        sys.stdout.write(markdown_table())
        return 0
    if args == ["--toml"]:
        sys.stdout.write(settings_to_toml(Settings()))
        return 0
    if len(args) == 2 and args[0] == "--update-readme":
        readme = Path(args[1])
        readme.write_text(update_readme(readme.read_text(encoding="utf-8")), encoding="utf-8")
        return 0
    sys.stderr.write(
        "usage: python -m hipcheck.core.settings --markdown | --toml | --update-readme README.md\n"
    )
    return 2


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
