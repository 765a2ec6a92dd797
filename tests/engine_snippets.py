#!/usr/bin/env python3
"""Checks the copy menu's engine snippets (lsdb, pyarrow, DuckDB), written by
tests/engine_snippets.rs into a JSON file of cases.

Every Python snippet must parse (`ast.parse`); every SQL snippet must parse
with sqlglot's DuckDB dialect and select from `read_parquet`. The pyarrow
snippets marked `run` are executed against the demo S3 server: a snippet made
for AWS (no endpoint in it) gets the server as `endpoint_override` and
`scheme="http"` from a wrapped `pyarrow.fs.S3FileSystem`, here only; then
the dataset it opened must hold the expected rows and columns.

Usage: tests/engine_snippets.py CASES.json ENDPOINT
Prints one line per snippet and `snippets: N passed, M failed`.
"""

import ast
import contextlib
import io
import json
import sys

import pyarrow.fs
import sqlglot
from sqlglot import exp


def check_python(case, endpoint):
    ast.parse(case["text"])
    if not case.get("run"):
        return "parsed"
    original = pyarrow.fs.S3FileSystem

    def local(*args, **kwargs):
        if case.get("patch_endpoint"):
            assert "endpoint_override" not in kwargs, "an AWS snippet names no endpoint"
            scheme, host = endpoint.split("://", 1)
            kwargs.update(endpoint_override=host.rstrip("/"), scheme=scheme)
        return original(*args, **kwargs)

    pyarrow.fs.S3FileSystem = local
    namespace = {}
    try:
        with contextlib.redirect_stdout(io.StringIO()) as out:
            exec(compile(case["text"], case["name"], "exec"), namespace)
    finally:
        pyarrow.fs.S3FileSystem = original
    dataset = namespace["dataset"]
    rows = dataset.count_rows()
    assert rows == case["rows"], f"{rows} rows, expected {case['rows']}"
    names = set(dataset.schema.names)
    missing = [c for c in case["columns"] if c not in names]
    assert not missing, f"columns {missing} missing from {sorted(names)}"
    assert out.getvalue().strip(), "the snippet prints what it read"
    return f"ran: {rows} rows, {len(names)} columns"


def check_sql(case):
    statements = [s for s in sqlglot.parse(case["text"], read="duckdb") if s is not None]
    selects = [s for s in statements if isinstance(s, exp.Select)]
    assert len(selects) == 1, f"one SELECT, got {[type(s).__name__ for s in statements]}"
    sql = selects[0].sql(dialect="duckdb").lower()
    assert "read_parquet(" in sql and "limit 10" in sql, sql
    assert case["glob"].lower() in sql, f"{case['glob']} not in {sql}"
    sets = [s for s in statements if isinstance(s, exp.Set)]
    assert any("s3_region" in s.sql().lower() for s in sets), "SET s3_region"
    return f"parsed {len(statements)} statements"


def main():
    cases = json.loads(open(sys.argv[1]).read())
    endpoint = sys.argv[2]
    passed = failed = 0
    for case in cases:
        try:
            if case["kind"] == "python":
                what = check_python(case, endpoint)
            else:
                what = check_sql(case)
            print(f"ok   {case['name']}: {what}")
            passed += 1
        except Exception as error:  # report every failure, then fail
            print(f"FAIL {case['name']}: {type(error).__name__}: {error}")
            print(case["text"])
            failed += 1
    print(f"snippets: {passed} passed, {failed} failed")
    sys.exit(1 if failed or not passed else 0)


if __name__ == "__main__":
    main()
