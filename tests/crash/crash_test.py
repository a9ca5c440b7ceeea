#!/usr/bin/python3
"""Crash safety: file cases over HTTP while the server is killed with SIGKILL at random moments.

usage: crash_test.py --dangan PATH [--rounds N] [--clients C] [--seed S] [--keep]

After every restart it checks what an archive promises: every case that got a 201 (or a 200
replay) is in the catalogue and its package verifies; no package or row of an unacknowledged
filing is half-visible (`verify --all` passes, no stray temporaries); the audit chain verifies;
and the 件号 of each series run 1..n without gaps. CI runs a short form (a few rounds); the long
form (--rounds 200) runs from scripts/crash_test.sh.
"""
import argparse
import hashlib
import http.client
import json
import os
import random
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time

BOUNDARY = "----dangan-crash-boundary"


def make_case(seq, rng):
    """A small valid case with one file, deterministic per seq."""
    body17 = "11010519%02d0101%03d" % (50 + seq % 40, seq % 1000)
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    check = "10X98765432"[sum(int(c) * w for c, w in zip(body17, weights)) % 11]
    content = ("%%PDF-1.4 申请材料 %d " % seq).encode() + rng.randbytes(rng.randint(100, 200000))
    item = ["0102", "0503", "0301"][seq % 3]
    case = {
        "source": "crash", "case_id": "CR-%06d" % seq, "item": item,
        "title": "崩溃测试 第%d件" % seq, "formed_on": "2025-05-05",
        "closed_at": "2025-05-05T10:00:00+08:00", "agency": "测试中心", "handler": "测试",
        "person": {"id_number": body17 + check, "name": "测试人"},
        "steps": [{"action": "办结", "at": "2025-05-05T10:00:00+08:00", "by": "测试"}],
        "files": [{"name": "材料.pdf", "sha256": hashlib.sha256(content).hexdigest()}],
    }
    return case, content


def multipart(case, content):
    parts = [
        ("--%s\r\nContent-Disposition: form-data; name=\"case\"\r\n\r\n" % BOUNDARY).encode()
        + json.dumps(case, ensure_ascii=False).encode() + b"\r\n",
        ("--%s\r\nContent-Disposition: form-data; name=\"file\"; filename=\"材料.pdf\"\r\n"
         "Content-Type: application/octet-stream\r\n\r\n" % BOUNDARY).encode() + content + b"\r\n",
        ("--%s--\r\n" % BOUNDARY).encode(),
    ]
    return b"".join(parts)


class Server:
    def __init__(self, dangan, root, log):
        self.dangan, self.root, self.log = dangan, root, log
        self.proc = None
        self.port = None

    def start(self):
        out = open(self.log, "ab")
        self.proc = subprocess.Popen([self.dangan, "--root", self.root, "serve", "--port", "0"],
                                     stdout=subprocess.PIPE, stderr=out)
        line = self.proc.stdout.readline().decode()
        m = re.search(r":(\d+)$", line.strip())
        if not m:
            raise RuntimeError("server did not start: %r" % line)
        self.port = int(m.group(1))

    def kill(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
        if self.proc:
            self.proc.wait()


def run(cmd):
    return subprocess.run(cmd, capture_output=True, text=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dangan", required=True)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--clients", type=int, default=4)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--keep", action="store_true")
    ap.add_argument("--no-replica", action="store_true",
                    help="file to the archive root alone (by default a replica root gets a copy too)")
    args = ap.parse_args()
    rng = random.Random(args.seed)
    work = tempfile.mkdtemp(prefix="dangan-crash-")
    root = os.path.join(work, "archive")
    failures = []
    try:
        assert run([args.dangan, "--root", root, "init", "--fonds", "J012"]).returncode == 0
        replica = None
        if not args.no_replica:
            replica = os.path.join(work, "replica")
            os.makedirs(replica)
            assert run([args.dangan, "--root", root, "replica", "add", replica]).returncode == 0
        key = run([args.dangan, "--root", root, "apikey", "create", "--source", "crash"]).stdout.split()[-1]
        server = Server(args.dangan, root, os.path.join(work, "serve.log"))
        acknowledged = {}  # case_id -> reference
        next_seq = [0]
        lock = threading.Lock()
        for rnd in range(1, args.rounds + 1):
            server.start()
            stop = threading.Event()

            def client(cid):
                crng = random.Random(args.seed * 1000 + rnd * 10 + cid)
                while not stop.is_set():
                    with lock:
                        next_seq[0] += 1
                        seq = next_seq[0]
                    case, content = make_case(seq, crng)
                    body = multipart(case, content)
                    try:
                        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
                        conn.request("POST", "/api/v1/cases", body=body, headers={
                            "Authorization": "Bearer " + key,
                            "Content-Type": "multipart/form-data; boundary=" + BOUNDARY})
                        resp = conn.getresponse()
                        data = resp.read()
                        if resp.status in (200, 201):
                            ref = json.loads(data)["reference"]
                            with lock:
                                acknowledged[case["case_id"]] = ref
                        elif resp.status >= 400 and resp.status != 503:
                            failures.append("round %d: %s got %d %s" % (rnd, case["case_id"], resp.status, data[:200]))
                    except (OSError, http.client.HTTPException):
                        pass  # the server was killed mid-request: not acknowledged

            threads = [threading.Thread(target=client, args=(c,)) for c in range(args.clients)]
            for t in threads:
                t.start()
            time.sleep(rng.uniform(0.2, 1.5))
            server.kill()
            stop.set()
            for t in threads:
                t.join()

            # Every check runs on the archive as the crash left it (the next open recovers).
            v = run([args.dangan, "--root", root, "verify", "--all", "--quiet"])
            if v.returncode != 0:
                failures.append("round %d: verify --all failed: %s %s" % (rnd, v.stdout[-2000:], v.stderr[-2000:]))
            a = run([args.dangan, "--root", root, "audit", "verify"])
            if a.returncode != 0:
                failures.append("round %d: audit verify failed: %s" % (rnd, a.stdout + a.stderr))
            db = sqlite3.connect(os.path.join(root, "catalogue.db"))
            rows = dict(db.execute("SELECT case_id, reference FROM records").fetchall())
            packages = set(p for (p,) in db.execute("SELECT package_path FROM records"))
            for case_id, ref in acknowledged.items():
                if rows.get(case_id) != ref:
                    failures.append("round %d: acknowledged %s (%s) is missing" % (rnd, case_id, ref))
            for series, seqs in _series(db).items():
                if sorted(seqs) != list(range(1, len(seqs) + 1)):
                    failures.append("round %d: series %s has gaps: %s" % (rnd, series, sorted(seqs)))
            db.close()
            on_disk = set()
            for dirpath, dirs, files in os.walk(os.path.join(root, "packages")):
                for f in files:
                    rel = os.path.relpath(os.path.join(dirpath, f), root)
                    if not rel.startswith("packages/."):
                        on_disk.add(rel)
            stray = on_disk - packages
            if stray:
                failures.append("round %d: packages without a row: %s" % (rnd, sorted(stray)[:5]))
            if replica:
                # The replica holds exactly the committed packages, each as long as the primary's
                # (the full re-hash of every copy runs once at the end).
                on_replica = set()
                for dirpath, dirs, files in os.walk(os.path.join(replica, "packages")):
                    for f in files:
                        rel = os.path.relpath(os.path.join(dirpath, f), replica)
                        if not rel.startswith("packages/."):
                            on_replica.add(rel)
                if on_replica != packages:
                    failures.append("round %d: replica differs: missing %s, extra %s" % (
                        rnd, sorted(packages - on_replica)[:5], sorted(on_replica - packages)[:5]))
                for rel in packages & on_replica:
                    if os.path.getsize(os.path.join(root, rel)) != os.path.getsize(os.path.join(replica, rel)):
                        failures.append("round %d: replica copy of %s has another size" % (rnd, rel))
            print("round %d: %d acknowledged, %d records, %d failures so far" %
                  (rnd, len(acknowledged), len(rows), len(failures)), flush=True)
            if failures:
                break
        # One last clean start must also succeed and leave no pending or staged files behind.
        server.start()
        server.kill()
        for d in (".staging", ".pending"):
            left = os.listdir(os.path.join(root, "packages", d))
            if left:
                failures.append("after recovery, packages/%s still holds %s" % (d, left[:5]))
        if replica:
            # Every copy of every package, re-hashed: nothing damaged, nothing to repair.
            a = run([args.dangan, "--root", root, "audit", "run"])
            if a.returncode != 0 or " 0 damaged," not in a.stderr:
                failures.append("audit run over both copies: %s %s" % (a.stdout[-2000:], a.stderr[-2000:]))
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
        else:
            print("kept", work)
    for f in failures:
        print("FAIL:", f, file=sys.stderr)
    print("%d passed, %d failed" % (args.rounds - (1 if failures else 0), 1 if failures else 0))
    return 1 if failures else 0


def _series(db):
    out = {}
    for series, seq in db.execute("SELECT series, seq FROM records"):
        out.setdefault(series, []).append(seq)
    return out


if __name__ == "__main__":
    sys.exit(main())
