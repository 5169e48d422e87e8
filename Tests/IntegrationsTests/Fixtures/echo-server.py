#!/usr/bin/env python3
"""A small HTTP/1.1 server for the OutboundHTTPClient tests (standard library only).

    python3 echo-server.py --port PORT

  ANY  /echo[?...]      200, JSON: method, path (with query), headers, body (text), client_port
  GET  /status/NNN      that status, body "status NNN"
  GET  /bytes/N         N bytes of "x" with a Content-Length
  GET  /chunked/N       N bytes of "x", chunked (no length announced up front)
  GET  /redirect        302 to /echo
  GET  /silent          never answers (the connection stays open until the server stops)

With --tls-cert and --tls-key it speaks HTTPS (the TLS-verification test gives it a self-signed
certificate, which the client must refuse).
"""

import argparse
import json
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

forever = threading.Event()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, so connection reuse can be observed

    def log_message(self, *args):
        pass

    def handle_any(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        path = self.path.split("?")[0]
        if path == "/echo":
            self.reply(200, json.dumps({
                "method": self.command,
                "path": self.path,
                "headers": [[k, v] for k, v in self.headers.items()],
                "body": body.decode("utf-8", "replace"),
                "client_port": self.client_address[1],
            }).encode(), "application/json")
        elif path.startswith("/status/"):
            code = int(path.rsplit("/", 1)[1])
            self.reply(code, b"status %d" % code, "text/plain")
        elif path.startswith("/bytes/"):
            self.reply(200, b"x" * int(path.rsplit("/", 1)[1]), "application/octet-stream")
        elif path.startswith("/chunked/"):
            n = int(path.rsplit("/", 1)[1])
            self.send_response(200)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            sent = 0
            while sent < n:
                piece = min(16384, n - sent)
                self.wfile.write(b"%x\r\n%s\r\n" % (piece, b"x" * piece))
                sent += piece
            self.wfile.write(b"0\r\n\r\n")
        elif path == "/redirect":
            self.send_response(302)
            self.send_header("Location", "/echo")
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif path == "/silent":
            forever.wait()
        else:
            self.reply(404, b"not found", "text/plain")

    def reply(self, code, body, content_type):
        self.send_response(code)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = handle_any


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--tls-cert")
    parser.add_argument("--tls-key")
    args = parser.parse_args()
    server = ThreadingHTTPServer((args.host, args.port), Handler)
    if args.tls_cert:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(args.tls_cert, args.tls_key)
        server.socket = context.wrap_socket(server.socket, server_side=True)
    server.daemon_threads = True
    server.serve_forever()


if __name__ == "__main__":
    main()
