"""`calgen serve`: the output folder over HTTP for calendar subscriptions.

Strong ETags (content hash) and Last-Modified, 304 for If-None-Match / If-Modified-Since, HEAD,
no directory listings and nothing outside the folder.  Builds rename finished files into place,
so a request never reads a half-written feed.
"""
from __future__ import annotations

import email.utils
import hashlib
import html
import mimetypes
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import MappingProxyType
from urllib.parse import unquote, urlsplit

TYPES = MappingProxyType({".ics": "text/calendar; charset=utf-8", ".html": "text/html; charset=utf-8",
         ".csv": "text/csv; charset=utf-8", ".json": "application/json; charset=utf-8"})


def make_server(root: Path, host: str = "127.0.0.1", port: int = 8000) -> ThreadingHTTPServer:
    root = root.resolve()

    class Handler(BaseHTTPRequestHandler):
        server_version = "calgen"

        def log_message(self, fmt, *args):      # the CLI decides what to print
            pass

        def do_HEAD(self):
            self._serve(body=False)

        def do_GET(self):
            self._serve(body=True)

        def _serve(self, body: bool) -> None:
            if urlsplit(self.path).path in ("/", "/index.html") and not (root / "index.html").exists():
                return self._index(body)
            path = resolve(root, self.path)
            if path is None:
                return self._plain(404, "not found")
            data = path.read_bytes()
            etag = '"' + hashlib.sha256(data).hexdigest()[:32] + '"'
            mtime = int(path.stat().st_mtime)
            last = email.utils.formatdate(mtime, usegmt=True)
            if _not_modified(self.headers, etag, mtime):
                self.send_response(304)
                self.send_header("ETag", etag)
                self.send_header("Last-Modified", last)
                self.end_headers()
                return
            self.send_response(200)
            ctype = TYPES.get(path.suffix.lower()) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(data)))
            self.send_header("ETag", etag)
            self.send_header("Last-Modified", last)
            self.send_header("Cache-Control", "max-age=3600")
            self.end_headers()
            if body:
                self.wfile.write(data)

        def _index(self, body: bool) -> None:
            """Subscription links built from the Host the subscriber used."""
            host = self.headers.get("Host") or _address(self.server.server_address)
            scheme = self.headers.get("X-Forwarded-Proto", "http")
            data = index_page(root, f"{scheme}://{host}").encode("utf-8")
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Cache-Control", "no-cache")
            self.end_headers()
            if body:
                self.wfile.write(data)

        def _plain(self, code: int, text: str) -> None:
            data = text.encode()
            self.send_response(code)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data)

    return ThreadingHTTPServer((host, port), Handler)


def index_page(root: Path, base: str) -> str:
    """Every feed under root/feeds with its http(s) and webcal link and a one-line how-to."""
    rows = []
    for feed in sorted((root / "feeds").glob("*.ics"), key=lambda p: (p.stem != "all", p.stem)):
        name = _calname(feed) or feed.stem
        url = f"{base}/feeds/{feed.name}"
        webcal = "webcal://" + url.split("://", 1)[1]
        rows.append(f'<li>{html.escape(name)}：<a href="{html.escape(url)}">{html.escape(url)}</a> · '
                    f'<a href="{html.escape(webcal)}">webcal</a></li>')
    return ('<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>calgen 订阅</title></head>'
            "<body><h1>工作任务日历订阅</h1><p>Outlook：日历 → 添加日历 → 从 Internet 订阅（网页版：订阅自网页），"
            "粘贴本单位的链接；手机可直接点 webcal 链接。</p><ul>" + "".join(rows) + "</ul></body></html>")


def _calname(feed: Path) -> str:
    with open(feed, "rb") as fh:
        head = fh.read(2048).decode("utf-8", "replace").replace("\r\n ", "")
    for line in head.split("\r\n"):
        if line.startswith("X-WR-CALNAME:"):
            return line.split(":", 1)[1]
    return ""


def resolve(root: Path, url_path: str) -> Path | None:
    """The file a URL names inside root, or None (outside root, a folder, hidden, missing)."""
    raw = unquote(urlsplit(url_path).path)
    parts = [p for p in raw.split("/") if p]
    if any(p in ("..", ".") or p.startswith(".") or "\\" in p for p in parts):
        return None
    target = root.joinpath(*parts) if parts else root
    if target.is_dir():
        target = target / "index.html"
    try:
        real = target.resolve()
    except OSError:
        return None
    if root not in real.parents and real != root:
        return None
    return real if real.is_file() else None


def _not_modified(headers, etag: str, mtime: int) -> bool:
    inm = headers.get("If-None-Match")
    if inm is not None:
        return etag in [t.strip() for t in inm.split(",")] or inm.strip() == "*"
    ims = headers.get("If-Modified-Since")
    if ims:
        try:
            since = email.utils.parsedate_to_datetime(ims).timestamp()
        except (TypeError, ValueError):
            return False
        return mtime <= since
    return False


def _address(address: object) -> str:
    """host:port of a bound TCP socket address."""
    host, port = address[:2] if isinstance(address, tuple) else (str(address), "")
    return f"{host}:{port}" if port else str(host)
