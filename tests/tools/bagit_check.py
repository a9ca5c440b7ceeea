#!/usr/bin/env python3
"""Minimal, independent RFC 8493 (BagIt 1.0 / 0.97) validator, standard library only.

It stands in for "another institution's BagIt tool" when cross-checking Dangan's C++
BagValidator, so it is written from the RFC and deliberately shares no code or structure with it.

Usage: bagit_check.py [--fast] BAG_DIR
Exit status 0 if the bag is valid, 1 if not (reasons on stderr), 2 on bad usage.
--fast skips digest computation.
"""

import hashlib
import os
import re
import stat
import sys

ALGORITHMS = {"sha256": 64, "sha512": 128, "sha1": 40, "md5": 32}
LINE_BREAK = re.compile(r"\r\n|\r|\n")
MANIFEST_NAME = re.compile(r"^(tag)?manifest-([^/]+)\.txt$")
HEX = re.compile(r"^[0-9A-Fa-f]+$")
PERCENT = re.compile(r"%(0[AaDd]|25)")
OXUM = re.compile(r"^([0-9]+)\.([0-9]+)$")
FETCH_LINE = re.compile(r"^(\S+)[ \t]+(\S+)[ \t]+(.+)$")
MANIFEST_LINE = re.compile(r"^(\S+)[ \t]+(.+)$")


class Problems:
    def __init__(self):
        self.errors = []
        self.warnings = []

    def error(self, msg):
        self.errors.append(msg)

    def warn(self, msg):
        self.warnings.append(msg)


def text_lines(data):
    """RFC 8493 allows LF, CR and CRLF; a trailing terminator ends the last line."""
    parts = LINE_BREAK.split(data)
    if parts and parts[-1] == "":
        parts.pop()
    return parts


def unescape(path):
    table = {"0a": "\n", "0d": "\r", "25": "%"}
    return PERCENT.sub(lambda m: table[m.group(1).lower()], path)


def unsafe(path):
    """Returns why a listed path may not be used, or None."""
    if path == "":
        return "empty path"
    if "\\" in path:
        return "path escapes the bag (backslash)"
    if path.startswith("/"):
        return "path escapes the bag (absolute)"
    if path.startswith("~"):
        return "path escapes the bag (~)"
    segments = path.split("/")
    if "" in segments:
        return "path escapes the bag (empty segment)"
    if ".." in segments:
        return "path escapes the bag (..)"
    if "." in segments:
        return "path not normalized (.)"
    if "\x00" in path:
        return "NUL in path"
    return None


def inventory(root, problems):
    """Every regular file under root, as relative '/'-joined str paths, using lstat only."""
    files = {}
    stack = [""]
    while stack:
        rel_dir = stack.pop()
        abs_dir = os.path.join(root, rel_dir) if rel_dir else root
        try:
            names = os.listdir(os.fsencode(abs_dir))
        except OSError as e:
            problems.error("cannot list %r: %s" % (rel_dir, e))
            continue
        for raw in names:
            name = os.fsdecode(raw)
            rel = rel_dir + "/" + name if rel_dir else name
            try:
                st = os.lstat(os.path.join(root, rel))
            except OSError as e:
                problems.error("cannot stat %r: %s" % (rel, e))
                continue
            if stat.S_ISLNK(st.st_mode):
                problems.error("symlink in bag: %r" % rel)
            elif stat.S_ISDIR(st.st_mode):
                stack.append(rel)
            elif stat.S_ISREG(st.st_mode):
                files[rel] = st.st_size
            else:
                problems.error("special file in bag: %r" % rel)
    return files


def read_text(root, rel, encoding, problems):
    try:
        fd = os.open(os.path.join(root, rel), os.O_RDONLY | os.O_NOFOLLOW)
        with os.fdopen(fd, "rb") as f:
            raw = f.read()
    except OSError as e:
        problems.error("cannot read %r: %s" % (rel, e))
        return None
    try:
        text = raw.decode(encoding)
    except (UnicodeDecodeError, LookupError) as e:
        problems.error("%s: cannot decode as %s: %s" % (rel, encoding, e))
        return None
    if text.startswith("\ufeff"):
        problems.warn("%s: BOM" % rel)
        text = text[1:]
    return text


def file_digest(path, algorithm):
    h = hashlib.new(algorithm)
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    with os.fdopen(fd, "rb") as f:
        while True:
            block = f.read(1 << 20)
            if not block:
                break
            h.update(block)
    return h.hexdigest()


def load_manifest(root, name, algorithm, encoding, problems):
    text = read_text(root, name, encoding, problems)
    if text is None:
        return None
    entries = {}
    for number, line in enumerate(text_lines(text), 1):
        if line.strip() == "":
            problems.warn("%s:%d blank" % (name, number))
            continue
        m = MANIFEST_LINE.match(line)
        if not m:
            problems.error("%s:%d malformed" % (name, number))
            continue
        checksum, path = m.group(1).lower(), unescape(m.group(2))
        if len(checksum) != ALGORITHMS[algorithm] or not HEX.match(checksum):
            problems.error("%s:%d bad checksum" % (name, number))
            continue
        why = unsafe(path)
        if why:
            problems.error("%s:%d %s: %r" % (name, number, why, path))
            continue
        if path in entries:
            problems.error("%s:%d duplicate %r" % (name, number, path))
            continue
        entries[path] = checksum
    return entries


def check(root, fast):
    p = Problems()
    if not os.path.isdir(root):
        p.error("not a directory")
        return p
    files = inventory(root, p)
    payload = {k: v for k, v in files.items() if k.startswith("data/")}
    tags = {k: v for k, v in files.items() if not k.startswith("data/")}
    try:
        data_mode = os.lstat(os.path.join(root, "data")).st_mode
        if not stat.S_ISDIR(data_mode):
            p.error("data is not a directory")
    except OSError:
        p.error("no data directory")

    # bagit.txt: always UTF-8, no BOM, exactly two lines.
    encoding = "utf-8"
    if "bagit.txt" not in tags:
        p.error("no bagit.txt")
    else:
        with open(os.path.join(root, "bagit.txt"), "rb") as f:
            raw = f.read()
        if raw[:3] == b"\xef\xbb\xbf":
            p.error("bagit.txt has a BOM")
        try:
            declaration = text_lines(raw.decode("utf-8"))
        except UnicodeDecodeError:
            declaration = []
            p.error("bagit.txt not UTF-8")
        if len(declaration) != 2:
            p.error("bagit.txt must have two lines")
        if declaration:
            m = re.match(r"^BagIt-Version: ([0-9]+\.[0-9]+)$", declaration[0])
            if not m:
                p.error("bad BagIt-Version line")
            elif m.group(1) not in ("1.0", "0.97"):
                p.error("unsupported version " + m.group(1))
        if len(declaration) > 1:
            m = re.match(r"^Tag-File-Character-Encoding: (\S+)$", declaration[1])
            if not m:
                p.error("bad Tag-File-Character-Encoding line")
            else:
                encoding = m.group(1)
                if encoding.lower() not in ("utf-8", "utf8"):
                    p.warn("encoding " + encoding)
                    try:
                        "".encode(encoding)
                    except LookupError:
                        p.error("unknown encoding " + encoding)
                        return p

    payload_manifests = {}
    tag_manifests = {}
    for name in sorted(tags):
        m = MANIFEST_NAME.match(name)
        if not m:
            continue
        algorithm = m.group(2)
        if algorithm not in ALGORITHMS:
            p.warn("unknown algorithm in " + name)
            continue
        if algorithm in ("md5", "sha1"):
            p.warn("weak algorithm in " + name)
        entries = load_manifest(root, name, algorithm, encoding, p)
        if entries is None:
            continue
        (tag_manifests if m.group(1) else payload_manifests)[algorithm] = entries

    if not payload_manifests:
        p.error("no usable payload manifest")

    fetched = set()
    missing_fetched = set()
    if "fetch.txt" in tags:
        p.warn("fetch.txt present")
        text = read_text(root, "fetch.txt", encoding, p)
        for number, line in enumerate(text_lines(text or ""), 1):
            if line.strip() == "":
                continue
            m = FETCH_LINE.match(line)
            if not m:
                p.error("fetch.txt:%d malformed" % number)
                continue
            url, length, path = m.group(1), m.group(2), unescape(m.group(3))
            if not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", url):
                p.error("fetch.txt:%d bad URL" % number)
            if length != "-" and not length.isdigit():
                p.error("fetch.txt:%d bad length" % number)
            why = unsafe(path)
            if why:
                p.error("fetch.txt:%d %s" % (number, why))
                continue
            if not path.startswith("data/"):
                p.error("fetch.txt:%d not a payload path" % number)
                continue
            fetched.add(path)
            if path not in payload:
                p.error("incomplete bag: %r not fetched" % path)
                missing_fetched.add(path)

    for algorithm, entries in payload_manifests.items():
        listed = set(entries)
        for path in sorted(listed):
            if not path.startswith("data/"):
                p.error("manifest-%s.txt lists non-payload %r" % (algorithm, path))
            elif path not in payload and path not in missing_fetched:
                p.error("manifest-%s.txt lists missing %r" % (algorithm, path))
        for path in sorted(set(payload) - listed):
            p.error("%r not in manifest-%s.txt" % (path, algorithm))
        for path in sorted(fetched - listed):
            p.error("fetch entry %r not in manifest-%s.txt" % (path, algorithm))
        if fast:
            continue
        for path in sorted(listed & set(payload)):
            if file_digest(os.path.join(root, path), algorithm) != entries[path]:
                p.error("%s mismatch: %r" % (algorithm, path))

    for algorithm, entries in tag_manifests.items():
        name = "tagmanifest-%s.txt" % algorithm
        for path, checksum in sorted(entries.items()):
            if path.startswith("data/") or (path.startswith("tag") and MANIFEST_NAME.match(path)):
                p.error("%s must not list %r" % (name, path))
            elif path not in tags:
                p.error("%s lists missing %r" % (name, path))
            elif not fast and file_digest(os.path.join(root, path), algorithm) != checksum:
                p.error("%s mismatch: %r" % (name, path))
        for path in sorted(tags):
            if path not in entries and not path.startswith("tagmanifest-"):
                p.warn("%r not in %s" % (path, name))

    if "bag-info.txt" in tags:
        text = read_text(root, "bag-info.txt", encoding, p)
        info = []
        for number, line in enumerate(text_lines(text or ""), 1):
            if line.strip() == "":
                continue
            if line[0] in " \t":
                if not info:
                    p.error("bag-info.txt:%d continuation without label" % number)
                else:
                    info[-1][1] += " " + line.strip()
                continue
            label, colon, value = line.partition(":")
            if not colon or not label.strip():
                p.error("bag-info.txt:%d malformed" % number)
                continue
            info.append([label.strip(), value.strip()])
        for label, value in info:
            if label.lower() == "payload-oxum":
                m = OXUM.match(value)
                if not m:
                    p.error("malformed Payload-Oxum")
                elif not missing_fetched and (
                    int(m.group(1)) != sum(payload.values()) or int(m.group(2)) != len(payload)
                ):
                    p.error("Payload-Oxum %s does not match %d.%d"
                            % (value, sum(payload.values()), len(payload)))
            elif label.lower() == "bagging-date":
                if not re.match(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$", value):
                    p.warn("Bagging-Date not ISO")
    return p


def main(argv):
    args = [a for a in argv[1:] if a != "--fast"]
    if len(args) != 1:
        sys.stderr.write(__doc__)
        return 2
    problems = check(args[0], "--fast" in argv[1:])
    for w in problems.warnings:
        sys.stderr.write("warning: %s\n" % w)
    for e in problems.errors:
        sys.stderr.write("error: %s\n" % e)
    return 1 if problems.errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
