#!/usr/bin/env python3
"""Checks the ASDF trees of `s3scope header --json` against the Python `asdf`
package, the reference reader.

Starts `s3scope demo --serve` over a fresh demo archive, runs `s3scope header
--json` on the demo's ASDF files (and the JWST cube whose FITS `ASDF`
extension holds a tree), opens the same bytes with `asdf.open(...,
_force_raw_types=True)` (tags kept, nothing converted) and compares the
trees node by node: a tagged node is `{"tag", "value"}` as in our JSON; NaN
and infinities as our strings. Block offsets are compared with asdf's own
block reader (private API: skipped when it is not there).

Usage: tests/asdf_compare.py path/to/s3scope
Prints one line per file and a closing `asdf: N passed, M failed`.
"""

import io
import json
import math
import subprocess
import sys
import warnings

import asdf
from asdf.tagged import Tagged

from reference_demo import demo_archive, report


FILES = [
    ("stpubdata", "roman/wfi/r0000101001001001001/r0000101001001001001_01101_0001_WFI01_cal.asdf"),
    ("demo-edge", "formats/roman-like.asdf"),
]
JWST = ("stpubdata", "jwst/public/jw02736/jw02736-o007_t001_nirspec_g395h-f290lp/"
        "jw02736-o007_t001_nirspec_g395h-f290lp_s3d.fits")


def raw(node):
    """A raw asdf node as our JSON writes it."""
    if isinstance(node, Tagged):
        tag = node._tag
        if isinstance(node, dict):
            value = {k: raw(v) for k, v in node.items()}
        elif isinstance(node, list):
            value = [raw(v) for v in node]
        else:
            value = raw(str(node) if isinstance(node, str) else node.data if hasattr(node, "data") else node)
        return {"tag": tag, "value": value}
    if isinstance(node, dict):
        return {str(k): raw(v) for k, v in node.items()}
    if isinstance(node, (list, tuple)):
        return [raw(v) for v in node]
    if isinstance(node, float) and not math.isfinite(node):
        return "nan" if math.isnan(node) else ("inf" if node > 0 else "-inf")
    if hasattr(node, "isoformat"):
        return node.isoformat()
    return node


def differences(ours, theirs, path="tree"):
    if isinstance(theirs, dict) and isinstance(ours, dict):
        out = []
        if list(ours) != list(theirs):
            out.append(f"{path}: keys {list(ours)} != {list(theirs)}")
        for key in theirs:
            if key in ours:
                out += differences(ours[key], theirs[key], f"{path}.{key}")
        return out
    if isinstance(theirs, list) and isinstance(ours, list):
        if len(ours) != len(theirs):
            return [f"{path}: {len(ours)} items != {len(theirs)}"]
        return [d for i, (a, b) in enumerate(zip(ours, theirs)) for d in differences(a, b, f"{path}[{i}]")]
    if isinstance(theirs, float) and isinstance(ours, (int, float)) and not isinstance(ours, bool):
        return [] if ours == theirs else [f"{path}: {ours!r} != {theirs!r}"]
    if type(ours) is not type(theirs) or ours != theirs:
        return [f"{path}: {ours!r} != {theirs!r}"]
    return []


def open_raw(data):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with asdf.open(io.BytesIO(data), _force_raw_types=True, lazy_load=False, memmap=False) as af:
            tree = raw(dict(af.tree))
            # asdf's read blocks know where their header starts, just past the 4-byte magic;
            # the block index (and our JSON) name where the magic starts.
            blocks = [b.offset - 4 for b in af._blocks.blocks] if hasattr(af, "_blocks") else None
            return tree, blocks


def main():
    binary = sys.argv[1]
    passed = failed = 0
    with demo_archive(binary) as (endpoint, objects, env):
        for bucket, key in FILES + [JWST]:
            uri = f"s3://{bucket}/{key}"
            run = subprocess.run([binary, "--endpoint-url", endpoint, "--no-sign-request", "header", "--json", uri],
                                 capture_output=True, text=True, env=env)
            problems = []
            if run.returncode != 0:
                problems = [f"s3scope failed: {run.stderr.strip()}"]
            else:
                header = json.loads(run.stdout)
                data = objects[(bucket, key)].read_bytes()
                if (bucket, key) == JWST:
                    from astropy.io import fits
                    with fits.open(io.BytesIO(data)) as hdus:
                        data = hdus["ASDF"].data[0][0].tobytes()
                    ours = next(h["asdf"] for h in header["hdus"] if h["name"] == "ASDF")
                    blocks = None
                else:
                    ours = header
                    blocks = [b["offset"] for b in header["blocks"]]
                theirs, their_blocks = open_raw(data)
                # Our root is the tagged document; asdf hands the mapping under it.
                problems += differences(ours["tree"]["value"], theirs)
                if blocks is not None and their_blocks is not None and blocks != their_blocks:
                    problems.append(f"blocks {blocks} != {their_blocks}")
            if report(uri, problems):
                passed += 1
            else:
                failed += 1
    print(f"asdf: {passed} passed, {failed} failed")
    sys.exit(1 if failed or not passed else 0)


if __name__ == "__main__":
    main()
