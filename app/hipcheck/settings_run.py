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
    """
    paths = resolve_paths(getattr(args, "data_dir", None))
    loaded = load_settings(paths.settings_file, repair=repair)
    overrides = getattr(args, "overrides", None) or []
    try:
        settings = apply_overrides(loaded.settings, overrides)
    except SettingsError as exc:
        raise UserError(str(exc)) from None
    return replace(loaded, settings=settings, overridden=overridden_names(overrides))
