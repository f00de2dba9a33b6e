"""A small closed-loop HTTP load generator (asyncio, loopback only, one request per connection).

Each of ``clients`` coroutines sends a request, reads the whole response, records the latency
and sends the next, until the deadline. gunicorn's sync workers close every connection, so a
new connection per request is what real clients get too. Used by the lookup benchmark and the
soak test; it runs in its own process so its CPU does not count against the server's.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bench.common import percentile

Request = Callable[[int, dict[str, Any]], bytes]


@dataclass
class LoadResult:
    """Latencies (ms) and status codes of one run."""

    seconds: float
    latencies_ms: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    by_label: dict[str, list[float]] = field(default_factory=dict)

    @property
    def requests(self) -> int:
        return len(self.latencies_ms)

    def summary(self, ok: set[int]) -> dict[str, Any]:
        bad = sum(n for code, n in self.statuses.items() if code not in ok)
        out: dict[str, Any] = {
            "requests": self.requests,
            "throughput_rps": round(self.requests / self.seconds, 1),
            "p50_ms": round(percentile(self.latencies_ms, 50), 1),
            "p95_ms": round(percentile(self.latencies_ms, 95), 1),
            "p99_ms": round(percentile(self.latencies_ms, 99), 1),
            "max_ms": round(max(self.latencies_ms, default=0.0), 1),
            "unexpected_status": bad,
            "errors": sum(self.errors.values()),
            "statuses": dict(self.statuses),
        }
        if self.errors:
            out["error_kinds"] = dict(self.errors)
        if len(self.by_label) > 1:
            out["by_label"] = {
                label: {
                    "requests": len(values),
                    "p50_ms": round(percentile(values, 50), 1),
                    "p99_ms": round(percentile(values, 99), 1),
                }
                for label, values in sorted(self.by_label.items())
            }
        return out


STATUS_LINE = re.compile(rb"HTTP/1\.[01] (\d{3})")


async def fetch(host: str, port: int, raw: bytes, timeout: float = 30.0) -> tuple[int, bytes]:
    """Send one raw request; the status code and the whole response."""
    reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), timeout)
    try:
        writer.write(raw)
        await writer.drain()
        data = await asyncio.wait_for(reader.read(-1), timeout)
    finally:
        writer.close()
    match = STATUS_LINE.match(data)
    if match is None:
        raise ConnectionError("no HTTP status line")
    return int(match.group(1)), data


def request(
    method: str, path: str, host: str, *, body: bytes = b"", headers: dict[str, str] | None = None
) -> bytes:
    """A raw HTTP/1.1 request that asks the server to close the connection."""
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}", "Connection: close"]
    for name, value in (headers or {}).items():
        lines.append(f"{name}: {value}")
    if body or method == "POST":
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


async def _client(
    n: int,
    host: str,
    port: int,
    make: Callable[[int, dict[str, Any]], tuple[str, bytes]],
    state: dict[str, Any],
    deadline: float,
    result: LoadResult,
    measure_from: float,
    interval: float | None,
) -> None:
    i = 0
    # paced clients start spread over one interval, then keep to their own schedule
    next_start = time.perf_counter() + (interval * (n % 97) / 97 if interval else 0.0)
    while True:
        if interval:
            wait = next_start - time.perf_counter()
            if wait > 0:
                await asyncio.sleep(wait)
            next_start += interval
        now = time.perf_counter()
        if now >= deadline:
            return
        label, raw = make(n * 1_000_003 + i, state)
        i += 1
        started = time.perf_counter()
        try:
            status, data = await fetch(host, port, raw)
        except (OSError, TimeoutError, ConnectionError) as exc:
            if started >= measure_from:
                result.errors[type(exc).__name__] += 1
            await asyncio.sleep(0.01)
            continue
        elapsed = (time.perf_counter() - started) * 1000
        if "after" in state:
            state["after"](label, status, data, state)
        if started >= measure_from:
            result.latencies_ms.append(elapsed)
            result.statuses[status] += 1
            result.by_label.setdefault(label, []).append(elapsed)


async def _run(
    host: str,
    port: int,
    make: Callable[[int, dict[str, Any]], tuple[str, bytes]],
    states: list[dict[str, Any]],
    seconds: float,
    warmup: float,
    interval: float | None,
) -> LoadResult:
    start = time.perf_counter()
    measure_from = start + warmup
    deadline = measure_from + seconds
    result = LoadResult(seconds)
    await asyncio.gather(
        *(
            _client(n, host, port, make, states[n], deadline, result, measure_from, interval)
            for n in range(len(states))
        )
    )
    return result


def run_load(
    host: str,
    port: int,
    make: Callable[[int, dict[str, Any]], tuple[str, bytes]],
    states: list[dict[str, Any]],
    seconds: float,
    warmup: float = 2.0,
    rate: float | None = None,
) -> LoadResult:
    """``len(states)`` concurrent clients for ``warmup + seconds``; only ``seconds`` counted.

    :param make: ``(request number, client state) → (label, raw request)``.
    :param rate: requests per second of each client (paced: a request starts on schedule, or
        at once when the previous one ran late); None sends the next request immediately
        (closed loop: the server's saturation throughput).
    :param states: one dict per client (cookies, tokens); an ``"after"`` callable in it is
        called with ``(label, status, response, state)`` after each response.
    """
    interval = 1.0 / rate if rate else None
    return asyncio.run(_run(host, port, make, states, seconds, warmup, interval))


def wait_until_up(host: str, port: int, path: str = "/", timeout: float = 30.0) -> None:
    """Poll until the server answers (any status)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            asyncio.run(fetch(host, port, request("GET", path, f"{host}:{port}"), timeout=5))
            return
        except (OSError, ConnectionError, TimeoutError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
