"""`tradewind serve` through the real gunicorn: the app is loaded once in the master and the workers
share it (config/gunicorn.py), so a worker's proportional share of memory is well below its RSS.

A subprocess on a migrated SQLite copy in both suites: what is tested is the server, not the database.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.support import migrated
from tests.support.smtp import free_port


def _children(pid: int) -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except OSError:
                continue
            if parent == pid:
                out.append(int(entry.name))
    return out


def _kib(pid: int, path: str, field: str) -> int:
    for line in Path(f"/proc/{pid}/{path}").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise AssertionError(f"no {field} in /proc/{pid}/{path}")


def _get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=5) as answer:
            return int(answer.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)


@pytest.mark.skipif(not Path("/proc/self/smaps_rollup").exists(), reason="needs Linux /proc")
def test_serve_answers_and_workers_share_the_preloaded_app(tmp_path):
    migrated.sqlite_copy(tmp_path / "tradewind.sqlite3")
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "PYTEST_VERSION")}
    env.update(TRADEWIND_DATA_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="tradewind.config.settings")
    port = free_port()
    log = (tmp_path / "serve.log").open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "tradewind", "serve", "--no-worker", "--workers", "2",
         "--host", "127.0.0.1", "--port", str(port)],
        env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 120
        while True:
            try:
                if _get(base + "/healthz") == 200:
                    break
            except OSError:
                pass
            assert proc.poll() is None, "tradewind serve exited"
            assert time.monotonic() < deadline, "tradewind serve did not come up"
            time.sleep(0.5)
        assert [_get(base + "/accounts/login/") for _ in range(8)] == [200] * 8

        (master,) = [p for p in _children(proc.pid) if b"gunicorn" in _cmdline(p)]
        # The master forks its workers one by one and replaces any that exits, so on a busy
        # machine the second may not be there yet when the first has answered.
        deadline = time.monotonic() + 30
        while len(workers := _children(master)) != 2 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert len(workers) == 2, (tmp_path / "serve.log").read_text()[-3000:]
        for worker in workers:
            rss = _kib(worker, "status", "VmRSS")
            pss = _kib(worker, "smaps_rollup", "Pss")
            # Without the preload each worker imports the app itself and PSS is ~90% of RSS.
            assert pss < 0.7 * rss, (worker, rss, pss)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
        log.close()


def _cmdline(pid: int) -> bytes:
    return Path(f"/proc/{pid}/cmdline").read_bytes()
