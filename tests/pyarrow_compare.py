#!/usr/bin/env python3
"""Checks `s3scope header --json` and `s3scope table --json` on Parquet
files against pyarrow, the reference Parquet reader.

Starts `s3scope demo --serve` over a fresh demo archive, runs `s3scope header
--json` on every Parquet file of the demo through the server and compares it
with `pyarrow.parquet.ParquetFile(...).metadata` of the same bytes (the
archive's blob files): rows, row groups (rows, compressed bytes), every column
chunk's path, codec, min, max and null count, every leaf column's path and
physical type, units and descriptions from the Arrow field metadata, and the
key-value metadata. Every file's rows are then read with `s3scope table
--json --rows 0:` (and a slice of two columns) and compared value by value
with pyarrow's `to_pylist()` by the contract: timestamps as ISO 8601, binary
as base64, NaN as null.

Usage: tests/pyarrow_compare.py path/to/s3scope
Prints one line per file and a closing `pyarrow: N passed, M failed`.
"""

import base64
import datetime
import json
import math
import subprocess
import sys

import pyarrow.parquet as pq

from reference_demo import demo_archive, report


PARQUET_ENDINGS = (".parquet", "_common_metadata", "_metadata")
SKIP_BUCKETS = {"demo-edge"}  # broken on purpose: tests/parquet.rs covers them


def expected(value):
    """A pyarrow value as the JSON contract writes it."""
    if isinstance(value, float):
        return None if math.isnan(value) or math.isinf(value) else value
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(value).decode()
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: expected(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [expected(v) for v in value]
    return value


def notes_of(schema):
    return {f.name: {k.decode(): v.decode() for k, v in (f.metadata or {}).items()} for f in schema}


def common_metadata_key(key):
    """The dataset root's `_common_metadata` for a file inside `key=value/` directories (s3scope's rule)."""
    parts = key.split("/")
    if parts[-1].startswith("_"):
        return None
    dirs = parts[:-1]
    climbed = False
    while dirs and "=" in dirs[-1]:
        dirs.pop()
        climbed = True
    return "/".join(dirs + ["_common_metadata"]) if climbed else None


def compare_header(path, ours, common=None):
    """`common`: the dataset's `_common_metadata` file, whose notes count where the file has none."""
    problems = []
    md = pq.ParquetFile(path).metadata
    arrow = pq.read_schema(path)
    notes = notes_of(arrow)
    if common is not None and not any(n.get("unit") or n.get("description") for n in notes.values()):
        notes = notes_of(pq.read_schema(common))
    if ours["rows"] != md.num_rows:
        problems.append(f"rows {ours['rows']} != {md.num_rows}")
    if ours["created_by"] != md.created_by:
        problems.append(f"created_by {ours['created_by']!r} != {md.created_by!r}")
    if len(ours["row_groups"]) != md.num_row_groups:
        return problems + [f"{len(ours['row_groups'])} row groups != {md.num_row_groups}"]
    for g in range(md.num_row_groups):
        rg, mine = md.row_group(g), ours["row_groups"][g]
        if mine["rows"] != rg.num_rows:
            problems.append(f"row group {g}: rows {mine['rows']} != {rg.num_rows}")
        compressed = sum(rg.column(c).total_compressed_size for c in range(rg.num_columns))
        if mine["bytes"] != compressed:
            problems.append(f"row group {g}: bytes {mine['bytes']} != {compressed}")
        for c in range(rg.num_columns):
            chunk, col = rg.column(c), mine["columns"][c]
            where = f"row group {g} column {chunk.path_in_schema}"
            if col["name"] != chunk.path_in_schema:
                problems.append(f"{where}: name {col['name']!r}")
            if col["compression"] != chunk.compression:
                problems.append(f"{where}: compression {col['compression']} != {chunk.compression}")
            stats = chunk.statistics
            if stats is not None and stats.has_min_max:
                for key, theirs in (("min", stats.min), ("max", stats.max)):
                    if col[key] != expected(theirs):
                        problems.append(f"{where}: {key} {col[key]!r} != {expected(theirs)!r}")
            if stats is not None and stats.has_null_count and col["nulls"] != stats.null_count:
                problems.append(f"{where}: nulls {col['nulls']} != {stats.null_count}")
    if len(ours["columns"]) != md.num_columns:
        return problems + [f"{len(ours['columns'])} columns != {md.num_columns}"]
    for i in range(md.num_columns):
        leaf, col = md.schema.column(i), ours["columns"][i]
        if col["name"] != leaf.path or col["physical"] != leaf.physical_type:
            problems.append(f"column {i}: {col['name']} {col['physical']} != {leaf.path} {leaf.physical_type}")
        field = arrow.field(leaf.path.split(".")[0])
        meta = notes.get(field.name, {})
        if "." not in leaf.path:
            if col["unit"] != meta.get("unit") or col["description"] != meta.get("description"):
                problems.append(f"column {leaf.path}: unit/description {col['unit']!r}/{col['description']!r} "
                                f"!= {meta.get('unit')!r}/{meta.get('description')!r}")
            if col["nullable"] != field.nullable:
                problems.append(f"column {leaf.path}: nullable {col['nullable']} != {field.nullable}")
    theirs = {k.decode(): v.decode() for k, v in (md.metadata or {}).items() if k != b"ARROW:schema"}
    if ours["metadata"] != theirs:
        problems.append(f"metadata {ours['metadata']} != {theirs}")
    return problems


def compare_rows(path, lines, columns=None, start=0):
    table = pq.read_table(path, columns=columns)
    first, rows = lines[0], lines[1:]
    names = [c["name"] for c in first["columns"]]
    if names != table.column_names:
        return [f"columns {names} != {table.column_names}"]
    theirs = table.slice(start, len(rows)).to_pylist()
    if len(rows) != len(theirs):
        return [f"{len(rows)} rows != {len(theirs)}"]
    problems = []
    for r, (mine, row) in enumerate(zip(rows, theirs)):
        for name, value in zip(names, mine):
            if value != expected(row[name]):
                problems.append(f"row {start + r} {name}: {value!r} != {expected(row[name])!r}")
    return problems


def main():
    binary = sys.argv[1]
    passed = failed = rows_compared = 0
    with demo_archive(binary) as (endpoint, objects, env):
        s3scope = [binary, "--endpoint-url", endpoint, "--no-sign-request"]
        files = sorted((b, k) for (b, k) in objects if k.endswith(PARQUET_ENDINGS) and b not in SKIP_BUCKETS)
        for bucket, key in files:
            uri, path = f"s3://{bucket}/{key}", objects[(bucket, key)]
            run = subprocess.run(s3scope + ["header", "--json", uri], capture_output=True, text=True, env=env)
            if run.returncode != 0:
                problems = [f"s3scope header failed: {run.stderr.strip()}"]
            else:
                common = objects.get((bucket, common_metadata_key(key)))
                problems = compare_header(path, json.loads(run.stdout), common)
            md = pq.ParquetFile(path).metadata
            if any(md.row_group(g).column(0).file_path for g in range(md.num_row_groups)):
                # A dataset's _metadata: its rows live in the other files, and s3scope says so.
                run = subprocess.run(s3scope + ["table", uri], capture_output=True, text=True, env=env)
                if run.returncode != 2 or "other files" not in run.stderr:
                    problems.append(f"table on a _metadata file: {run.returncode} {run.stderr.strip()}")
                run = None
            else:
                run = subprocess.run(s3scope + ["table", "--json", "--rows", "0:", uri],
                                     capture_output=True, text=True, env=env)
            if run is None:
                pass
            elif run.returncode != 0:
                problems.append(f"s3scope table failed: {run.stderr.strip()}")
            else:
                lines = [json.loads(line) for line in run.stdout.splitlines()]
                problems += compare_rows(path, lines)
                rows_compared += len(lines) - 1
                # Two columns from the middle, in the file's order reversed.
                names = [c["name"] for c in lines[0]["columns"]][:2][::-1]
                total = lines[0]["rows"]
                if names and total > 10:
                    start = total // 2 - 3
                    run = subprocess.run(s3scope + ["table", "--json", "--rows", f"{start}:{start + 7}",
                                                    "--columns", ",".join(names), uri],
                                         capture_output=True, text=True, env=env)
                    part = [json.loads(line) for line in run.stdout.splitlines()]
                    problems += compare_rows(path, part, columns=names, start=start) if part else ["slice failed"]
            if report(uri, problems):
                passed += 1
            else:
                failed += 1
    print(f"pyarrow: {passed} passed, {failed} failed; {rows_compared} rows compared")
    sys.exit(1 if failed or not passed or not rows_compared else 0)


if __name__ == "__main__":
    main()
