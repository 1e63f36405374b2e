"""`calgen serve` while hostile clients are connected: how long a subscriber waits.

    python benchmarks/serve_attack.py [--slow 2000] [--hogs 10] [--flood 4200] [--seconds 30]
                                      [--big-mb 100] [--tree PATH]

Builds the bundled sample, adds a --big-mb file under feeds/, starts `calgen serve` from --tree
(default: this checkout; give an older checkout to compare) in its own process on loopback, then
at once:

* --hogs connections each pipeline three GETs of the big file and never read;
* --slow slowloris clients spread over 40 loopback addresses (127.0.0.2-41, under the per-client
  cap) each send a request head one byte every 2 s, reconnecting when dropped;
* --flood connections are opened from one address (127.0.0.200) and held;

and a subscriber on 127.0.0.1 asks for a feed every 100 ms on a fresh connection.  Prints the
subscriber's p50/p99/max latency and failures, how many slow and flood connections the server
held at the end, and the server's peak memory.  Needs a descriptor limit above
slow + flood + hogs (it raises its own soft limit to the hard one).
"""
from __future__ import annotations

import argparse
import asyncio
import os
import resource
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


async def _open(port: int, source: str) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    return await asyncio.open_connection("127.0.0.1", port, local_addr=(source, 0))


async def _hog(port: int) -> None:
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.setblocking(False)
    await asyncio.get_running_loop().sock_connect(sock, ("127.0.0.1", port))
    await asyncio.get_running_loop().sock_sendall(sock, b"GET /feeds/big.ics HTTP/1.1\r\nHost: x\r\n\r\n" * 3)
    _HELD.append(sock)


_HELD: list[socket.socket] = []


async def _slow(port: int, source: str, stop: float, alive: list[int]) -> None:
    """alive[0]: connected now; alive[1]: dropped by the server so far."""
    head = b"GET /feeds/all.ics HTTP/1.1\r\nHost: x\r\n" + b"X-a: b\r\n" * 1000
    while time.monotonic() < stop:
        try:
            reader, writer = await _open(port, source)
        except OSError:
            await asyncio.sleep(1)
            continue
        alive[0] += 1
        answer = asyncio.create_task(reader.read())
        try:
            for byte in head:
                writer.write(bytes([byte]))
                await writer.drain()
                await asyncio.wait([answer], timeout=2)
                if answer.done() or time.monotonic() > stop:
                    break
        except OSError:
            pass
        finally:
            alive[0] -= 1
            alive[1] += answer.done() or writer.is_closing()
            answer.cancel()
            writer.close()


async def _flood(port: int, count: int, held: list) -> None:
    for _ in range(count):
        try:
            held.append(await _open(port, "127.0.0.200"))
        except OSError:
            await asyncio.sleep(0.01)


async def _subscriber(port: int, stop: float) -> tuple[list[float], int]:
    latencies, failed = [], 0
    while time.monotonic() < stop:
        t = time.perf_counter()
        try:
            reader, writer = await asyncio.wait_for(_open(port, "127.0.0.1"), 10)
            writer.write(b"GET /feeds/all.ics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            data = await asyncio.wait_for(reader.read(), 10)
            writer.close()
            if not data.startswith(b"HTTP/1.1 200"):
                failed += 1
            else:
                latencies.append(time.perf_counter() - t)
        except (OSError, TimeoutError):
            failed += 1
        await asyncio.sleep(0.1)
    return latencies, failed


async def _attack(port: int, args: argparse.Namespace) -> None:
    stop = time.monotonic() + args.seconds
    alive = [0, 0]
    flood: list = []
    for _ in range(args.hogs):
        await _hog(port)
    slow = [asyncio.create_task(_slow(port, f"127.0.0.{2 + i % 40}", stop, alive)) for i in range(args.slow)]
    flooding = asyncio.create_task(_flood(port, args.flood, flood))
    await asyncio.sleep(3)                       # let the attackers connect first
    latencies, failed = await _subscriber(port, stop)

    async def still_open(reader: asyncio.StreamReader) -> bool:
        try:
            return not await asyncio.wait_for(reader.read(), 1)
        except TimeoutError:
            return True
        except OSError:
            return False

    open_flood = sum(await asyncio.gather(*(still_open(r) for r, _ in flood)))
    print(f"subscriber: {len(latencies)} answered, {failed} failed; latency p50 "
          f"{statistics.median(latencies) * 1000:.1f} ms, p99 {sorted(latencies)[int(len(latencies) * .99) - 1] * 1000:.1f} ms,"
          f" max {max(latencies) * 1000:.1f} ms" if latencies else f"subscriber: nothing answered, {failed} failed")
    print(f"slowloris: {alive[1]} connections dropped by the server in {args.seconds:.0f} s, {alive[0]} connected at the end; flood connections the server "
          f"kept: {open_flood} of {len(flood)} opened")
    flooding.cancel()
    for task in slow:
        task.cancel()
    await asyncio.gather(*slow, flooding, return_exceptions=True)
    for _, writer in flood:
        writer.close()
    for sock in _HELD:
        sock.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--slow", type=int, default=2000)
    ap.add_argument("--hogs", type=int, default=10)
    ap.add_argument("--flood", type=int, default=4200)
    ap.add_argument("--seconds", type=float, default=30)
    ap.add_argument("--big-mb", type=int, default=100)
    ap.add_argument("--tree", default=str(HERE), help="checkout whose calgen is started")
    args = ap.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    work = Path(tempfile.mkdtemp(prefix="calgen-attack-"))
    out = work / "out"
    env = {**os.environ, "PYTHONPATH": args.tree}
    subprocess.run([sys.executable, "-m", "calgen", "build", "-o", str(out)], check=True, capture_output=True,
                   cwd=args.tree, env=env)
    with open(out / "feeds" / "big.ics", "wb") as fh:
        for _ in range(args.big_mb):
            fh.write(b"X" * 2**20)
    port = _free_port()
    server = subprocess.Popen([sys.executable, "-m", "calgen", "serve", str(out), "--port", str(port)],
                              cwd=args.tree, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        print(f"{args.tree}: {args.hogs} non-reading pipelined clients of a {args.big_mb} MB file, {args.slow} "
              f"slowloris clients, {args.flood} connections from one address; {args.seconds:.0f} s; "
              f"descriptors {hard}; {os.cpu_count()} cores")
        asyncio.run(_attack(port, args))
        status = Path(f"/proc/{server.pid}/status")
        if status.exists():
            peak = next(line.split()[1] for line in status.read_text().splitlines() if line.startswith("VmHWM"))
            print(f"server peak memory: {int(peak) / 1024:.0f} MB")
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
