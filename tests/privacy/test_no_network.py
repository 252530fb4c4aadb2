"""Nothing HipCheck runs tries to reach the network: analyze and the tray app, on real footage."""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

from tests.privacy.conftest import GuardedRun, guarded

# strace lines that are network (not Unix-socket or netlink) traffic.
INET = re.compile(r"sa_family=AF_INET6?\b")


def network_attempts(run: GuardedRun) -> list[str]:
    """Every attempt either witness saw."""
    seen = [json.dumps(r) for r in run.of_kind("network")]
    seen += [line for line in run.strace_lines or [] if INET.search(line)]
    return seen


def test_guard_catches_a_connection(tmp_path: Path) -> None:
    """The witnesses work: a process that does connect is caught by both."""
    import os

    os.environ["HIPCHECK_GUARD_SELFTEST"] = "1"
    try:
        run = guarded("selftest", tmp_path, ["status"])
    finally:
        del os.environ["HIPCHECK_GUARD_SELFTEST"]
    events = {r["event"] for r in run.of_kind("network")}
    assert {"socket.connect", "socket.getaddrinfo"} <= events
    # the hook refused before the kernel saw it, so strace must not show that address; the
    # child process's connection bypassed the hooks, and strace must show it
    assert run.strace_lines is not None
    assert not [line for line in run.strace_lines if "192.0.2.1" in line]
    assert [line for line in run.strace_lines if "127.0.0.1" in line and INET.search(line)]
    assert run.returncode == 1  # and hipcheck itself still ran: "HipCheck is not running"


def test_analyze_makes_no_connection(analyze_run: GuardedRun) -> None:
    doc = json.loads(analyze_run.stdout)
    assert doc["summary"]["person_share"] > 0.8  # it really ran the model on the person
    assert network_attempts(analyze_run) == []


def test_app_makes_no_connection(app_run: GuardedRun) -> None:
    with sqlite3.connect(app_run.data_dir / "hipcheck.sqlite3") as db:
        (rows,) = db.execute("SELECT count(*) FROM intervals").fetchone()
    assert rows > 0, "the app did not record anything: it was not monitoring"
    assert network_attempts(app_run) == []
