#!/usr/bin/env python3
"""Writes the seed corpus of fuzz_unpack into tests/fuzz/unpack/corpus/ (checked in).

Small layers of every entry type the unpacker handles, in plain tar, gzip and zstd, plus the
hostile shapes it must refuse: `..`, absolute names, symlinks and hardlinks that lead out of
the layer, writes through a symlink, whiteouts. fuzz_unpack runs with its base directory as
the working directory, so `..` and /proc/self/cwd both lead to the `outside` directory it
watches. Run it again after changing it: python3 tests/fuzz/unpack/make_corpus.py
"""
import gzip
import io
import os
import shutil
import subprocess
import tarfile

tarfile.RECORDSIZE = 512  # no padding beyond the end-of-archive blocks: keeps seeds tiny
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")
MTIME = 1700000000


def entry(name, kind=tarfile.REGTYPE, data=b"", link="", mode=0o644, pax=None):
    info = tarfile.TarInfo(name)
    info.type, info.linkname, info.mode, info.mtime = kind, link, mode, MTIME
    info.size = len(data)
    if pax:
        info.pax_headers = pax
    return info, data


def tar(entries, fmt=tarfile.PAX_FORMAT):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=fmt) as t:
        for info, data in entries:
            t.addfile(info, io.BytesIO(data) if data else None)
    return buf.getvalue()


def d(name, mode=0o755):
    return entry(name, tarfile.DIRTYPE, mode=mode)


def sym(name, target):
    return entry(name, tarfile.SYMTYPE, link=target, mode=0o777)


def hard(name, target):
    return entry(name, tarfile.LNKTYPE, link=target)


BASIC = [
    d("./"),
    d("bin"),
    entry("bin/tool", data=b"#!/bin/sh\necho hi\n", mode=0o4755),
    sym("bin/sh", "tool"),
    hard("bin/tool2", "bin/tool"),
    entry("etc/deep/conf", data=b"x=1\n", mode=0o600),
    d("ro", 0o555),
    entry("ro/inside", data=b"y"),
    entry("fifo", tarfile.FIFOTYPE),
    entry("dev/null", tarfile.CHRTYPE, mode=0o666),
]

SEEDS = {
    "basic.tar": tar(BASIC),
    "gnu.tar": tar(BASIC + [entry("long/" + "n" * 200, data=b"z")], tarfile.GNU_FORMAT),
    "ustar.tar": tar([d("a"), entry("a/b", data=b"b" * 600), sym("a/c", "../a/b")],
                     tarfile.USTAR_FORMAT),
    "xattrs.tar": tar([entry("x", data=b"x", pax={"SCHILY.xattr.user.k": "v",
                                                  "SCHILY.xattr.trusted.overlay.opaque": "y"})]),
    "whiteouts.tar": tar([d("d"), entry("d/f", data=b"f"), entry("d/.wh.f"),
                          entry("d/.wh..wh..opq"), entry(".wh.gone")]),
    "replace.tar": tar([entry("p", data=b"file"), d("p"), entry("p/q", data=b"q"),
                        sym("r", "p"), entry("r", data=b"now a file"), d("s"), sym("s", "p")]),
    # Hostile: each must be refused (or stay inside) without touching ../outside.
    "dotdot.tar": tar([entry("../outside/pwned", data=b"x")]),
    "absolute.tar": tar([entry("/outside/pwned", data=b"x")]),
    "symlink-up.tar": tar([sym("up", ".."), entry("up/outside/pwned", data=b"x")]),
    "symlink-out.tar": tar([sym("out", "../outside"), entry("out/pwned", data=b"x")]),
    "symlink-abs.tar": tar([sym("cwd", "/proc/self/cwd"), entry("cwd/outside/pwned", data=b"x")]),
    "symlink-chain.tar": tar([d("a"), sym("a/b", "../c"), sym("c", "../outside"),
                              entry("a/b/pwned", data=b"x")]),
    "write-through-link.tar": tar([sym("secret", "../outside/secret"),
                                   entry("secret", data=b"overwritten")]),
    "dir-through-link.tar": tar([sym("dd", "../outside"), d("dd"), d("dd/sub")]),
    "hardlink-out.tar": tar([hard("h", "../outside/secret")]),
    "hardlink-via-symlink.tar": tar([sym("s", "../outside"), hard("h", "s/secret")]),
    "whiteout-out.tar": tar([sym("w", "../outside"), entry("w/.wh.secret")]),
}


def main():
    if os.path.isdir(OUT):
        shutil.rmtree(OUT)
    os.makedirs(OUT)
    for name, data in SEEDS.items():
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(data)
    with open(os.path.join(OUT, "basic.tar.gz"), "wb") as f:
        f.write(gzip.compress(SEEDS["basic.tar"], mtime=0))
    with open(os.path.join(OUT, "symlink-out.tar.gz"), "wb") as f:
        f.write(gzip.compress(SEEDS["symlink-out.tar"], mtime=0))
    if shutil.which("zstd"):
        zst = subprocess.run(["zstd", "-q", "-c", "-3"], input=SEEDS["basic.tar"],
                             stdout=subprocess.PIPE, check=True).stdout
        with open(os.path.join(OUT, "basic.tar.zst"), "wb") as f:
            f.write(zst)


if __name__ == "__main__":
    main()
