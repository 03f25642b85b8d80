#!/usr/bin/env python3
"""A small static server for XRayLens, standard library only.

    python3 serve.py [--dir build/site] [--port 8000] [--host 127.0.0.1]

Serves files only (no directory listings, nothing outside --dir), with the right MIME types
(application/wasm, text/javascript for .mjs) and the headers the page wants: COOP/COEP (so ONNX
Runtime may use threads), a strict Content-Security-Policy, nosniff and no referrer. When a file has a
precompressed sibling (FILE.gz, written by `make dist`) and the client accepts gzip, the sibling is sent
with Content-Encoding: gzip.
"""
import argparse
import email.utils
import http.server
import os
import posixpath
import sys
import urllib.parse

CSP = "; ".join([
    "default-src 'self'",
    "script-src 'self' 'wasm-unsafe-eval'",
    "style-src 'self'",
    "img-src 'self' blob: data:",
    "connect-src 'self'",
    "worker-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
])

HEADERS = {
    "Content-Security-Policy": CSP,
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Embedder-Policy": "require-corp",
    "Cross-Origin-Resource-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
}

MIME = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
    ".wasm": "application/wasm",
    ".ort": "application/octet-stream",
    ".png": "image/png",
    ".svg": "image/svg+xml",
    ".txt": "text/plain; charset=utf-8",
}


def accepts_gzip(accept_encoding):
    """Whether an Accept-Encoding header value allows gzip (a q of 0 refuses it)."""
    for part in accept_encoding.split(","):
        token, *params = [x.strip() for x in part.split(";")]
        if token.lower() == "gzip":
            q = next((p[2:] for p in params if p.lower().startswith("q=")), "1")
            try:
                return float(q) > 0
            except ValueError:
                return False
    return False


def inside(root, full):
    return full == root or full.startswith(root + os.sep)


class Handler(http.server.SimpleHTTPRequestHandler):
    server_version = "XRayLens"
    sys_version = ""
    # HTTP/1.1: connections are kept alive (every response has a length), and browsers revalidate by the
    # ETag, which they ignore on an HTTP/1.0 response (there a file rebuilt within the second a browser
    # holds would get a 304 by its date).
    protocol_version = "HTTP/1.1"

    def end_headers(self):
        for k, v in HEADERS.items():
            self.send_header(k, v)
        super().end_headers()

    def guess_type(self, path):
        return MIME.get(os.path.splitext(path)[1].lower(), "application/octet-stream")

    def _resolve(self):
        """The file a request names, or None when it is outside the root, hidden, or a directory."""
        raw = urllib.parse.urlsplit(self.path).path
        path = urllib.parse.unquote(raw, errors="strict")
        if "\x00" in path or "\\" in path:
            return None
        parts = [p for p in posixpath.normpath(path).split("/") if p]
        if any(p in ("..", ".") or p.startswith(".") for p in parts) or ".." in path.split("/"):
            return None
        root = os.path.realpath(self.directory)
        full = os.path.realpath(os.path.join(root, *parts))
        if not inside(root, full):
            return None
        if os.path.isdir(full):
            index = os.path.join(full, "index.html")
            if raw.endswith("/") and os.path.isfile(index):
                return index
            return None
        return full if os.path.isfile(full) else None

    def send_head(self):
        full = self._resolve()
        if full is None:
            self.send_error(404, "Not found")
            return None
        gz = os.path.realpath(full + ".gz")
        has_gz = not full.endswith(".gz") and inside(os.path.realpath(self.directory), gz) and os.path.isfile(gz)
        send_gz = has_gz and accepts_gzip(self.headers.get("Accept-Encoding", ""))
        try:
            f = open(gz if send_gz else full, "rb")
        except OSError:
            self.send_error(404, "Not found")
            return None
        st = os.fstat(f.fileno())
        # Validators, so that a revalidation (Cache-Control: no-cache; the service worker's precache of
        # the files the page has just loaded) costs a 304 and not the file again. If-None-Match wins where
        # given; Last-Modified for clients that send only a date.
        etag = '"%x-%x%s"' % (st.st_size, st.st_mtime_ns, "-gz" if send_gz else "")
        last_modified = email.utils.formatdate(int(st.st_mtime), usegmt=True)
        if self._not_modified(etag, int(st.st_mtime)):
            f.close()
            self.send_response(304)
            self.send_header("ETag", etag)
            self.send_header("Last-Modified", last_modified)
            if has_gz:
                self.send_header("Vary", "Accept-Encoding")
            self.end_headers()
            return None
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(full))
        self.send_header("Content-Length", str(st.st_size))
        self.send_header("ETag", etag)
        self.send_header("Last-Modified", last_modified)
        if send_gz:
            self.send_header("Content-Encoding", "gzip")
        if has_gz:
            self.send_header("Vary", "Accept-Encoding")
        self.end_headers()
        return f

    def _not_modified(self, etag, mtime):
        inm = self.headers.get("If-None-Match")
        if inm is not None:
            return etag in [t.strip() for t in inm.split(",")]
        try:
            since = email.utils.parsedate_to_datetime(self.headers.get("If-Modified-Since", ""))
        except (TypeError, ValueError, IndexError):
            return False
        return since is not None and since.timestamp() >= mtime

    def handle_one_request(self):
        try:
            super().handle_one_request()
        except (ConnectionResetError, BrokenPipeError, TimeoutError):
            # the browser stopped reading (page left or reloaded) or dropped a kept-alive connection: not an error
            self.close_connection = True

    def list_directory(self, path):  # never list
        self.send_error(404, "Not found")
        return None

    def log_message(self, fmt, *args):
        if not self.server.quiet:
            super().log_message(fmt, *args)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dir", default="build/site", help="folder to serve (default: build/site)")
    ap.add_argument("--port", type=int, default=8000)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--quiet", action="store_true", help="do not log requests")
    args = ap.parse_args(argv)
    if not os.path.isfile(os.path.join(args.dir, "index.html")):
        sys.exit(f"serve.py: {args.dir}/index.html not found (run 'make build')")
    handler = lambda *a, **kw: Handler(*a, directory=args.dir, **kw)
    httpd = http.server.ThreadingHTTPServer((args.host, args.port), handler)
    httpd.quiet = args.quiet
    print(f"XRayLens at http://{args.host}:{httpd.server_address[1]}/  (serving {os.path.abspath(args.dir)}; Ctrl-C stops)", flush=True)
    try:
        httpd.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
