"""Run ``hipcheck`` with audit hooks that deny the network and record writes; for privacy tests.

Usage: ``python guarded_run.py REPORT [hipcheck arguments...]``. Every network attempt (a
``socket.connect``/``sendto``/``sendmsg`` to anything but a Unix socket, a DNS lookup, an HTTP
request) is refused with ``OSError`` and written to REPORT as a JSON line; so is every file opened
for writing and every OpenCV / Qt call that could save an image or video. REPORT is written with
``os.write`` on a descriptor opened before the hooks, so recording cannot recurse or be lost when the
process is killed.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import sys
from typing import Any

WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC


def main() -> int:
    """Install the hooks, then hand over to ``hipcheck.cli.main``."""
    report_fd = os.open(sys.argv[1], os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)

    def record(kind: str, **detail: Any) -> None:
        line = json.dumps({"kind": kind, **detail}, default=repr) + "\n"
        os.write(report_fd, line.encode())

    def is_local(sock: Any) -> bool:
        return getattr(sock, "family", None) == socket.AF_UNIX

    def hook(event: str, args: tuple[Any, ...]) -> None:
        if event in ("socket.connect", "socket.sendto", "socket.sendmsg"):
            sock = args[0]
            if not is_local(sock):
                record("network", event=event, address=args[1] if len(args) > 1 else None)
                raise OSError(f"network access denied by the privacy test ({event})")
        elif event in ("socket.getaddrinfo", "socket.gethostbyname", "socket.gethostbyaddr"):
            record("network", event=event, address=args[0] if args else None)
            raise OSError(f"network access denied by the privacy test ({event})")
        elif event in (
            "urllib.Request",
            "http.client.connect",
            "ftplib.connect",
            "smtplib.connect",
        ):
            record("network", event=event, address=repr(args[:2]))
            raise OSError(f"network access denied by the privacy test ({event})")
        elif event == "open":
            path, mode, flags = [*args, None, None, None][:3]
            writing = (isinstance(mode, str) and any(c in mode for c in "wax+")) or (
                isinstance(flags, int) and flags & WRITE_FLAGS
            )
            if writing and not isinstance(path, int):
                record("open_write", path=os.fsdecode(path))

    sys.addaudithook(hook)

    # Calls that write images from C, invisible to the "open" audit event: wrap them before the
    # app imports them.
    import cv2

    def refuse(name: str) -> Any:
        def call(*args: Any, **kwargs: Any) -> Any:
            record("image_write", call=name, args=repr(args[:1]))
            raise OSError(f"{name} refused by the privacy test")

        return call

    for name in ("imwrite", "imwritemulti", "VideoWriter", "VideoWriter_fourcc"):
        if hasattr(cv2, name):
            setattr(cv2, name, refuse(f"cv2.{name}"))
    try:
        from PySide6.QtGui import QImage, QImageWriter, QPixmap

        QImage.save = refuse("QImage.save")  # type: ignore[method-assign]
        QPixmap.save = refuse("QPixmap.save")  # type: ignore[method-assign]
        QImageWriter.write = refuse("QImageWriter.write")  # type: ignore[method-assign]
    except ImportError:
        pass

    if os.environ.get("HIPCHECK_GUARD_SELFTEST"):
        _misbehave()

    from hipcheck.cli import main as hipcheck_main

    record("started", pid=os.getpid())
    return hipcheck_main(sys.argv[2:])


def _misbehave() -> None:
    """Do everything the guard must catch, so a test can show that it does."""
    import cv2
    import numpy as np

    attempts = [
        lambda: socket.socket().connect(("192.0.2.1", 80)),
        lambda: socket.getaddrinfo("example.org", 443),
        lambda: cv2.imwrite("selftest.png", np.zeros((4, 4, 3), np.uint8)),
        lambda: cv2.VideoWriter("selftest.avi", 0, 1.0, (4, 4)),
    ]
    for attempt in attempts:
        with contextlib.suppress(OSError):
            attempt()
    # A connection from a child process the hooks do not reach: only strace can see this one.
    import subprocess

    code = "import socket\ntry: socket.socket().connect(('127.0.0.1', 9))\nexcept OSError: pass"
    subprocess.run([sys.executable, "-c", code], check=False)
    with open("selftest.jpg", "wb") as out:  # the "open" hook records, the disk scan finds it
        out.write(b"\xff\xd8\xff\xe0" + bytes(64))


if __name__ == "__main__":
    sys.exit(main())
