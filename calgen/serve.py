"""`calgen serve`: the output folder over HTTP for calendar subscriptions.

The server (:class:`FeedServer`) is an asyncio loop with h11 for HTTP/1.1 framing: every
connection is a coroutine, so idle, slow and non-reading clients cost no thread, and each is
bounded (:class:`Bounds`: a deadline for a request's head, an idle timeout, a write timeout, a
per-address and a total connection cap).  calgen's application is the small WSGI app below,
run on a bounded thread pool:

* only GET and HEAD, only regular files inside the folder (no listings, nothing hidden, nothing
  outside it) and by default only what subscribers and project managers need (:data:`PUBLIC`:
  feeds, the change log, the Gantt files — not tasks.json, the manifest, ledgers, reports or
  digests; ``--all`` serves every file), 414 for a URL longer than :data:`MAX_URL`, 400 for a NUL or a bad escape;
* strong ETags from the file's content, computed once per file version and cached by
  (path, size, mtime, inode), so a 304 costs no read; weak comparison for If-None-Match
  (RFC 9110 §13.1.2), If-Modified-Since when no ETag is sent;
* bodies streamed in chunks with back-pressure, never read whole, of any size;
* subscription links on the index page from the configured ``base_url``, or relative — never
  from the request's Host or X-Forwarded-* headers; the page is made once per build.

For production, any static web server (nginx, a CDN, object storage) serving ``output/`` as it
is works the same: the output folder is plain files behind one link that a build switches.
"""
from __future__ import annotations

import email.utils
import hashlib
import html
import mimetypes
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any
from urllib.parse import unquote

from .errors import OutputError

TYPES = MappingProxyType({".ics": "text/calendar; charset=utf-8", ".html": "text/html; charset=utf-8",
                          ".csv": "text/csv; charset=utf-8", ".json": "application/json; charset=utf-8",
                          ".xml": "application/xml",
                          ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"})
MAX_URL = 2048
CHUNK = 256 * 1024
HEAD_READ = 4096         # h11 measures an unfinished head between reads: small reads keep the bound tight
_ETAG_CACHE = 4096


class FeedApp:
    """The WSGI application: files of ``root`` with ETags and an index of subscription links."""

    def __init__(self, root: Path, base_url: str = "", every_file: bool = False) -> None:
        self.root = root.resolve()
        self.base_url = base_url.rstrip("/")
        self.every_file = every_file
        self._etags: dict[tuple[str, int, int, int], str] = {}
        self._index: tuple[str, bytes] = ("", b"")

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD", "GET")
        if method not in ("GET", "HEAD"):
            return _plain(start_response, "405 Method Not Allowed", "only GET and HEAD", method, [("Allow", "GET, HEAD")])
        uri = environ.get("REQUEST_URI") or environ.get("PATH_INFO", "")
        if len(uri) > MAX_URL:
            return _plain(start_response, "414 URI Too Long", f"URLs are limited to {MAX_URL} characters", method)
        raw = uri.split("?", 1)[0]
        try:
            path = unquote(raw, errors="strict")
        except UnicodeDecodeError:
            return _plain(start_response, "400 Bad Request", "bad escape in the URL", method)
        if "\x00" in path or any(ord(ch) < 0x20 for ch in path):
            return _plain(start_response, "400 Bad Request", "control character in the URL", method)
        if path in ("/", "/index.html") and not (self.root / "index.html").is_file():
            data = self._index_page()
            start_response("200 OK", [("Content-Type", "text/html; charset=utf-8"),
                                      ("Content-Length", str(len(data))), ("Cache-Control", "no-cache")])
            return [] if method == "HEAD" else [data]
        target = resolve(self.root, path) if self.every_file or public(path) else None
        if target is None:
            return _plain(start_response, "404 Not Found", "not found", method)
        try:
            st = target.stat()
            etag = self._etag(target, st)
        except OSError:
            return _plain(start_response, "404 Not Found", "not found", method)
        last = email.utils.formatdate(st.st_mtime, usegmt=True)
        headers = [("ETag", etag), ("Last-Modified", last), ("Cache-Control", "max-age=3600")]
        if not_modified(environ, etag, int(st.st_mtime)):
            start_response("304 Not Modified", headers)
            return []
        ctype = TYPES.get(target.suffix.lower()) or mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        start_response("200 OK", [("Content-Type", ctype), ("Content-Length", str(st.st_size)), *headers])
        if method == "HEAD":
            return []
        fh = open(target, "rb")  # noqa: SIM115 -- closed by the server once the body is sent
        wrapper = environ.get("wsgi.file_wrapper")
        return wrapper(fh, CHUNK) if wrapper else _chunks(fh)

    def _index_page(self) -> bytes:
        """The subscription page, made once per build (a build switches the feeds folder)."""
        try:
            key = os.path.realpath(self.root / "feeds")
        except OSError:
            key = ""
        if self._index[0] != key or not key:
            self._index = (key, index_page(self.root, self.base_url).encode("utf-8"))
        return self._index[1]

    def _etag(self, path: Path, st: os.stat_result) -> str:
        key = (str(path), st.st_size, st.st_mtime_ns, st.st_ino)
        hit = self._etags.get(key)
        if hit is None:
            digest = hashlib.sha256()
            with open(path, "rb") as fh:
                for block in iter(lambda: fh.read(CHUNK), b""):
                    digest.update(block)
            if len(self._etags) >= _ETAG_CACHE:
                self._etags.clear()
            hit = self._etags[key] = '"' + digest.hexdigest()[:32] + '"'
        return hit


def _chunks(fh) -> Iterable[bytes]:
    with fh:
        yield from iter(lambda: fh.read(CHUNK), b"")


def _plain(start_response: Callable[..., Any], status: str, text: str, method: str,
           extra: list[tuple[str, str]] | None = None) -> list[bytes]:
    data = (text + "\n").encode()
    start_response(status, [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(data))),
                            *(extra or [])])
    return [] if method == "HEAD" else [data]


def not_modified(environ: dict[str, Any], etag: str, mtime: int) -> bool:
    """If-None-Match with weak comparison (W/"x" matches "x"); else If-Modified-Since."""
    inm = environ.get("HTTP_IF_NONE_MATCH")
    if inm is not None:
        tags = [t.strip() for t in inm.split(",")]
        return "*" in tags or any(t.removeprefix("W/") == etag for t in tags)
    ims = environ.get("HTTP_IF_MODIFIED_SINCE")
    if ims:
        try:
            since = email.utils.parsedate_to_datetime(ims).timestamp()
        except (TypeError, ValueError, IndexError):
            return False
        return mtime <= since
    return False


class AccessLog:
    """WSGI middleware writing one line per request to ``stream`` in the Combined Log Format
    (what nginx and Apache write, so the usual log tools read it): client, time, request line,
    status, bytes sent (the Content-Length the app declared), referrer and user agent — which
    calendar clients subscribe, and how often they poll.  Waitress has no access log of its own."""

    def __init__(self, app: Callable[..., Iterable[bytes]], stream: Any) -> None:
        import threading

        self.app, self.stream = app, stream
        self.lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        seen: dict[str, str] = {}

        def recording(status: str, headers: list[tuple[str, str]], *rest: Any) -> Any:
            seen["status"] = status.split(" ", 1)[0]
            seen["length"] = next((v for k, v in headers if k.lower() == "content-length"), "-")
            return start_response(status, headers, *rest)

        result = self.app(environ, recording)
        self.write(environ, seen.get("status", "-"), seen.get("length", "-"))
        return result

    def write(self, environ: dict[str, Any], status: str, length: str) -> None:
        import time

        def field(name: str) -> str:
            value = environ.get(name) or "-"
            return str(value).replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")[:300]

        path = environ.get("PATH_INFO", "") + (f"?{environ['QUERY_STRING']}" if environ.get("QUERY_STRING") else "")
        request = f"{environ.get('REQUEST_METHOD', '-')} {path} {environ.get('SERVER_PROTOCOL', '-')}"
        stamp = time.strftime("%d/%b/%Y:%H:%M:%S %z")
        line = (f'{environ.get("REMOTE_ADDR", "-")} - - [{stamp}] "{request[:2100]}" {status} {length} '
                f'"{field("HTTP_REFERER")}" "{field("HTTP_USER_AGENT")}"\n')
        with self.lock:
            self.stream.write(line)
            self.stream.flush()


@dataclass(frozen=True)
class Bounds:
    """What one client may hold of ``calgen serve`` (README, Limits).  A request's head must
    arrive whole within ``head`` seconds of its first byte (a client trickling a byte at a
    time is dropped: slowloris); a connection with no request in progress is closed after
    ``idle`` seconds; a client that stops reading a response for ``write`` seconds is dropped
    (its coroutine held no thread meanwhile); one address holds at most ``per_client``
    connections and the server ``connections`` in all (further ones get a 503 and are
    closed); a request head is at most ``head_bytes``."""

    head: float = 10.0
    idle: float = 60.0
    write: float = 30.0
    per_client: int = 64
    connections: int = 4096
    head_bytes: int = 65536


class FeedServer:
    """The HTTP/1.1 server of ``calgen serve``: one asyncio loop (every connection is a
    coroutine; a slow or silent client costs no thread), HTTP framing by h11 (the python-hyper
    state machine httpx and uvicorn build on: keep-alive, pipelining, HEAD, ``Expect``), the
    WSGI application run on a bounded thread pool, bodies streamed in chunks with
    back-pressure.  :class:`Bounds` holds what each client may take.

    Why not waitress (calgen's server until #31): it has no deadline for a request's head (its
    idle timeout restarts on every byte), no per-client cap, and it answers
    ``Expect: 100-continue`` on a GET with a 100 and then nothing; uvicorn has no head deadline
    either (its issue #157).  ``run()`` serves until ``close()`` (from any thread)."""

    def __init__(self, app: Callable[..., Iterable[bytes]], host: str, port: int, threads: int = 8,
                 bounds: Bounds | None = None) -> None:
        import socket
        import threading

        self.app, self.threads, self.bounds = app, max(1, threads), bounds or Bounds()
        try:
            family, _, _, _, address = socket.getaddrinfo(host or None, port, type=socket.SOCK_STREAM,
                                                          flags=socket.AI_PASSIVE)[0]
            self.socket = socket.create_server(address[:2], family=family, backlog=1024)
        except (OSError, UnicodeError) as e:
            raise OutputError(f"cannot listen on {host}:{port}: {getattr(e, 'strerror', None) or e}",
                              hint="choose another --port, or stop what uses it") from None
        except OverflowError:
            raise OutputError(f"port {port} is not between 0 and 65535") from None
        self.effective_port: int = self.socket.getsockname()[1]
        self.connections = min(self.bounds.connections, _descriptors() - 64)
        self.open: dict[str, int] = {}         # connections held per address
        self.total = 0
        self._lock = threading.Lock()
        self._loop: Any = None
        self._stop: Any = None
        self._closing = False

    def run(self) -> None:
        import asyncio

        asyncio.run(self._main())

    def close(self) -> None:
        with self._lock:
            self._closing = True
            loop, stop = self._loop, self._stop
        if loop is not None:
            import contextlib

            with contextlib.suppress(RuntimeError):          # the loop has already finished
                loop.call_soon_threadsafe(stop.set)
        else:
            self.socket.close()

    async def _main(self) -> None:
        import asyncio
        from concurrent.futures import ThreadPoolExecutor

        with self._lock:
            if self._closing:
                self.socket.close()
                return
            self._loop, self._stop = asyncio.get_running_loop(), asyncio.Event()
        pool = ThreadPoolExecutor(self.threads, thread_name_prefix="calgen-serve")
        tasks: set[Any] = set()

        async def client(reader: Any, writer: Any) -> None:
            task = asyncio.current_task()
            tasks.add(task)
            try:
                await self._client(reader, writer, pool)
            finally:
                tasks.discard(task)

        server = await asyncio.start_server(client, sock=self.socket, limit=CHUNK)
        try:
            await self._stop.wait()
        finally:
            server.close()
            for task in list(tasks):
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            pool.shutdown(wait=False, cancel_futures=True)

    async def _client(self, reader: Any, writer: Any, pool: Any) -> None:
        peer = writer.get_extra_info("peername")
        addr = str(peer[0]) if peer else "-"
        held = self.open.get(addr, 0)
        if held >= self.bounds.per_client or self.total >= self.connections:
            why = "too many connections from your address" if held >= self.bounds.per_client else "server busy"
            writer.write(b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\n"
                         b"Retry-After: 60\r\nConnection: close\r\nContent-Length: %d\r\n\r\n%s\n"
                         % (len(why) + 1, why.encode()))
            if writer.transport.get_write_buffer_size():     # not even the refusal fits: drop
                writer.transport.abort()
            else:
                writer.close()
            return
        self.open[addr] = held + 1
        self.total += 1
        writer.transport.set_write_buffer_limits(high=CHUNK)
        try:
            await _Exchange(self, reader, writer, pool, addr).run()
        except (OSError, TimeoutError, ConnectionError):
            pass
        finally:
            self.total -= 1
            left = self.open[addr] - 1
            if left:
                self.open[addr] = left
            else:
                del self.open[addr]
            writer.transport.abort()


class _Exchange:
    """One connection: requests read with their deadlines, answered in order."""

    def __init__(self, server: FeedServer, reader: Any, writer: Any, pool: Any, addr: str) -> None:
        import h11

        self.h11, self.server, self.reader, self.writer, self.pool, self.addr = h11, server, reader, writer, pool, addr
        self.conn = h11.Connection(h11.SERVER, max_incomplete_event_size=server.bounds.head_bytes)

    async def run(self) -> None:
        h11 = self.h11
        while True:
            try:
                event = await self._next()
            except h11.RemoteProtocolError as e:
                if self.conn.our_state in (h11.IDLE, h11.SEND_RESPONSE):
                    code = e.error_status_hint
                    await self._send(code, [("Content-Type", "text/plain; charset=utf-8"), ("Connection", "close")],
                                     iter(()), (_REASONS.get(code, "Bad Request") + "\n").encode(), head=False)
                return
            if not isinstance(event, h11.Request):
                return
            try:
                await self._answer(event)
            except h11.LocalProtocolError:                   # a file shorter than announced (replaced meanwhile)
                return
            if self.conn.our_state is not h11.DONE:
                return
            # the request's end is in hand unless it has a body, which is never read: no reuse then
            if self.conn.their_state is h11.SEND_BODY and not isinstance(self.conn.next_event(), h11.EndOfMessage):
                return
            try:
                self.conn.start_next_cycle()
            except h11.LocalProtocolError:                    # either side asked to close
                return

    async def _next(self) -> Any:
        """The next event, reading with the idle deadline until a request begins and then with
        the head deadline, which never restarts."""
        import asyncio

        h11, bounds = self.h11, self.server.bounds
        loop = asyncio.get_running_loop()
        deadline = loop.time() + bounds.head if self.conn.trailing_data[0] else None
        while True:
            event = self.conn.next_event()
            if event is not h11.NEED_DATA:
                return None if isinstance(event, h11.ConnectionClosed) or event is h11.PAUSED else event
            wait = bounds.idle if deadline is None else deadline - loop.time()
            if wait <= 0:
                return None
            try:
                data = await asyncio.wait_for(self.reader.read(HEAD_READ), wait)
            except TimeoutError:
                if deadline is not None and self.conn.our_state in (h11.IDLE, h11.SEND_RESPONSE):
                    await self._send(408, [("Content-Type", "text/plain; charset=utf-8"), ("Connection", "close")],
                                     iter(()), b"request head not received in time\n", head=False)
                return None
            if deadline is None:
                deadline = loop.time() + bounds.head
            self.conn.receive_data(data)

    async def _answer(self, request: Any) -> None:
        import asyncio

        head = request.method == b"HEAD"
        loop = asyncio.get_running_loop()
        code, headers, body, chunks, first = await loop.run_in_executor(
            self.pool, _call, self.server.app, self._environ(request), head)
        try:
            await self._send(code, headers, chunks, first, head)
        finally:
            close = getattr(body, "close", None)
            if close is not None:
                close()                                      # a file's close: no hop to a thread

    async def _send(self, code: int, headers: list[tuple[str, str]], chunks: Iterator[bytes], first: bytes,
                    head: bool) -> None:
        """The response, its body read from ``chunks`` on the pool one chunk ahead of the
        client (``first`` already read): never more than a chunk or two held for a client."""
        import asyncio

        h11, conn = self.h11, self.conn
        loop = asyncio.get_running_loop()
        length = next((int(v) for k, v in headers if k.lower() == "content-length"), None)
        if length is None and not head:
            first, chunks = b"".join([first, *chunks]), iter(())
            length, headers = len(first), [*headers, ("Content-Length", str(len(first)))]
        fields = [("Date", email.utils.formatdate(usegmt=True)), ("Server", "calgen"), *headers]
        self.writer.write(conn.send(h11.Response(status_code=code, headers=fields,
                                                 reason=_REASONS.get(code, "").encode())))
        chunk, sent = (b"" if head else first), 0
        while chunk:
            self.writer.write(conn.send(h11.Data(data=chunk)))
            sent += len(chunk)
            await asyncio.wait_for(self.writer.drain(), self.server.bounds.write)
            if length is not None and sent >= length:
                break
            chunk = await loop.run_in_executor(self.pool, next, chunks, b"")
        self.writer.write(conn.send(h11.EndOfMessage()))     # h11 refuses a body shorter than announced
        await asyncio.wait_for(self.writer.drain(), self.server.bounds.write)

    def _environ(self, request: Any) -> dict[str, Any]:
        from urllib.parse import urlsplit

        target = request.target.decode("latin-1")
        if target.startswith(("http://", "https://")):          # absolute form: only its path counts
            parts = urlsplit(target)
            target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        path, _, query = target.partition("?")
        environ: dict[str, Any] = {
            "REQUEST_METHOD": request.method.decode("ascii", "replace"), "REQUEST_URI": target,
            "PATH_INFO": unquote(path, encoding="latin-1"), "QUERY_STRING": query, "SCRIPT_NAME": "",
            "SERVER_PROTOCOL": "HTTP/" + request.http_version.decode("ascii", "replace"),
            "REMOTE_ADDR": self.addr, "wsgi.url_scheme": "http"}
        for name, value in request.headers:
            key = "HTTP_" + name.decode("latin-1").upper().replace("-", "_")
            text = value.decode("latin-1")
            environ[key] = f"{environ[key]},{text}" if key in environ else text
        return environ


def _call(app: Callable[..., Iterable[bytes]], environ: dict[str, Any], head: bool
          ) -> tuple[int, list[tuple[str, str]], Iterable[bytes], Iterator[bytes], bytes]:
    """Run the WSGI app (on a pool thread) up to its status, headers and first chunk of body."""
    seen: list[Any] = []

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
        seen[:] = [status, headers]

    try:
        body = app(environ, start_response)
        chunks = iter(body)
        first = b"" if head else next(chunks, b"")
    except Exception:                                        # noqa: BLE001 -- a bug answers 500, the server goes on
        text = b"internal error\n"
        return 500, [("Content-Type", "text/plain"), ("Content-Length", str(len(text))), ("Connection", "close")], \
            [], iter(()), text
    if not seen:
        return 500, [("Content-Length", "0"), ("Connection", "close")], body, iter(()), b""
    return int(seen[0].split(" ", 1)[0]), seen[1], body, chunks, first


def _descriptors() -> int:
    """How many files this process may open (each connection holds one)."""
    try:
        import resource
    except ImportError:
        return 1 << 16
    soft = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    return 1 << 16 if soft == resource.RLIM_INFINITY else soft


_REASONS = MappingProxyType({200: "OK", 304: "Not Modified", 400: "Bad Request", 404: "Not Found",
                             405: "Method Not Allowed", 408: "Request Timeout", 414: "URI Too Long",
                             431: "Request Header Fields Too Large", 500: "Internal Server Error",
                             501: "Not Implemented", 505: "HTTP Version Not Supported"})


def make_server(root: Path, host: str = "127.0.0.1", port: int = 8000, base_url: str = "", threads: int = 8,
                access_log: Any = None, every_file: bool = False, bounds: Bounds | None = None) -> FeedServer:
    """A server for ``root`` (call ``.run()``; ``.close()`` from any thread to stop), writing an
    access log line per request to ``access_log`` (a text stream) when given.  Raises
    OutputError when the address cannot be used."""
    app: Callable[..., Iterable[bytes]] = FeedApp(root, base_url, every_file)
    if access_log is not None:
        app = AccessLog(app, access_log)
    return FeedServer(app, host, port, threads, bounds)


def index_page(root: Path, base: str) -> str:
    """Every feed under root/feeds with its link (absolute and webcal when ``base`` is set,
    else relative) and a one-line how-to."""
    rows = []
    feeds = root / "feeds"
    for feed in sorted(feeds.rglob("*.ics"), key=lambda p: (p.parent != feeds, p.stem != "all", p.stem)):
        name = _calname(feed) or feed.stem
        rel = feed.relative_to(feeds).as_posix()
        url = f"{base}/feeds/{rel}" if base else f"feeds/{rel}"
        webcal = ("webcal://" + url.split("://", 1)[1]) if "://" in url else ""
        link = f' · <a href="{html.escape(webcal)}">webcal</a>' if webcal else ""
        rows.append(f'<li>{html.escape(name)}：<a href="{html.escape(url)}">{html.escape(url)}</a>{link}</li>')
    note = "" if base else "（启动时加 --base-url 或在 calgen.toml 设置 base_url，此处即显示完整订阅地址。）"
    return ('<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>calgen 订阅</title></head>'
            "<body><h1>工作任务日历订阅</h1><p>Outlook：日历 → 添加日历 → 从 Internet 订阅（网页版：订阅自网页），"
            "粘贴本单位的链接；手机可直接点 webcal 链接。" + note + "</p><ul>" + "".join(rows) + "</ul></body></html>")


def _calname(feed: Path) -> str:
    with open(feed, "rb") as fh:
        head = fh.read(2048).decode("utf-8", "replace").replace("\r\n ", "")
    for line in head.split("\r\n"):
        if line.startswith("X-WR-CALNAME:"):
            return line.split(":", 1)[1]
    return ""


# What subscribers and project managers are served: the feeds (with their index and QR codes), the
# change log and the Gantt files.  tasks.json, the manifest (build machine paths), the ledgers,
# reports and digests (internal follow-up documents) only with --all.
PUBLIC = ("feeds", "changes", "gantt")


def public(url_path: str) -> bool:
    first = next((p for p in url_path.split("/") if p), "")
    return first in PUBLIC or first.startswith(("gantt.", "gantt-"))


def resolve(root: Path, url_path: str) -> Path | None:
    """The file a (decoded) URL path names inside root, or None (outside root, a folder,
    hidden, missing)."""
    parts = [p for p in url_path.split("/") if p]
    if any(p in ("..", ".") or p.startswith(".") or "\\" in p for p in parts):
        return None
    target = root.joinpath(*parts) if parts else root
    try:
        if target.is_dir():
            target = target / "index.html"
        real = target.resolve()
    except (OSError, ValueError):
        return None
    if root not in real.parents and real != root:
        return None
    return real if real.is_file() else None
