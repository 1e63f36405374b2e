"""Load on `calgen serve`, side by side with Python's own `http.server`, in one run.

    python benchmarks/serve_load.py [--requests 2000] [--connections 50] [--idle 200] [--big-mb 0]

Builds the bundled sample into a temporary folder (optionally with an extra all-sized file of
--big-mb MB), starts each server in its own process on loopback, opens --idle silent
connections and keeps them open, then sends --requests GETs over --connections keep-alive
connections (a server that closes after each answer is reconnected), first full 200s and then
conditional requests answered 304.  Prints p50/p99 latency and requests/s for each.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(port: int) -> None:
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise SystemExit(f"server on {port} did not start")


async def _request(reader, writer, path: str, etag: str | None, ims: str | None = None) -> tuple[int, bool, str | None]:
    head = (f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n" + (f"If-None-Match: {etag}\r\n" if etag else "")
            + (f"If-Modified-Since: {ims}\r\n" if ims else "") + "\r\n")
    writer.write(head.encode())
    await writer.drain()
    status_line = await reader.readline()
    if not status_line:
        raise ConnectionResetError
    status = int(status_line.split()[1])
    length, close, tag = 0, False, None
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b"\n", b""):
            break
        name, _, value = line.decode("latin-1").partition(":")
        name, value = name.strip().lower(), value.strip()
        if name == "content-length":
            length = int(value)
        elif name == "connection" and value.lower() == "close":
            close = True
        elif name == "etag":
            tag = value
    if status != 304 and length:
        await reader.readexactly(length)
    elif status != 304 and close:
        await reader.read()
    return status, close, tag


async def _connect(port: int, n: int) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    return await asyncio.open_connection("127.0.0.1", port, local_addr=(f"127.0.0.{2 + n % 50}", 0))


async def _load(port: int, path: str, total: int, connections: int, idle: int, conditional: bool,
                ims: str | None = None) -> dict:
    # from 50 loopback addresses, as subscribers come from many (calgen serve caps one address)
    held = [await _connect(port, i) for i in range(idle)]
    etag = None
    if conditional:
        r, w = await asyncio.open_connection("127.0.0.1", port)
        _, _, etag = await _request(r, w, path, None)
        w.close()
    latencies: list[float] = []
    per = total // connections
    want = 304 if conditional or ims else 200

    async def client(n: int) -> None:
        reader, writer = await _connect(port, n)
        for _ in range(per):
            t = time.perf_counter()
            try:
                status, close, _ = await _request(reader, writer, path, etag, ims)
            except (ConnectionResetError, asyncio.IncompleteReadError):
                writer.close()
                reader, writer = await _connect(port, n)
                status, close, _ = await _request(reader, writer, path, etag, ims)
            latencies.append(time.perf_counter() - t)
            assert status == want, status
            if close:
                writer.close()
                reader, writer = await _connect(port, n)
        writer.close()

    start = time.perf_counter()
    await asyncio.gather(*(client(n) for n in range(connections)))
    wall = time.perf_counter() - start
    for _, w in held:
        w.close()
    latencies.sort()
    return {"rps": len(latencies) / wall, "p50": statistics.median(latencies) * 1000,
            "p99": latencies[int(len(latencies) * 0.99) - 1] * 1000}


def _later() -> str:
    import email.utils

    return email.utils.formatdate(time.time() + 3600, usegmt=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--requests", type=int, default=2000)
    ap.add_argument("--connections", type=int, default=50)
    ap.add_argument("--idle", type=int, default=200)
    ap.add_argument("--big-mb", type=int, default=0, help="also serve a file of this many MB")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="calgen-serve-"))
    out = work / "out"
    subprocess.run([sys.executable, "-m", "calgen", "build", "-o", str(out)], check=True, capture_output=True, cwd=HERE)
    paths = ["/feeds/all.ics"]
    if args.big_mb:
        big = out / "feeds" / "big.ics"
        big.write_bytes(b"X" * (args.big_mb * 1024 * 1024))
        paths.append("/feeds/big.ics")
    servers = {
        "calgen serve": [sys.executable, "-m", "calgen", "serve", str(out), "--port", "{port}"],
        "python -m http.server": [sys.executable, "-m", "http.server", "{port}", "--bind", "127.0.0.1",
                                  "--directory", str(out.resolve())],
    }
    print(f"{args.requests} requests over {args.connections} keep-alive connections, {args.idle} idle "
          f"connections held open; loopback, {os.cpu_count()} cores")
    print(f"{'server':<24}{'file':<16}{'kind':<6}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}")
    for name, cmd in servers.items():
        port = _free_port()
        proc = subprocess.Popen([c.format(port=port) for c in cmd], cwd=HERE, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        try:
            _wait(port)
            for path in paths:
                total = args.requests if path.endswith("all.ics") else max(50, args.requests // 20)
                for conditional in (False, True):
                    if conditional and name.startswith("python"):
                        kind = "304ims"          # http.server sends no ETag: If-Modified-Since instead
                        r = asyncio.run(_load(port, path, total, args.connections, args.idle, False, _later()))
                    else:
                        kind = "304" if conditional else "200"
                        r = asyncio.run(_load(port, path, total, args.connections, args.idle, conditional))
                    print(f"{name:<24}{path.rsplit('/', 1)[1]:<16}{kind:<6}{r['rps']:>9.0f}{r['p50']:>9.1f}{r['p99']:>9.1f}")
        finally:
            proc.terminate()
            proc.wait()


if __name__ == "__main__":
    main()
