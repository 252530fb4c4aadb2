"""Sub-commands of the ``hipcheck`` command line; each module has ``register(subparsers)``.

A module's ``register`` adds its sub-parser and sets ``func`` (``(args) -> int``) as its default.
Add new sub-commands to ``COMMAND_MODULES``.
"""

COMMAND_MODULES: tuple[str, ...] = ("status", "report", "analyze", "settings")
