#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Loopback HTTP(S) server for the loader tests.

Serves DIR under several path prefixes, each misbehaving in one way:
  /good/...   plain static files
  /trunc/...  announces the full Content-Length, sends half, closes (not for
              index.json*, so the artifact download is what gets cut)
  /slow/...   waits 30 s before answering (timeouts)
  /flaky/...  answers 503 to the first request of each path, then serves it
  /drip/...   sends the body in 10 pieces over about 1.5 s (progress display)
  /auth/...   401 unless the request has "Authorization: Bearer osprey-test"
  /trickle/...  sends the body one byte a second (low-speed limit; not for
              index.json* and .sha256)
  /huge/...   announces a 1 TiB Content-Length, then trickles like /trickle/ (not
              for index.json* and .sha256): a client must refuse it before reading
Requests in proxy form ("GET http://any.host/good/...") are served as if direct and
logged with "via proxy".
Usage: httpd.py DIR PORTFILE [CERT KEY [CLIENT_CA]]   (writes the bound port to PORTFILE;
with CLIENT_CA, TLS clients must present a certificate signed by it)
"""
import http.server
import os
import socketserver
import ssl
import sys
import time

ROOT = os.path.abspath(sys.argv[1])
seen = set()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        sys.stderr.write("httpd: " + (fmt % args) + "\n")

    def do_GET(self):
        if self.path.startswith("http://"):
            self.path = "/" + self.path.split("/", 3)[3]
            sys.stderr.write("httpd: via proxy\n")
        parts = self.path.split("/", 2)
        if len(parts) < 3:
            return self.send_error(404)
        mode, rel = parts[1], parts[2]
        from urllib.parse import unquote
        path = os.path.normpath(os.path.join(ROOT, unquote(rel)))
        if not path.startswith(ROOT + "/") or not os.path.isfile(path):
            return self.send_error(404)
        if mode == "auth" and self.headers.get("Authorization") != "Bearer osprey-test":
            return self.send_error(401)
        if mode == "slow":
            time.sleep(30)
        if mode == "flaky" and self.path not in seen:
            seen.add(self.path)
            return self.send_error(503)
        with open(path, "rb") as f:
            data = f.read()
        artifact = not path.endswith((".json", ".sig", ".sha256"))
        self.send_response(200)
        if mode == "huge" and artifact:
            self.send_header("Content-Length", str(1 << 40))
        else:
            self.send_header("Content-Length", str(len(data)))
        self.send_header("Content-Type", "application/octet-stream")
        self.end_headers()
        if mode == "drip" and not path.endswith((".json", ".sig")):
            step = len(data) // 10 + 1
            for i in range(0, len(data), step):
                self.wfile.write(data[i:i + step])
                self.wfile.flush()
                time.sleep(0.15)
            return
        if mode in ("trickle", "huge") and artifact:
            try:
                for i in range(len(data)):
                    self.wfile.write(data[i:i + 1])
                    self.wfile.flush()
                    time.sleep(1)
            except OSError:
                pass
            self.close_connection = True
            return
        if mode == "trunc" and not path.endswith((".json", ".sig")):
            self.wfile.write(data[: len(data) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        self.wfile.write(data)


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


srv = Server(("127.0.0.1", 0), Handler)
if len(sys.argv) > 4:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(sys.argv[3], sys.argv[4])
    if len(sys.argv) > 5:
        ctx.verify_mode = ssl.CERT_REQUIRED
        ctx.load_verify_locations(sys.argv[5])
    srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
with open(sys.argv[2] + ".tmp", "w") as f:
    f.write(str(srv.server_address[1]))
os.rename(sys.argv[2] + ".tmp", sys.argv[2])
srv.serve_forever()
