"""Keeping MediaPipe's native code off the network, and the user's environment for children.

MediaPipe's native library (1.x) carries a usage-statistics uploader (libcurl, to Google's
log servers) with no switch to turn it off. Its curl honours the proxy variables, so every
request it makes is sent to a SOCKS proxy on a Unix socket that cannot exist (nothing can be
created under /proc/self): the request fails at once, locally, with no name lookup and no
network connection. HipCheck itself never uses the network.
"""

from __future__ import annotations

import os
from typing import Final

NO_NETWORK_PROXY: Final = "socks5h://localhost/proc/self/hipcheck-never-connects.sock"
_PROXY_VARIABLES: Final = (
    "https_proxy",
    "HTTPS_PROXY",
    "http_proxy",
    "HTTP_PROXY",
    "all_proxy",
    "ALL_PROXY",
)


PROXY_NAMES: Final = (*_PROXY_VARIABLES, "no_proxy", "NO_PROXY")
_user_proxies: dict[str, str] | None = None  # the user's own values, for child processes


def keep_native_code_offline() -> None:
    """Point every proxy variable of this process at a proxy that cannot exist (see above)."""
    global _user_proxies
    if _user_proxies is None:
        _user_proxies = {n: os.environ[n] for n in PROXY_NAMES if n in os.environ}
    for name in _PROXY_VARIABLES:
        os.environ[name] = NO_NETWORK_PROXY
    for name in ("no_proxy", "NO_PROXY"):
        os.environ.pop(name, None)


def child_environment() -> dict[str, str]:
    """This process's environment as the user set it, for programs HipCheck starts (a sound
    player, notify-send): the offline proxy is for MediaPipe's native code only."""
    env = {k: v for k, v in os.environ.items() if v != NO_NETWORK_PROXY}
    env.update(_user_proxies or {})
    return env
