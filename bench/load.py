#!/usr/bin/env python3
"""Load benchmark: a prefix of 1,000,000 objects (synthetic, in memory).

- `s3scope ls --recursive` over 10k, 100k and 1M keys: peak RSS must stay
  flat (the listing streams page by page).
- The explorer opened on the 1M-key prefix: peak RSS with the default row
  bound (5,000 rows, then "load more" three times), against the same with
  the bound lifted (every row loaded).

Runs the release build against `bench-server --million` on loopback (no
latency proxy: this measures memory, not round trips). Prints a Markdown
table for BENCHMARKS.md and writes bench/out/load.json.
"""

import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def log(*args):
    print(*args, file=sys.stderr, flush=True)


def peak_rss_of_command(cmd):
    """(seconds, peak RSS KiB, lines of output) of a command under GNU time."""
    start = time.perf_counter()
    run = subprocess.run(["/usr/bin/time", "-f", "%M", *cmd], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    seconds = time.perf_counter() - start
    if run.returncode != 0:
        raise RuntimeError(run.stderr.decode()[-500:])
    lines = run.stdout.count(b"\n")
    return seconds, int(run.stderr.decode().strip().splitlines()[-1]), lines


class Tmux:
    def __init__(self, command, width=160, height=48):
        self.socket = f"s3scope-load-{time.time_ns()}"
        self.tmux("new-session", "-d", "-s", "main", "-x", str(width), "-y", str(height), command)

    def tmux(self, *args):
        return subprocess.run(["tmux", "-L", self.socket, "-f", "/dev/null", *args], capture_output=True, text=True,
                              env={"LANG": "C.UTF-8", "TERM": "xterm-256color", "PATH": "/usr/bin:/bin"})

    def screen(self):
        return self.tmux("capture-pane", "-p", "-t", "main").stdout

    def wait(self, needle, timeout=120):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if needle in self.screen():
                return
            time.sleep(0.1)
        raise RuntimeError(f"{needle!r} did not appear:\n{self.screen()}")

    def keys(self, *keys):
        self.tmux("send-keys", "-t", "main", *keys)

    def pid(self):
        shell = self.tmux("list-panes", "-t", "main", "-F", "#{pane_pid}").stdout.strip()
        children = subprocess.run(["pgrep", "-P", shell], capture_output=True, text=True).stdout.split()
        return int(children[0]) if children else int(shell)

    def close(self):
        self.tmux("kill-server")


def peak_rss_kib(pid):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def explorer(s3scope, endpoint, bound, loads):
    """Opens the 1M prefix; loads `loads` more batches; returns (rows, peak RSS KiB, seconds)."""
    args = f"--endpoint-url {endpoint} --no-sign-request --log-level off"
    if bound:
        args += f" --rows-per-prefix {bound}"
    session = Tmux(f"exec {s3scope} {args} s3://bench-million/flat/")
    try:
        start = time.perf_counter()
        session.wait("tess2019199-s0014-0000000")
        rows = bound or 5000
        if bound and bound >= 1_000_000:
            session.wait("1000000", timeout=300)
        else:
            for n in range(loads):
                session.wait("more on the server")
                session.keys("G")
                time.sleep(0.2)
                session.keys("Enter")
                session.wait(f"{rows * (n + 2)}+", timeout=120)
            rows = rows * (loads + 1)
        seconds = time.perf_counter() - start
        pid = session.pid()
        rss = peak_rss_kib(pid)
        session.keys("q")
        return rows, rss, seconds
    finally:
        session.close()


def main():
    subprocess.run(["cargo", "build", "--release", "--bin", "s3scope", "--example", "bench-server"], cwd=ROOT,
                   check=True)
    s3scope = ROOT / "target" / "release" / "s3scope"
    server = subprocess.Popen([str(ROOT / "target" / "release" / "examples" / "bench-server"), "--million"],
                              stdout=subprocess.PIPE, text=True)
    try:
        endpoint = dict(p.split("=", 1) for p in server.stdout.readline().split())["direct"]
        log(f"bench server {endpoint}")
        listing = []
        for prefix, keys in [("flat-10k", 10_000), ("flat-100k", 100_000), ("flat", 1_000_000)]:
            cmd = [str(s3scope), "--endpoint-url", endpoint, "--no-sign-request", "--log-level", "off", "ls",
                   "--recursive", f"s3://bench-million/{prefix}/"]
            seconds, rss, lines = peak_rss_of_command(cmd)
            assert lines == keys, f"{lines} lines for {keys} keys"
            log(f"  ls --recursive {keys:>9,} keys: {seconds:.1f} s, peak RSS {rss / 1024:.1f} MiB")
            listing.append({"keys": keys, "seconds": seconds, "peak_rss_mib": rss / 1024})
        tui = []
        for label, bound, loads in [("row bound 5,000, loaded 4 times", None, 3),
                                    ("bound lifted: all 1,000,000 rows", 1_000_000, 0)]:
            rows, rss, seconds = explorer(s3scope, endpoint, bound, loads)
            log(f"  explorer, {label}: {rows:,} rows, peak RSS {rss / 1024:.1f} MiB ({seconds:.1f} s)")
            tui.append({"case": label, "rows": rows, "peak_rss_mib": rss / 1024, "seconds": seconds})
    finally:
        server.terminate()
        server.wait()
    out = ROOT / "bench" / "out"
    out.mkdir(exist_ok=True)
    (out / "load.json").write_text(json.dumps({"listing": listing, "explorer": tui}, indent=2))
    print("| `ls --recursive` of a flat prefix | keys | time | peak RSS |")
    print("|---|---:|---:|---:|")
    for row in listing:
        print(f"| bench-million | {row['keys']:,} | {row['seconds']:.1f} s | {row['peak_rss_mib']:.1f} MiB |")
    print("\n| explorer on the 1,000,000-key prefix | rows loaded | peak RSS |")
    print("|---|---:|---:|")
    for row in tui:
        print(f"| {row['case']} | {row['rows']:,} | {row['peak_rss_mib']:.1f} MiB |")


if __name__ == "__main__":
    main()
