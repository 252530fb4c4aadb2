"""Text made safe to show: secrets in stream URLs hidden, control characters removed.

A camera URL may carry a password (``rtsp://user:secret@host/x``) or a token in its query
(``http://cam/video?pwd=secret``). The settings file keeps it, since the camera needs it, but logs,
``hipcheck status``, error messages and anything else shown to a person get :func:`redact_url`'s
text. :func:`printable` drops control characters (terminal escape sequences included) from text
that came from elsewhere, such as another process on the control socket.
"""

from __future__ import annotations

import re

HIDDEN = "***"

# scheme://userinfo@ — userinfo runs to the last "@" before the path (a password may hold "@").
_USERINFO = re.compile(r"(?P<scheme>\b[a-zA-Z][a-zA-Z0-9+.-]*://)(?P<userinfo>[^/?#\s]*)@")
# name=value in a URL's query or fragment, for names that carry a secret.
_SECRET_PARAM = re.compile(
    r"(?P<key>[?&;#](?:[a-z_]*(?:pass|pwd|passwd|password|token|secret|auth|key|sig|signature|"
    r"credential|session|user|usr|login)[a-z_]*)=)(?P<value>[^&;#\s]*)",
    re.IGNORECASE,
)
# C0 and C1 control characters and DEL, except tab and newline; ESC [ ... sequences as a whole.
_ANSI = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]|(?:\x1b\]|\x9d)[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?|\x1b."
)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def redact_url(text: str) -> str:
    """``text`` with the credentials of every URL in it replaced by ``***``.

    ``rtsp://user:secret@host/x`` becomes ``rtsp://***@host/x``; a query parameter named like a
    secret (``pwd=``, ``token=``, ``user=``...) keeps its name and loses its value. Text without a
    URL comes back unchanged.
    """
    if "://" not in text and "=" not in text:
        return text
    hidden = _USERINFO.sub(lambda m: f"{m['scheme']}{HIDDEN}@", text)
    if "://" in hidden:
        hidden = _SECRET_PARAM.sub(lambda m: f"{m['key']}{HIDDEN}", hidden)
    return hidden


def printable(text: str, *, keep_newlines: bool = True) -> str:
    """``text`` without terminal escape sequences and control characters (tabs kept)."""
    clean = _CONTROL.sub("", _ANSI.sub("", text))
    return clean if keep_newlines else clean.replace("\n", " ")
