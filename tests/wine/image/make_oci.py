#!/usr/bin/python3
"""Wine tier: makes the OCI images tests/wine/image/oci_test.sh imports (stdlib only).

Usage: make_oci.py KIND OUT
  layout   OUT/ is an OCI image layout with two Windows layers (below) and config os windows
  linux    the same, with config os linux
  dotdot   layer 2 also has an entry "Files/../../evil"
  absolute layer 2 also has an entry "/evil.txt"
  throughlink  layer 2 also has "Files/bin/link.cmd/evil.txt", below layer 1's symbolic link
  baddigest  layer 2's blob altered after the manifest named its digest
  docker   OUT is a docker-archive tarball (manifest.json) of the same image
  evilouter  OUT is a tarball of the layout with an extra member "../outside.txt"
Every KIND but docker and evilouter makes a layout directory; `facts.json` beside it (OUT.json)
holds the digests the test compares with.

Layer 1 (gzip): Files/bin/tool.cmd, Files/data/x.txt, Files/data/old.txt, Files/opq/a.txt,
Files/data/hard.txt (a hard link to x.txt), Files/bin/link.cmd (a symbolic link), a non-ASCII
name, Hives/ and UtilityVM/ entries. Layer 2 (plain tar): a new Files/data/x.txt, a whiteout of
Files/data/old.txt, an opaque whiteout of Files/opq/ with a new Files/opq/b.txt.
"""
import gzip
import hashlib
import io
import json
import os
import sys
import tarfile

CMD = ["cmd", "/c",
       "type %CONTAINER_SANDBOX_MOUNT_POINT%data\\x.txt& echo greeting=%GREETING%"]


def tar_bytes(entries):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as t:
        for kind, name, data in entries:
            info = tarfile.TarInfo(name)
            info.mtime = 1700000000
            if kind == "dir":
                info.type = tarfile.DIRTYPE
                info.mode = 0o755
                t.addfile(info)
            elif kind == "file":
                info.size = len(data)
                info.mode = 0o644
                t.addfile(info, io.BytesIO(data))
            elif kind == "hardlink":
                info.type = tarfile.LNKTYPE
                info.linkname = data
                t.addfile(info)
            elif kind == "symlink":
                info.type = tarfile.SYMTYPE
                info.linkname = data
                t.addfile(info)
    return buf.getvalue()


def layers(kind):
    l1 = [
        ("dir", "Files", None),
        ("dir", "Files/bin", None),
        ("file", "Files/bin/tool.cmd", b"@echo tool from layer 1\r\n"),
        ("dir", "Files/data", None),
        ("file", "Files/data/x.txt", b"x from layer 1\r\n"),
        ("file", "Files/data/old.txt", b"old\r\n"),
        ("hardlink", "Files/data/hard.txt", "Files/data/x.txt"),
        ("symlink", "Files/bin/link.cmd", "tool.cmd"),
        ("file", "Files/data/\u00fcn\u00ef.txt", b"non-ascii\r\n"),
        ("dir", "Files/opq", None),
        ("file", "Files/opq/a.txt", b"a\r\n"),
        ("dir", "Hives", None),
        ("file", "Hives/DefaultUser_Delta", b"regf hive"),
        ("dir", "UtilityVM", None),
        ("dir", "UtilityVM/Files", None),
        ("file", "UtilityVM/Files/vm.txt", b"utility vm"),
    ]
    l2 = [
        ("dir", "Files/data", None),
        ("file", "Files/data/x.txt", b"x from layer 2\r\n"),
        ("file", "Files/data/.wh.old.txt", b""),
        ("dir", "Files/opq", None),
        ("file", "Files/opq/.wh..wh..opq", b""),
        ("file", "Files/opq/b.txt", b"b\r\n"),
        ("file", "Hives/Software_Delta", b"regf hive 2"),
    ]
    if kind == "dotdot":
        l2.append(("file", "Files/../../evil", b"evil\r\n"))
    if kind == "absolute":
        l2.append(("file", "/evil.txt", b"evil\r\n"))
    if kind == "throughlink":  # below layer 1's symbolic link, which is not made
        l2.append(("file", "Files/bin/link.cmd/evil.txt", b"evil\r\n"))
    return tar_bytes(l1), tar_bytes(l2)


def sha(b):
    return "sha256:" + hashlib.sha256(b).hexdigest()


def image(kind):
    """Returns (config bytes, [(layer blob, diff id, media type)])."""
    t1, t2 = layers(kind)
    blob1 = gzip.compress(t1, mtime=0)
    config = {
        "architecture": "amd64",
        "os": "linux" if kind == "linux" else "windows",
        "config": {"Cmd": CMD, "Env": ["GREETING=oci"], "WorkingDir": ""},
        "rootfs": {"type": "layers", "diff_ids": [sha(t1), sha(t2)]},
    }
    cfg = json.dumps(config, separators=(",", ":")).encode()
    return cfg, [(blob1, sha(t1), "application/vnd.oci.image.layer.v1.tar+gzip"),
                 (t2, sha(t2), "application/vnd.oci.image.layer.v1.tar")]


def write_layout(kind, out):
    cfg, ls = image(kind)
    blobs = os.path.join(out, "blobs", "sha256")
    os.makedirs(blobs)

    def put(b):
        with open(os.path.join(blobs, sha(b)[7:]), "wb") as f:
            f.write(b)
        return sha(b)

    manifest = {
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                   "digest": put(cfg), "size": len(cfg)},
        "layers": [{"mediaType": mt, "digest": put(b), "size": len(b)} for b, _, mt in ls],
    }
    mb = json.dumps(manifest).encode()
    index = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
             "manifests": [{"mediaType": manifest["mediaType"], "digest": put(mb),
                            "size": len(mb),
                            "platform": {"os": json.loads(cfg)["os"], "architecture": "amd64"},
                            "annotations": {"org.opencontainers.image.ref.name": "1"}}]}
    with open(os.path.join(out, "index.json"), "w") as f:
        json.dump(index, f)
    with open(os.path.join(out, "oci-layout"), "w") as f:
        f.write('{"imageLayoutVersion":"1.0.0"}')
    if kind == "baddigest":  # a byte of layer 2's x.txt changed: the tar still reads
        p = os.path.join(blobs, sha(ls[1][0])[7:])
        data = open(p, "rb").read().replace(b"x from layer 2", b"y from layer 2")
        open(p, "wb").write(data)
    facts = {"config": sha(cfg), "manifest": sha(mb),
             "layers": [sha(b) for b, _, _ in ls], "diff_ids": [d for _, d, _ in ls]}
    with open(out + ".json", "w") as f:
        json.dump(facts, f)


def write_docker(out):
    cfg, ls = image("layout")
    with tarfile.open(out, "w", format=tarfile.PAX_FORMAT) as t:
        def add(name, data):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            t.addfile(info, io.BytesIO(data))
        names = []
        for blob, diff_id, mt in ls:  # docker save's layers are plain tars
            names.append(diff_id[7:] + "/layer.tar")
            add(names[-1], gzip.decompress(blob) if mt.endswith("gzip") else blob)
        add(sha(cfg)[7:] + ".json", cfg)
        add("manifest.json", json.dumps([{"Config": sha(cfg)[7:] + ".json",
                                          "RepoTags": ["hostprocess.local/oci:1"],
                                          "Layers": names}]).encode())


def main():
    kind, out = sys.argv[1], sys.argv[2]
    if kind == "docker":
        write_docker(out)
    elif kind == "evilouter":
        layout = out + ".d"
        write_layout("layout", layout)
        with tarfile.open(out, "w") as t:
            t.add(layout, arcname=".")
            info = tarfile.TarInfo("../outside.txt")
            info.size = 4
            t.addfile(info, io.BytesIO(b"evil"))
    else:
        write_layout(kind, out)


if __name__ == "__main__":
    main()
