#!/usr/bin/python3
"""Wine tier: pushes OCI image layouts (make_oci.py's) to a registry on loopback, with the
distribution API (stdlib only), for pull_test.sh.

Usage: push_oci.py HOST REPO TAG LAYOUT...
  One LAYOUT: its manifest is pushed as REPO:TAG.
  Several: each manifest is pushed by digest, and an OCI index of them, each with the platform
  its config names, as REPO:TAG.
Prints the digest of what REPO:TAG names.
"""
import hashlib
import json
import os
import sys
import urllib.request


def request(method, url, data=None, content_type=None):
    req = urllib.request.Request(url, data=data, method=method)
    if content_type:
        req.add_header("Content-Type", content_type)
    with urllib.request.urlopen(req) as resp:
        return resp.status, resp.headers


def push_blob(host, repo, data):
    digest = "sha256:" + hashlib.sha256(data).hexdigest()
    _, headers = request("POST", f"http://{host}/v2/{repo}/blobs/uploads/")
    location = headers["Location"]
    if not location.startswith("http"):
        location = f"http://{host}{location}"
    sep = "&" if "?" in location else "?"
    request("PUT", f"{location}{sep}digest={digest}", data, "application/octet-stream")
    return digest


def push_manifest(host, repo, ref, media_type, body):
    request("PUT", f"http://{host}/v2/{repo}/manifests/{ref}", body, media_type)
    return "sha256:" + hashlib.sha256(body).hexdigest()


def blob(layout, digest):
    with open(os.path.join(layout, "blobs", "sha256", digest.split(":", 1)[1]), "rb") as f:
        return f.read()


def push_layout(host, repo, ref, layout):
    """Pushes the layout's one image; returns its manifest's descriptor with its platform."""
    with open(os.path.join(layout, "index.json")) as f:
        entry = json.load(f)["manifests"][0]
    body = blob(layout, entry["digest"])
    manifest = json.loads(body)
    for d in [manifest["config"]] + manifest["layers"]:
        push_blob(host, repo, blob(layout, d["digest"]))
    config = json.loads(blob(layout, manifest["config"]["digest"]))
    digest = push_manifest(host, repo, ref or entry["digest"], entry["mediaType"], body)
    return {"mediaType": entry["mediaType"], "digest": digest, "size": len(body),
            "platform": {"os": config["os"], "architecture": config["architecture"]}}


def main():
    host, repo, tag, layouts = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
    if len(layouts) == 1:
        print(push_layout(host, repo, tag, layouts[0])["digest"])
        return
    index = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
             "manifests": [push_layout(host, repo, None, l) for l in layouts]}
    print(push_manifest(host, repo, tag, index["mediaType"], json.dumps(index).encode()))


if __name__ == "__main__":
    main()
