#!/usr/bin/env python3
"""A stand-in for Grafana's annotation API, for test_grafana.sh.

usage: grafana_listener.py ok PORTFILE RECORDS TOKEN
       grafana_listener.py hang PORTFILE [GIVENUP]

ok:   listens on 127.0.0.1 (a free port, written to PORTFILE), checks every
      request as Grafana would be called (POST /api/annotations, Authorization
      "Bearer TOKEN", Content-Type application/json, a JSON body with an
      integer "time" in ms, "tags" a list of strings starting with "cutover",
      a string "text"), appends one JSON line per request to RECORDS with what
      it saw and the problems found, and answers 200 (no problem) or 400.
hang: accepts connections and never answers (a Grafana that hangs); reads
      each request to its end, and appends a line to GIVENUP when the
      client gives up and closes (so a test can wait for every timeout).
The token itself is never written to RECORDS: only whether it matched.
"""
import json
import socket
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def check(handler, body, token):
    problems = []
    if handler.command != "POST":
        problems.append("method %s" % handler.command)
    if handler.path != "/api/annotations":
        problems.append("path %s" % handler.path)
    if handler.headers.get("Authorization") != "Bearer " + token:
        problems.append("Authorization header missing or wrong")
    if handler.headers.get("Content-Type") != "application/json":
        problems.append("Content-Type %s" % handler.headers.get("Content-Type"))
    try:
        doc = json.loads(body)
    except ValueError:
        return problems + ["body is not JSON"], None
    if not isinstance(doc.get("time"), int) or doc["time"] < 10**12:
        problems.append("time is not unix milliseconds: %r" % doc.get("time"))
    tags = doc.get("tags")
    if not isinstance(tags, list) or not tags or tags[0] != "cutover" \
            or not all(isinstance(t, str) for t in tags):
        problems.append("tags %r" % tags)
    if not isinstance(doc.get("text"), str) or not doc["text"]:
        problems.append("text %r" % doc.get("text"))
    return problems, doc


def serve_ok(portfile, records, token):
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def handle_any(self):
            n = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(n).decode("utf-8", "replace")
            problems, doc = check(self, body, token)
            rec = {"method": self.command, "path": self.path,
                   "content_type": self.headers.get("Content-Type"),
                   "authorized": self.headers.get("Authorization") == "Bearer " + token,
                   "body": doc, "problems": problems}
            with lock, open(records, "a") as f:
                f.write(json.dumps(rec) + "\n")
            self.send_response(400 if problems else 200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(b'{"id":1,"message":"Annotation added"}')

        do_POST = do_GET = do_PUT = handle_any

        def log_message(self, *args):
            pass

    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    with open(portfile, "w") as f:
        f.write("%d\n" % srv.server_address[1])
    srv.serve_forever()


def serve_hang(portfile, givenup):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", 0))
    s.listen(64)
    with open(portfile, "w") as f:
        f.write("%d\n" % s.getsockname()[1])
    lock = threading.Lock()

    def hold(conn):
        while conn.recv(4096):      # never answered; b"" when the client closes
            pass
        conn.close()
        if givenup:
            with lock, open(givenup, "a") as f:
                f.write("closed\n")

    while True:
        conn, _ = s.accept()
        threading.Thread(target=hold, args=(conn,), daemon=True).start()


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "ok":
        serve_ok(sys.argv[2], sys.argv[3], sys.argv[4])
    elif len(sys.argv) in (3, 4) and sys.argv[1] == "hang":
        serve_hang(sys.argv[2], sys.argv[3] if len(sys.argv) == 4 else None)
    else:
        sys.exit(__doc__)
