"""Benchmark: ``GET /api/v1/status`` under 32 concurrent clients, today's code against the cache.

Goal (issue 8): at 32 concurrent clients on one uvicorn process, p99 under 200 ms and at
least 30x the throughput of the uncached code, measured in the same run; also report 2
workers. "Today's code" is the same server with ``KRAAN_STATUS_CACHE=false`` (the status is
computed on every request, as before the cache). Only 127.0.0.1; every phase is bounded by
time and by a request cap.

    .venv/bin/python bench/bench_status_load.py                 # ~3 min with the demo load
    .venv/bin/python bench/bench_status_load.py --seconds 10 --clients 32 --keep

It loads the demo (2020-11-01..2020-12-31) into a throw-away PostgreSQL schema, then for
1 and 2 workers starts uvicorn without and with the cache, warms up, and lets the clients
ask for the status at ``--as-of`` in a loop. Prints requests/s, p50/p95/p99 and the ratios.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import date

import httpx
from rich.console import Console
from rich.table import Table

from benchlib import DEFAULT_PG_URL, create_schema, machine_line, percentile
from kraan.services.demo import load_demo
from kraan.settings import get_settings

console = Console(width=120)


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(url: str, port: int, workers: int, cache: bool) -> subprocess.Popen[bytes]:
    env = {**os.environ, "KRAAN_DATABASE_URL": url, "KRAAN_STATUS_CACHE": str(cache).lower()}
    command = [
        sys.executable, "-m", "uvicorn", "kraan.api.app:create_app", "--factory",
        "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers),
        "--log-level", "warning", "--no-access-log",
    ]  # fmt: skip
    return subprocess.Popen(command, env=env)


def wait_ready(base: str, server: subprocess.Popen[bytes], timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"uvicorn exited with code {server.returncode}")
        try:
            if httpx.get(f"{base}/api/v1/regions", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise SystemExit("uvicorn did not become ready in time")


def _read_response(sock: socket.socket, buffer: bytearray) -> tuple[int, bytes]:
    """One HTTP/1.1 response off a keep-alive socket: (status, body)."""
    while b"\r\n\r\n" not in buffer:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("closed")
        buffer += chunk
    head, _, rest = bytes(buffer).partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    status = int(lines[0].split()[1])
    length = 0
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    body = bytearray(rest)
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("closed")
        body += chunk
    buffer[:] = body[length:]
    return status, bytes(body[:length])


def client(port: int, as_of: str, until: float, cap: list[int], tally: Tally) -> None:
    """A minimal keep-alive HTTP/1.1 client: the 32 clients share the 2 cores with the
    server, so they should cost as little CPU as possible."""
    request = (
        f"GET /api/v1/status?as_of={as_of} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        "Accept: application/json\r\n\r\n"
    ).encode()
    sock = socket.create_connection(("127.0.0.1", port), timeout=60)
    buffer = bytearray()
    try:
        while time.monotonic() < until:
            with tally.lock:
                if cap[0] <= 0:
                    return
                cap[0] -= 1
            started = time.perf_counter()
            try:
                sock.sendall(request)
                status, _ = _read_response(sock, buffer)
                ok = status == 200
            except (OSError, ConnectionError, ValueError):
                ok = False
                sock.close()
                sock = socket.create_connection(("127.0.0.1", port), timeout=60)
                buffer.clear()
            elapsed = time.perf_counter() - started
            with tally.lock:
                if ok:
                    tally.latencies.append(elapsed)
                else:
                    tally.errors += 1
    finally:
        sock.close()


def phase(url: str, workers: int, cache: bool, args: argparse.Namespace) -> dict[str, float]:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_server(url, port, workers, cache)
    try:
        wait_ready(base, server)
        for _ in range(2 * workers):  # warm-up: imports, criteria, the cache's first entry
            httpx.get(f"{base}/api/v1/status", params={"as_of": args.as_of}, timeout=60)
        tally = Tally()
        cap = [args.max_requests]
        started = time.monotonic()
        until = started + args.seconds
        threads = [
            threading.Thread(target=client, args=(port, args.as_of, until, cap, tally))
            for _ in range(args.clients)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        wall = time.monotonic() - started
    finally:
        server.terminate()
        server.wait(timeout=30)
    done = tally.latencies
    return {
        "requests": len(done),
        "errors": tally.errors,
        "rps": len(done) / wall,
        "p50": percentile(done, 50) * 1000 if done else float("nan"),
        "p95": percentile(done, 95) * 1000 if done else float("nan"),
        "p99": percentile(done, 99) * 1000 if done else float("nan"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default=DEFAULT_PG_URL)
    parser.add_argument("--seconds", type=float, default=15.0, help="per phase")
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--max-requests", type=int, default=50_000, help="cap per phase")
    parser.add_argument("--as-of", default="2020-12-21")
    parser.add_argument("--workers", default="1,2")
    parser.add_argument("--keep", action="store_true", help="keep the schema")
    parser.add_argument("--reuse", help="a schema kept by --keep (skips the demo load)")
    args = parser.parse_args()
    schema = create_schema(args.url, "kraan_bench_status", reuse=args.reuse)
    engine = schema.engine()
    try:
        if not args.reuse:
            started = time.monotonic()
            with console.status("loading the demo (2020-11-01..2020-12-31)"):
                load_demo(engine, get_settings(), start=date(2020, 11, 1), end=date(2020, 12, 31))
            console.print(f"demo loaded in {time.monotonic() - started:.0f} s ({schema.name})")
        console.print(machine_line(engine))
        rows = []
        for workers in (int(w) for w in args.workers.split(",")):
            old = phase(schema.url, workers, False, args)
            new = phase(schema.url, workers, True, args)
            rows.append((workers, old, new))
        table = Table(title=f"GET /api/v1/status?as_of={args.as_of}, {args.clients} clients, "
                      f"{args.seconds:.0f} s per phase")  # fmt: skip
        for name in ("workers", "code", "requests", "errors", "req/s", "p50 ms", "p95 ms",
                     "p99 ms", "x throughput"):  # fmt: skip
            table.add_column(name, justify="right")
        for workers, old, new in rows:
            for label, result in (("uncached (today)", old), ("cached", new)):
                ratio = result["rps"] / old["rps"] if old["rps"] else float("nan")
                table.add_row(
                    str(workers), label, str(int(result["requests"])), str(int(result["errors"])),
                    f"{result['rps']:.1f}", f"{result['p50']:.0f}", f"{result['p95']:.0f}",
                    f"{result['p99']:.0f}", f"{ratio:.0f}x",
                )  # fmt: skip
        console.print(table)
        one = next((new for w, _, new in rows if w == 1), None)
        base = next((old for w, old, _ in rows if w == 1), None)
        if one and base:
            goal = one["p99"] < 200 and one["rps"] >= 30 * base["rps"]
            console.print(
                f"goal (1 worker: p99 < 200 ms and >= 30x): {'MET' if goal else 'NOT MET'} "
                f"(p99 {one['p99']:.0f} ms, {one['rps'] / base['rps']:.0f}x)"
            )
    finally:
        engine.dispose()
        if not args.keep:
            schema.drop()


if __name__ == "__main__":
    main()
