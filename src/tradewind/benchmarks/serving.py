"""Serving figures: `tradewind serve --no-worker` (gunicorn, 2 workers) under a loopback load of
16 concurrent connections, from `wrk` when installed, else from a small threaded load loop."""

from __future__ import annotations

import contextlib
import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from .measure import percentile


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(port: int, path: str, cookie: str, timeout: float = 10) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path, headers={"Cookie": cookie, "Host": "127.0.0.1"})
        resp = conn.getresponse()
        return resp.status, resp.read()
    finally:
        conn.close()


def _descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(entry.name))
    out, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            out.append(child)
            todo.append(child)
    return out


def _rss_mib(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _memory_mib(pid: int) -> dict[str, float]:
    """RSS, PSS (the process's share of pages it shares) and USS (its private pages), in MiB."""
    out = {"rss": _rss_mib(pid), "pss": 0.0, "uss": 0.0}
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            name, _sep, rest = line.partition(":")
            if name == "Pss":
                out["pss"] = int(rest.split()[0]) / 1024
            elif name in ("Private_Clean", "Private_Dirty"):
                out["uss"] += int(rest.split()[0]) / 1024
    except OSError:
        pass
    return out


def _worker_memory(serve_pid: int) -> list[dict[str, float]]:
    """Memory of the gunicorn workers: the leaves under the gunicorn master."""
    pids = _descendants(serve_pid)
    leaves = [p for p in pids if not _descendants(p)]
    gunicorn = []
    for p in leaves:
        try:
            cmd = Path(f"/proc/{p}/cmdline").read_bytes()
        except OSError:
            continue
        if b"gunicorn" in cmd:
            gunicorn.append(_memory_mib(p))
    return sorted(gunicorn, key=lambda m: m["rss"])


def _wrk(port: int, path: str, cookie: str, seconds: int, concurrency: int) -> dict[str, float]:
    out = subprocess.run(  # noqa: S603 - fixed argv
        [
            shutil.which("wrk") or "wrk",
            "-t2",
            f"-c{concurrency}",
            f"-d{seconds}s",
            "--latency",
            "-H",
            f"Cookie: {cookie}",
            f"http://127.0.0.1:{port}{path}",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout

    def ms(text: str) -> float:
        value, unit = re.match(r"([\d.]+)(us|ms|s)", text).groups()  # type: ignore[union-attr]
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p50 = ms(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1))  # type: ignore[union-attr]
    p99 = ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1))  # type: ignore[union-attr]
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = re.search(r"Socket errors:.*", out)
    return {
        "rps": rps,
        "p50": p50,
        "p99": p99,
        "non2xx": float(bad.group(1)) if bad else 0.0,
        "socket_errors": errors.group(0) if errors else "",  # type: ignore[dict-item]
    }


def _loop(port: int, path: str, cookie: str, seconds: int, concurrency: int) -> dict[str, float]:
    """A small closed-loop load: `concurrency` threads, each one request at a time."""
    latencies: list[float] = []
    bad = [0]
    stop = time.perf_counter() + seconds
    lock = threading.Lock()

    def worker() -> None:
        mine = []
        errors = 0
        while time.perf_counter() < stop:
            t0 = time.perf_counter()
            try:
                status, _body = _get(port, path, cookie)
            except OSError:
                status = 0
            mine.append((time.perf_counter() - t0) * 1000)
            errors += status != 200
        with lock:
            latencies.extend(mine)
            bad[0] += errors

    t0 = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - t0
    return {
        "rps": len(latencies) / elapsed,
        "p50": percentile(latencies, 50),
        "p99": percentile(latencies, 99),
        "non2xx": float(bad[0]),
        "socket_errors": "",  # type: ignore[dict-item]
    }


def measure_serving(
    paths: dict[str, str],
    cookie: str,
    *,
    seconds: int = 15,
    concurrency: int = 16,
    workers: int = 2,
    log=print,  # type: ignore[no-untyped-def]
) -> list[dict[str, object]]:
    port = _free_port()
    env = {**os.environ, "PORT": str(port)}
    from django.conf import settings

    log_path = Path(settings.DATA_DIR) / "bench-serve.log"
    log_file = log_path.open("w")
    # serve runs collectstatic, then gunicorn; its output (access log included) goes to a file.
    proc = subprocess.Popen(  # noqa: S603 - fixed argv
        [sys.executable, "-m", "tradewind", "serve", "--no-worker", "--workers", str(workers),
         "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=log_file,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )  # fmt: skip
    results: list[dict[str, object]] = []
    tool = "wrk" if shutil.which("wrk") else "a threaded Python load loop (wrk not installed)"
    try:
        deadline = time.time() + 60
        while True:
            try:
                if _get(port, "/healthz", cookie, timeout=2)[0] == 200:
                    break
            except OSError:
                pass
            if time.time() > deadline or proc.poll() is not None:
                raise RuntimeError(f"tradewind serve did not come up on port {port}")
            time.sleep(0.5)
        for name, path in paths.items():
            status, _body = _get(port, path, cookie)
            if status != 200:
                log_file.flush()
                tail = log_path.read_text(errors="replace").splitlines()[-15:]
                raise RuntimeError(
                    f"GET {path} answered {status} through gunicorn; {log_path}:\n"
                    + "\n".join(tail)
                )
            log(f"  serving {name}: {concurrency} connections for {seconds} s with {tool} …")
            run = _wrk if shutil.which("wrk") else _loop
            run(port, path, cookie, 2, concurrency)  # warm-up
            r = run(port, path, cookie, seconds, concurrency)
            memory = _worker_memory(proc.pid)
            r.update(name=name, path=path, memory=memory, tool=tool)  # type: ignore[arg-type]
            r["text"] = (
                f"**{name}** (`{path.split('?')[0]}`): {r['rps']:.0f} req/s, "
                f"p50 {r['p50']:.0f} ms, p99 {r['p99']:.0f} ms at concurrency {concurrency} "
                f"({workers} sync workers, {seconds} s, {tool}); worker memory after the run "
                + ", ".join(
                    f"RSS {m['rss']:.0f} / PSS {m['pss']:.0f} / USS {m['uss']:.0f} MiB"
                    for m in memory
                )
                + (f"; {int(r['non2xx'])} non-200 answers" if r["non2xx"] else "")
                + (f"; {r['socket_errors']}" if r["socket_errors"] else "")
            )
            log("    " + str(r["text"]))
            results.append(r)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
        log_file.close()
    return results
