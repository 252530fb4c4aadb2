"""The one exception type that the command line turns into a one-line error and exit status 2."""


class UserError(Exception):
    """Bad input from the user (missing file, bad option, no camera); shown as one line, exit 2."""
