#!/usr/bin/python3
"""Wine tier: a registry on loopback that asks for a bearer token and redirects every blob to a
second server on another port (another origin, as registries redirect to their storage), for
pull_test.sh (stdlib only).

Usage: redirect_registry.py LAYOUT REPO TAG PORTS_FILE LOG_FILE
  Serves LAYOUT's one image (make_oci.py's) as REPO:TAG. Writes "REGISTRY_PORT STORAGE_PORT" to
  PORTS_FILE once both listen. Appends one line per request to LOG_FILE:
    registry PATH AUTH    (AUTH: the Authorization header, or "-")
    storage PATH AUTH
  /v2/... without "Authorization: Bearer <token>" is answered 401 with a Bearer challenge whose
  realm is the registry's /token; a blob is answered 307 to the storage's /blob/<digest>?sig=1.
"""
import http.server
import json
import os
import sys
import threading

TOKEN = "t0ken-for-tests"


def main():
    layout, repo, tag, ports_file, log_file = sys.argv[1:6]
    with open(os.path.join(layout, "index.json")) as f:
        entry = json.load(f)["manifests"][0]
    blobs = os.path.join(layout, "blobs", "sha256")
    lock = threading.Lock()

    def log(server, path, headers):
        with lock, open(log_file, "a") as f:
            f.write(f"{server} {path} {headers.get('Authorization') or '-'}\n")

    def read_blob(digest):
        with open(os.path.join(blobs, digest.split(":", 1)[1]), "rb") as f:
            return f.read()

    class Quiet(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def send(self, status, body=b"", headers=()):
            self.send_response(status)
            for k, v in headers:
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    class Storage(Quiet):
        def do_GET(self):
            log("storage", self.path, self.headers)
            digest = self.path.split("?")[0].rsplit("/", 1)[-1]
            try:
                self.send(200, read_blob(digest), [("Content-Type", "application/octet-stream")])
            except OSError:
                self.send(404)

    storage = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Storage)

    class Registry(Quiet):
        def do_GET(self):
            log("registry", self.path, self.headers)
            port = self.server.server_address[1]
            if self.path.startswith("/token"):
                self.send(200, json.dumps({"token": TOKEN}).encode(),
                          [("Content-Type", "application/json")])
                return
            if self.headers.get("Authorization") != "Bearer " + TOKEN:
                challenge = (f'Bearer realm="http://127.0.0.1:{port}/token",service="fake",'
                             f'scope="repository:{repo}:pull"')
                self.send(401, b'{"errors":[{"code":"UNAUTHORIZED"}]}',
                          [("WWW-Authenticate", challenge), ("Content-Type", "application/json")])
                return
            if self.path == f"/v2/{repo}/manifests/{tag}" or \
                    self.path == f"/v2/{repo}/manifests/{entry['digest']}":
                self.send(200, read_blob(entry["digest"]), [("Content-Type", entry["mediaType"])])
                return
            if self.path.startswith(f"/v2/{repo}/blobs/"):
                digest = self.path.rsplit("/", 1)[-1]
                where = f"http://127.0.0.1:{storage.server_address[1]}/blob/{digest}?sig=1"
                self.send(307, b"", [("Location", where)])
                return
            self.send(404, b'{"errors":[{"code":"NOT_FOUND"}]}')

    registry = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Registry)
    threading.Thread(target=storage.serve_forever, daemon=True).start()
    with open(ports_file + ".tmp", "w") as f:
        f.write(f"{registry.server_address[1]} {storage.server_address[1]}\n")
    os.rename(ports_file + ".tmp", ports_file)
    registry.serve_forever()


if __name__ == "__main__":
    main()
