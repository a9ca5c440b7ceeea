#!/usr/bin/python3
"""Helpers for scripts/bench/api.sh. Standard library only.

  cases   --out DIR --count N --seed S [--bytes B]
          make_cases.py cases, each with three files totalling B bytes (default 1 MiB):
          申请表.txt (from make_cases.py), 扫描件.tif and 附件.pdf (random bytes)
  post    --url URL --key KEY [--clients N] [--expect 201] CASE_DIR...
          POSTs each case to /api/v1/cases as multipart/form-data (a `case` field with the
          case JSON, one file part per files[] entry), N clients each on its own keep-alive
          connection, cases dealt round-robin. Prints one line:
          "cases N wall S rate R p50_ms A p99_ms B max_ms C"
  lookup-lua --prefix PATH --out FILE [--key KEY] REF...
          a wrk script rotating over PATH + percent-encoded ref (or PATH + index + .json when
          --index is given), printing a RESULT line (see below) when wrk is done
  search-lua --db CATALOGUE.db --out-dir DIR --key KEY [--per-category N] [--seed S]
          chooses queries from a sample of the catalogue (1-, 2- and 4-character Han n-grams,
          frequent and rare, and 公民身份号码 of records) and writes one wrk script per category
          plus mixed.lua
  median  N...        the median of the numbers
The wrk scripts print "RESULT requests R duration_s D rps X p50_ms A p90_ms B p99_ms C
max_ms M non2xx E sockerr S".
"""
import argparse
import collections
import json
import os
import random
import re
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
import http.client
import urllib.parse
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
MAKE_CASES = os.path.join(HERE, "..", "..", "make_cases.py")
TEXT_CODEC = os.path.join(HERE, "..", "..", "..", "storage", "text_codec.cpp")


def stored_text_reader(db):
    """Decodes the catalogue's compressed text columns (storage/text_codec.cpp). Format 1: raw
    DEFLATE primed with kDictionaryV1, then a CRC-32; the dictionary is read from that source,
    which promises never to change it, so this stays in step without a copy here. Format 2: the id
    of a zstd dictionary in the catalogue's text_dictionaries table, then a zstd frame."""
    src = open(TEXT_CODEC, encoding="utf-8").read()
    m = re.search(r"kDictionaryV1\[\]\s*=(.*?);", src, re.S)
    if not m:
        sys.exit("apibench: kDictionaryV1 not found in " + TEXT_CODEC)
    lits = re.findall(r'"((?:[^"\\]|\\.)*)"', m.group(1))
    zdict = "".join(l.replace('\\"', '"').replace("\\\\", "\\") for l in lits).encode("utf-8")

    zstd_dicts = {}

    def read_v2(v):
        import zstandard  # python3-zstandard, installed by scripts/setup.sh --bench
        key = int.from_bytes(v[1:5], "little")
        if key not in zstd_dicts:
            row = db.execute("SELECT dict FROM text_dictionaries WHERE id=?", (key,)).fetchone()
            if row is None:
                sys.exit("apibench: a stored text needs a dictionary the catalogue lacks")
            zstd_dicts[key] = zstandard.ZstdDecompressor(
                dict_data=zstandard.ZstdCompressionDict(bytes(row[0])))
        return zstd_dicts[key].decompress(bytes(v[5:])).decode("utf-8")

    def read(v):
        if v is None:
            return ""
        if isinstance(v, str):
            return v
        if len(v) >= 5 and v[0] == 2:
            return read_v2(v)
        if len(v) < 5 or v[0] != 1:
            sys.exit("apibench: a stored text has an unknown format")
        d = zlib.decompressobj(-15, zdict=zdict)
        out = d.decompress(bytes(v[1:-4])) + d.flush()
        if zlib.crc32(out) != int.from_bytes(v[-4:], "little"):
            sys.exit("apibench: a stored text does not match its CRC")
        return out.decode("utf-8")
    return read


def record_texts(read, title, text, packed):
    """Title and full text of a record row: since schema 12 both are in `texts`, packed as
    "<bytes>:" title "<bytes>:" details, then the text (storage/record_texts.h)."""
    if packed is None:
        return title + "\n" + read(text)
    raw = read(packed).encode("utf-8")
    fields = []
    for _ in range(2):
        colon = raw.index(b":")
        n = int(raw[:colon])
        fields.append(raw[colon + 1:colon + 1 + n])
        raw = raw[colon + 1 + n:]
    return fields[0].decode("utf-8") + "\n" + raw.decode("utf-8")


# ---- cases ------------------------------------------------------------------------------------
def cmd_cases(a):
    scan = a.bytes * 6 // 10
    subprocess.run([sys.executable, MAKE_CASES, "--out", a.out, "--count", str(a.count),
                    "--seed", str(a.seed), "--file-bytes", str(scan)],
                   check=True, stdout=subprocess.DEVNULL)
    rng = random.Random(a.seed * 7919)
    n = 0
    for d in sorted(os.listdir(a.out)):
        cj = os.path.join(a.out, d, "case.json")
        if not os.path.isfile(cj):
            continue
        with open(cj, encoding="utf-8") as f:
            case = json.load(f)
        if any(x["name"] == "附件.pdf" for x in case["files"]):
            continue
        used = sum(os.path.getsize(os.path.join(a.out, d, x["path"])) for x in case["files"])
        with open(os.path.join(a.out, d, "附件.pdf"), "wb") as f:
            # A PDF header: filing checks a file's bytes against its format (DA/T 70).
            f.write(b"%PDF-1.4\n" + rng.randbytes(max(1, a.bytes - used - 9)))
        case["files"].append({"name": "附件.pdf", "path": "附件.pdf"})
        with open(cj, "w", encoding="utf-8") as f:
            json.dump(case, f, ensure_ascii=False, indent=2)
        n += 1
    if n == 0:
        sys.exit("apibench cases: no cases written under " + a.out)


# ---- post -------------------------------------------------------------------------------------
def multipart(case_dir):
    with open(os.path.join(case_dir, "case.json"), "rb") as f:
        case_bytes = f.read()
    case = json.loads(case_bytes)
    boundary = "----danganbench%016x" % random.getrandbits(64)
    out = [("--%s\r\nContent-Disposition: form-data; name=\"case\"\r\n"
            "Content-Type: application/json\r\n\r\n" % boundary).encode(), case_bytes, b"\r\n"]
    for i, entry in enumerate(case["files"]):
        with open(os.path.join(case_dir, entry["path"]), "rb") as f:
            data = f.read()
        out.append(("--%s\r\nContent-Disposition: form-data; name=\"file%d\"; filename=\"%s\"\r\n"
                    "Content-Type: application/octet-stream\r\n\r\n" % (boundary, i, entry["name"]))
                   .encode("utf-8"))
        out += [data, b"\r\n"]
    out.append(("--%s--\r\n" % boundary).encode())
    return b"".join(out), "multipart/form-data; boundary=" + boundary


def pct(values, p):
    v = sorted(values)
    if not v:
        return 0.0
    k = max(1, -(-len(v) * p // 100))  # nearest rank
    return v[min(len(v), int(k)) - 1]


def cmd_post(a):
    u = urllib.parse.urlsplit(a.url)
    queues = [a.cases[i::a.clients] for i in range(a.clients)]
    lat, errors, lock = [], [], threading.Lock()
    start_gate = threading.Barrier(a.clients + 1)

    def client(dirs):
        conn = http.client.HTTPConnection(u.hostname, u.port, timeout=300)
        start_gate.wait()
        for d in dirs:
            t0 = time.perf_counter()
            body, ctype = multipart(d)
            try:
                conn.request("POST", "/api/v1/cases", body=body,
                             headers={"Content-Type": ctype, "Authorization": "Bearer " + a.key})
                resp = conn.getresponse()
                text = resp.read()
                status = resp.status
            except (OSError, http.client.HTTPException) as e:
                conn.close()
                conn = http.client.HTTPConnection(u.hostname, u.port, timeout=300)
                status, text = -1, repr(e).encode()
            dt = time.perf_counter() - t0
            with lock:
                if status == a.expect:
                    lat.append(dt)
                else:
                    errors.append((d, status, text[:400].decode("utf-8", "replace")))
        conn.close()

    threads = [threading.Thread(target=client, args=(q,)) for q in queues]
    for t in threads:
        t.start()
    start_gate.wait()
    t0 = time.perf_counter()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    for d, status, text in errors[:5]:
        print("apibench post: %s -> HTTP %s %s" % (d, status, text), file=sys.stderr)
    ms = [x * 1000 for x in lat]
    print("cases %d wall %.3f rate %.3f p50_ms %.1f p99_ms %.1f max_ms %.1f errors %d"
          % (len(lat), wall, len(lat) / wall if wall else 0, pct(ms, 50), pct(ms, 99),
             max(ms) if ms else 0, len(errors)))
    if errors:
        sys.exit(1)


# ---- wrk scripts ------------------------------------------------------------------------------
LUA_TAIL = r'''
local n = #paths
local i = 0
function init(args)
  i = math.random(n) - 1
end
function request()
  i = i % n + 1
  return wrk.format("GET", paths[i])
end
function done(summary, latency, requests)
  local s = summary.duration / 1e6
  local e = summary.errors
  io.write(string.format(
    "RESULT requests %d duration_s %.2f rps %.1f p50_ms %.2f p90_ms %.2f p99_ms %.2f max_ms %.2f non2xx %d sockerr %d\n",
    summary.requests, s, summary.requests / s, latency:percentile(50) / 1000,
    latency:percentile(90) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    e.status, e.connect + e.read + e.write + e.timeout))
end
'''


def lua_string(s):
    return '"' + "".join(c if 32 <= ord(c) < 127 and c not in '"\\' else "\\%03d" % ord(c)
                         for c in s) + '"'


def write_lua(path, paths, key, seed):
    with open(path, "w", encoding="ascii") as f:
        f.write("-- generated by scripts/bench/api/apibench.py\n")
        f.write("math.randomseed(%d)\n" % seed)
        if key:
            f.write("wrk.headers[\"Authorization\"] = %s\n" % lua_string("Bearer " + key))
        f.write("paths = {\n")
        for p in paths:
            f.write("  %s,\n" % lua_string(p))
        f.write("}\n")
        f.write(LUA_TAIL)


def cmd_lookup_lua(a):
    if a.index:
        paths = [a.prefix + "%d.json" % i for i in range(len(a.refs))]
    else:
        paths = [a.prefix + urllib.parse.quote(r, safe="") for r in a.refs]
    write_lua(a.out, paths, a.key, 1)


def is_han(c):
    return "\u4e00" <= c <= "\u9fff"


def cmd_search_lua(a):
    rng = random.Random(a.seed)
    db = sqlite3.connect("file:%s?mode=ro" % urllib.parse.quote(a.db), uri=True)
    (hi,) = db.execute("SELECT max(id) FROM records").fetchone()
    ids = sorted(rng.sample(range(1, hi + 1), min(hi, a.sample)))
    texts, persons = [], []
    read = stored_text_reader(db)
    for k in range(0, len(ids), 500):
        chunk = ids[k:k + 500]
        q = ",".join("?" * len(chunk))
        texts += [record_texts(read, t, b, p) for t, b, p in db.execute(
            "SELECT title, text, texts FROM records WHERE id IN (%s)" % q, chunk)]
        persons += [p for (p,) in db.execute(
            "SELECT person_id FROM records WHERE id IN (%s) AND person_id IS NOT NULL" % q, chunk)]
    freq = {1: collections.Counter(), 2: collections.Counter(), 4: collections.Counter()}
    for t in texts:
        run = ""
        for c in t + " ":
            if is_han(c):
                run += c
                continue
            for n in freq:
                for j in range(len(run) - n + 1):
                    freq[n][run[j:j + n]] += 1
            run = ""
    named = {1: ["保"], 2: ["养老", "工伤"], 4: ["工伤认定", "养老保险"]}
    cats = {}
    for n, counter in freq.items():
        ranked = [g for g, _ in counter.most_common()]
        want = a.per_category
        out = [g for g in named[n] if g in counter]
        top = ranked[:300]
        rest = ranked[300:]
        half = (want - len(out)) // 2
        for j in range(half):  # spread over the 300 most frequent ...
            g = top[j * len(top) // half] if top else None
            if g and g not in out:
                out.append(g)
        k = 0
        while len(out) < want and (rest or top):  # ... and over the rest (rarer n-grams)
            pool = rest or top
            g = pool[(k * 7919) % len(pool)]
            k += 1
            if g not in out:
                out.append(g)
            if k > 20 * want:
                break
        cats["han%d" % n] = out[:want]
    rng.shuffle(persons)
    cats["id"] = persons[:a.per_category]
    os.makedirs(a.out_dir, exist_ok=True)
    mixed = []
    for name, qs in cats.items():
        paths = ["/api/v1/records?q=" + urllib.parse.quote(q, safe="") for q in qs]
        write_lua(os.path.join(a.out_dir, name + ".lua"), paths, a.key, a.seed)
        mixed += paths
        print("%s: %d queries, e.g. %s" % (name, len(qs), " ".join(qs[:6])))
    rng.shuffle(mixed)
    write_lua(os.path.join(a.out_dir, "mixed.lua"), mixed, a.key, a.seed)
    with open(os.path.join(a.out_dir, "queries.json"), "w", encoding="utf-8") as f:
        json.dump(cats, f, ensure_ascii=False, indent=1)


def cmd_median(a):
    print("%.6g" % statistics.median(a.values))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("cases")
    p.add_argument("--out", required=True)
    p.add_argument("--count", type=int, required=True)
    p.add_argument("--seed", type=int, required=True)
    p.add_argument("--bytes", type=int, default=1 << 20)
    p.set_defaults(fn=cmd_cases)
    p = sub.add_parser("post")
    p.add_argument("--url", required=True)
    p.add_argument("--key", required=True)
    p.add_argument("--clients", type=int, default=1)
    p.add_argument("--expect", type=int, default=201)
    p.add_argument("cases", nargs="+")
    p.set_defaults(fn=cmd_post)
    p = sub.add_parser("lookup-lua")
    p.add_argument("--prefix", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--key", default="")
    p.add_argument("--index", action="store_true")
    p.add_argument("refs", nargs="+")
    p.set_defaults(fn=cmd_lookup_lua)
    p = sub.add_parser("search-lua")
    p.add_argument("--db", required=True)
    p.add_argument("--out-dir", required=True)
    p.add_argument("--key", required=True)
    p.add_argument("--per-category", type=int, default=50)
    p.add_argument("--sample", type=int, default=3000)
    p.add_argument("--seed", type=int, default=1)
    p.set_defaults(fn=cmd_search_lua)
    p = sub.add_parser("median")
    p.add_argument("values", nargs="+", type=float)
    p.set_defaults(fn=cmd_median)
    a = ap.parse_args()
    a.fn(a)


if __name__ == "__main__":
    main()
