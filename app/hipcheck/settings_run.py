"""Settings for one run: the settings file from the data directory plus ``--set`` overrides."""

from __future__ import annotations

import argparse
from dataclasses import replace

from hipcheck.core.settings import (
    LoadedSettings,
    SettingsError,
    apply_overrides,
    load_settings,
    overridden_names,
)
from hipcheck.errors import UserError
from hipcheck.paths import resolve_paths


def settings_for_run(args: argparse.Namespace, *, repair: bool = True) -> LoadedSettings:
    """Load settings for ``args.data_dir`` and apply ``args.overrides`` (bad ones: UserError).

    ``repair=False`` leaves a bad settings file untouched (for read-only commands like analyze).
    The result keeps the file's own values apart (``saved``) and names the overridden keys, so
    whatever saves settings later writes the user's values, never a one-run override.
    """
    paths = resolve_paths(getattr(args, "data_dir", None))
    loaded = load_settings(paths.settings_file, repair=repair)
    overrides = getattr(args, "overrides", None) or []
    try:
        settings = apply_overrides(loaded.settings, overrides)
    except SettingsError as exc:
        raise UserError(str(exc)) from None
    # The file's own values stay apart, so whatever saves later never writes an override.
    return replace(
        loaded, settings=settings, overridden=overridden_names(overrides), saved=loaded.settings
    )
