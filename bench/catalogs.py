#!/usr/bin/env python3
"""Parquet and HATS benchmarks: s3scope against pyarrow + s3fs doing the same.

Starts the bench server (bench/run.py's) behind a 30 ms latency proxy and
measures, each the median of several runs, with requests and bytes counted
by the proxy:

  1. the footer of a 2-million-row, ~100 MB Parquet file in two row groups
     of pyarrow's default 1 Mi rows (rows, row groups,
     schema, statistics): `s3scope header --json` against
     `pq.ParquetFile(s3fs.open(...)).metadata`;
  2. the first 20 rows of two columns of it: `s3scope table --json --rows
     0:20 --columns ra,dec` against `ParquetFile.iter_batches(batch_size=20,
     columns=[...])` (the first batch), checking both give the same values;
  3. the same, for rows 1,500,000:1,500,020 (`read_row_group` + slice);
  4. the summary of a HATS catalog (name, rows, orders, partitions, columns
     with units): `s3scope header --json PREFIX` against reading
     `hats.properties`, `partition_info.csv` and the schema of
     `dataset/_common_metadata` with s3fs and pyarrow.

Prints a Markdown table; writes bench/out/catalogs.json.

Usage: bench/catalogs.py [--rtt-ms 30] [--runs 5] [--no-build]
"""

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

from run import ROOT, VENV, ensure_venv, log, peer_env, timed

CATALOG = "s3://bench-fits/catalogs/neowise-like-2M.parquet"
HATS = "s3://nasa-irsa-euclid-q1/contributed/q1/merged_objects/hats/euclid_q1_merged_objects/"

PEER = r"""
import json, sys, time
import pyarrow.parquet as pq
import s3fs
mode, uri, endpoint = sys.argv[1:4]
fs = s3fs.S3FileSystem(anon=True, client_kwargs={"endpoint_url": endpoint, "region_name": "us-east-1"})
path = uri[len("s3://"):]
start = time.perf_counter()
out = None
if mode == "footer":
    with fs.open(path) as f:
        md = pq.ParquetFile(f).metadata
        out = {"rows": md.num_rows, "row_groups": md.num_row_groups, "columns": md.num_columns}
elif mode == "first":
    with fs.open(path) as f:
        batch = next(pq.ParquetFile(f).iter_batches(batch_size=20, columns=["ra", "dec"]))
        out = [list(r.values()) for r in batch.to_pylist()]
elif mode == "middle":
    with fs.open(path) as f:
        pf = pq.ParquetFile(f)
        table = pf.read_row_group(1, columns=["ra", "dec"]).slice(1_500_000 - pf.metadata.row_group(0).num_rows, 20)
        out = [list(r.values()) for r in table.to_pylist()]
elif mode == "hats":
    properties = dict(line.split("=", 1) for line in fs.cat(path + "hats.properties").decode().splitlines()
                      if "=" in line and not line.startswith("#"))
    partitions = fs.cat(path + "partition_info.csv").decode().splitlines()[1:]
    schema = pq.read_schema(fs.open(path + "dataset/_common_metadata"))
    units = {f.name: (f.metadata or {}).get(b"unit") for f in schema}
    out = {"rows": properties.get("hats_nrows"), "partitions": len(partitions), "columns": len(units)}
print(json.dumps({"seconds": time.perf_counter() - start, "out": out}))
"""

CASES = [
    ("footer of a 2-million-row Parquet file (~100 MB, 2 row groups)", "footer", CATALOG, ["header", "--json"]),
    ("rows 0:20 of `ra,dec`", "first", CATALOG, ["table", "--json", "--rows", "0:20", "--columns", "ra,dec"]),
    ("rows 1,500,000:1,500,020 of `ra,dec`", "middle", CATALOG,
     ["table", "--json", "--rows", "1500000:1500020", "--columns", "ra,dec"]),
    ("HATS catalog summary (properties, partitions, columns)", "hats", HATS, ["header", "--json"]),
]


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
    python = bin_dir / "python"
    if subprocess.run([str(python), "-c", "import pyarrow"], capture_output=True).returncode != 0:
        log(f"installing pyarrow into {VENV}")
        subprocess.run([str(bin_dir / "pip"), "install", "-q", "pyarrow==26.0.1"], check=True)

    server = subprocess.Popen([str(bench_server), "--rtt-ms", str(args.rtt_ms)], stdout=subprocess.PIPE, text=True)
    rows = []
    try:
        endpoints = dict(part.split("=", 1) for part in server.stdout.readline().split())
        proxy, env = endpoints["proxy"], peer_env()
        for label, mode, uri, command in CASES:
            ours_cmd = [str(s3scope), "--endpoint-url", proxy, "--no-sign-request", *command, uri]
            ours = [timed(ours_cmd, env, proxy) for _ in range(args.runs)]
            theirs = [timed([str(python), "-c", PEER, mode, uri, proxy], env, proxy) for _ in range(args.runs)]
            lines = ours[0][1].splitlines()
            doc = json.loads(lines[0])
            peer = json.loads(theirs[0][1])["out"]
            if mode in ("first", "middle"):
                values = [json.loads(line) for line in lines[1:]]
                if values != peer:
                    raise RuntimeError(f"{label}: s3scope {values[:2]} … differs from pyarrow {peer[:2]} …")
            elif mode == "footer" and (doc["rows"], len(doc["row_groups"])) != (peer["rows"], peer["row_groups"]):
                raise RuntimeError(f"{label}: s3scope {doc['rows']} rows, pyarrow {peer}")
            elif mode == "hats" and (doc["rows"], doc["partitions"]) != (int(peer["rows"]), peer["partitions"]):
                raise RuntimeError(f"{label}: s3scope {doc['rows']} rows {doc['partitions']} partitions, pyarrow {peer}")
            row = {
                "case": label,
                "s3scope_s": statistics.median(r[0] for r in ours),
                "s3scope_requests": ours[0][2],
                "s3scope_bytes": ours[0][3],
                "peer_s": statistics.median(json.loads(r[1])["seconds"] for r in theirs),
                "peer_total_s": statistics.median(r[0] for r in theirs),
                "peer_requests": theirs[0][2],
                "peer_bytes": theirs[0][3],
            }
            log(f"  {label}: s3scope {row['s3scope_s'] * 1000:.0f} ms {row['s3scope_requests']} req "
                f"{row['s3scope_bytes']:,} B; pyarrow+s3fs {row['peer_s'] * 1000:.0f} ms {row['peer_requests']} req "
                f"{row['peer_bytes']:,} B")
            rows.append(row)
    finally:
        server.terminate()
        server.wait()
    out = ROOT / "bench" / "out"
    out.mkdir(exist_ok=True)
    (out / "catalogs.json").write_text(json.dumps({"rtt_ms": args.rtt_ms, "runs": args.runs, "cases": rows}, indent=2))
    print(f"\nRound trip added by the proxy: {args.rtt_ms} ms; median of {args.runs} runs; values checked equal.\n")
    print("| case | s3scope requests | s3scope bytes | s3scope time (whole process) | pyarrow+s3fs requests | "
          "pyarrow+s3fs bytes | pyarrow+s3fs time (in Python / whole process) | fewer bytes | faster (in Python) |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(f"| {r['case']} | {r['s3scope_requests']} | {r['s3scope_bytes']:,} | {r['s3scope_s'] * 1000:.0f} ms | "
              f"{r['peer_requests']} | {r['peer_bytes']:,} | {r['peer_s'] * 1000:.0f} / {r['peer_total_s'] * 1000:.0f} ms"
              f" | {r['peer_bytes'] / max(r['s3scope_bytes'], 1):.1f}x | {r['peer_s'] / r['s3scope_s']:.1f}x |")


if __name__ == "__main__":
    sys.exit(main())
