"""`calgen serve`: the output folder over HTTP for calendar subscriptions.

The server is waitress, a well-kept pure-Python WSGI server: one asynchronous socket loop
(idle keep-alive connections cost no thread), a bounded pool of worker threads, a real listen
backlog, idle timeouts, HTTP/1.1 keep-alive and its own 400 for malformed requests.  calgen's
part is the small WSGI application below:

* only GET and HEAD, only regular files inside the folder (no listings, nothing hidden, nothing
  outside it) and by default only what subscribers and project managers need (:data:`PUBLIC`:
  feeds, the change log, the Gantt files — not tasks.json, the manifest, ledgers, reports or
  digests; ``--all`` serves every file), 414 for a URL longer than :data:`MAX_URL`, 400 for a NUL or a bad escape;
* strong ETags from the file's content, computed once per file version and cached by
  (path, size, mtime, inode), so a 304 costs no read; weak comparison for If-None-Match
  (RFC 9110 §13.1.2), If-Modified-Since when no ETag is sent;
* bodies streamed in chunks (waitress's file wrapper), never read whole;
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
from collections.abc import Callable, Iterable
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
OUTBUF_HIGH = 64 * 1024 * 1024          # above any agency or region feed; a larger all.ics still waits
CHUNK = 64 * 1024
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


def make_server(root: Path, host: str = "127.0.0.1", port: int = 8000, base_url: str = "", threads: int = 8,
                access_log: Any = None, every_file: bool = False) -> Any:
    """A waitress server for ``root`` (call ``.run()``; ``.close()`` to stop), writing an access
    log line per request to ``access_log`` (a text stream) when given.  Raises OutputError when
    the address cannot be used."""
    from waitress import create_server

    app: Callable[..., Iterable[bytes]] = FeedApp(root, base_url, every_file)
    if access_log is not None:
        app = AccessLog(app, access_log)
    try:
        return create_server(app, host=host, port=port, threads=threads, backlog=1024,
                             connection_limit=4096, channel_timeout=60, cleanup_interval=10,
                             asyncore_use_poll=True, max_request_header_size=65536, ident="calgen",
                             clear_untrusted_proxy_headers=True, expose_tracebacks=False,
                             # a response is buffered (spilling to a temporary file past 1 MB) up to this
                             # many bytes before its worker waits for the client: above any agency or
                             # region feed, so a client that does not read holds no worker (it is dropped
                             # when idle, channel_timeout); the bound keeps the spill on disk finite
                             outbuf_high_watermark=OUTBUF_HIGH)
    except OSError as e:
        raise OutputError(f"cannot listen on {host}:{port}: {e.strerror or e}",
                          hint="choose another --port, or stop what uses it") from None
    except OverflowError:
        raise OutputError(f"port {port} is not between 0 and 65535") from None


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
