"""`calgen serve` under hostile clients (#31): each row is one way a client misbehaves, what the
server does to it and that a subscriber is answered meanwhile.  Bounds are shortened so the
suite stays fast; their defaults are in the README's Limits table, and latencies under load are
measured by benchmarks/serve_attack.py, not here."""
import hashlib
import http.client
import socket
import threading
import time

import pytest

from calgen.serve import Bounds, make_server

SMALL = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n"


@pytest.fixture
def served(tmp_path):
    (tmp_path / "feeds").mkdir()
    (tmp_path / "feeds" / "small.ics").write_bytes(SMALL)
    (tmp_path / "feeds" / "big.ics").write_bytes(b"X" * (8 * 2**20))
    running = []

    def start(**bounds):
        server = make_server(tmp_path, "127.0.0.1", 0, "", threads=2, bounds=Bounds(**bounds))
        threading.Thread(target=server.run, daemon=True).start()
        running.append(server)
        return server

    yield start
    for server in running:
        server.close()


def _subscriber_is_answered(port: int) -> None:
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    c.request("GET", "/feeds/small.ics")
    r = c.getresponse()
    assert (r.status, r.read()) == (200, SMALL)
    c.close()


def _connect(port: int, source: str = "127.0.0.1") -> socket.socket:
    s = socket.create_connection(("127.0.0.1", port), timeout=5, source_address=(source, 0))
    return s


def _read_all(s: socket.socket, limit: float = 5.0) -> tuple[bytes, float]:
    """Everything the server sends until it closes, and how long that took."""
    start, data = time.monotonic(), b""
    s.settimeout(limit)
    try:
        while chunk := s.recv(65536):
            data += chunk
    except (TimeoutError, ConnectionResetError):
        pass
    return data, time.monotonic() - start


def test_a_head_trickled_a_byte_at_a_time_is_cut_off_at_the_head_deadline(served):
    server = served(head=1.0)
    s = _connect(server.effective_port)
    start = time.monotonic()
    for byte in b"GET /feeds/small.ics HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 40:
        try:
            s.send(bytes([byte]))
        except OSError:
            break
        _subscriber_is_answered(server.effective_port) if byte == ord("H") else time.sleep(0.1)
        if time.monotonic() - start > 3:
            break
    data, _ = _read_all(s)
    assert data.startswith(b"HTTP/1.1 408 ")
    assert time.monotonic() - start < 3                 # every byte arrived in time; the head did not
    s.close()


def test_a_silent_connection_is_closed_after_the_idle_time(served):
    server = served(idle=0.5)
    s = _connect(server.effective_port)
    data, took = _read_all(s)
    assert data == b"" and took < 2
    s.close()


def test_one_address_holds_at_most_its_share_and_others_are_served(served):
    server = served(per_client=5)
    held = [_connect(server.effective_port, "127.0.0.2") for _ in range(5)]
    extra = _connect(server.effective_port, "127.0.0.2")
    data, _ = _read_all(extra)
    assert data.startswith(b"HTTP/1.1 503 ") and b"too many connections from your address" in data
    _subscriber_is_answered(server.effective_port)      # another address is not affected
    for s in held + [extra]:
        s.close()
    time.sleep(0.2)
    again = _connect(server.effective_port, "127.0.0.2")  # the share is given back when they close
    again.sendall(b"GET /feeds/small.ics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert _read_all(again)[0].startswith(b"HTTP/1.1 200 ")
    again.close()


def test_past_the_connection_limit_a_client_is_told_the_server_is_busy(served):
    server = served(connections=4)
    held = [_connect(server.effective_port, f"127.0.0.{2 + i}") for i in range(4)]
    extra = _connect(server.effective_port, "127.0.0.9")
    data, _ = _read_all(extra)
    assert data.startswith(b"HTTP/1.1 503 ") and b"server busy" in data
    for s in held + [extra]:
        s.close()


def test_a_client_that_stops_reading_is_dropped_and_holds_no_worker(served):
    server = served(write=1.0)
    hanging = []
    for _ in range(4):                                  # twice as many as the two worker threads
        s = _connect(server.effective_port)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        s.sendall(b"GET /feeds/big.ics HTTP/1.1\r\nHost: x\r\n\r\n" * 3)
        hanging.append(s)
    _subscriber_is_answered(server.effective_port)
    deadline = time.monotonic() + 5
    while server.open and time.monotonic() < deadline:  # dropped after the write deadline
        time.sleep(0.1)
    assert server.open == {}
    for s in hanging:
        s.close()


def test_a_file_larger_than_any_buffer_is_streamed_whole(served, tmp_path):
    big = tmp_path / "feeds" / "huge.ics"
    with open(big, "wb") as fh:
        for i in range(80):                             # 80 MB: past every buffer calgen had
            fh.write(bytes([65 + i % 26]) * 2**20)
    server = served()
    c = http.client.HTTPConnection("127.0.0.1", server.effective_port, timeout=10)
    c.request("GET", "/feeds/huge.ics")
    r = c.getresponse()
    digest = hashlib.sha256()
    while chunk := r.read(2**20):
        digest.update(chunk)
    assert r.status == 200 and digest.hexdigest() == hashlib.sha256(big.read_bytes()).hexdigest()


@pytest.mark.parametrize(("request_bytes", "status", "closes"), [
    # a GET that expects 100-continue and sends no body is simply answered
    (b"GET /feeds/small.ics HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n\r\n", b"200", False),
    # an HTTP/1.0 request without Host is answered and the connection closed
    (b"GET /feeds/small.ics HTTP/1.0\r\n\r\n", b"200", True),
    # a GET with a body is answered; the body is never read, so the connection is not reused
    (b"GET /feeds/small.ics HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello", b"200", True),
    # HTTP/1.1 without Host, a garbage request line, a head over 64 KiB
    (b"GET /feeds/small.ics HTTP/1.1\r\n\r\n", b"400", True),
    (b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n", b"400", True),
    (b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 70000 + b"\r\n\r\n", b"431", True),
    (b"POST /feeds/small.ics HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n", b"405", False),
])
def test_requests_as_clients_send_them(served, request_bytes, status, closes):
    server = served(idle=1.0)
    s = _connect(server.effective_port)
    s.sendall(request_bytes)
    data, took = _read_all(s, 3)
    assert data.startswith(b"HTTP/1.1 " + status + b" ")
    assert (took < 0.9) == closes                      # closed at once, or kept open until idle
    s.close()


def test_pipelined_requests_are_answered_in_order(served):
    server = served()
    s = _connect(server.effective_port)
    s.sendall(b"GET /feeds/small.ics HTTP/1.1\r\nHost: x\r\n\r\n"
              b"HEAD /feeds/big.ics HTTP/1.1\r\nHost: x\r\n\r\n"
              b"GET /tasks.json HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    data, _ = _read_all(s)
    statuses = [line.split(b" ")[1] for line in data.split(b"\r\n") if line.startswith(b"HTTP/1.1 ")]
    assert statuses == [b"200", b"200", b"404"]
    assert data.count(SMALL) == 1 and b"X" * 100 not in data      # HEAD sends no body
    s.close()
