#!/usr/bin/env python3
"""Checks `s3scope header --json` against astropy, the reference FITS reader.

Starts `s3scope demo --serve` over a fresh demo archive, runs `s3scope header
--json` on every FITS fixture through the server, opens the same bytes (the
archive's blob files) with astropy, and compares HDU by HDU: offsets from
`HDUList.fileinfo`, and every card's keyword, value and comment.

Usage: tests/astropy_compare.py path/to/s3scope
Prints one line per file and a closing `astropy: N passed, M failed`.
"""

import json
import math
import os
import subprocess
import sys
import tempfile
import warnings
from pathlib import Path

from astropy.io import fits
from astropy.io.fits.card import Undefined
from astropy.utils.exceptions import AstropyWarning

# Fixtures: every file whose name says FITS, in these prefixes.
PREFIXES = [
    ("stpubdata", "hst/public/icde/"),
    ("stpubdata", "tess/public/mast/"),
    ("stpubdata", "tess/public/tid/"),
    ("stpubdata", "kepler/"),
    ("nasa-heasarc", "chandra/data/byobsid/3/"),
    ("nasa-heasarc", "swift/data/obs/2005_01/"),
    ("nasa-heasarc", "xrism/"),
    ("nasa-irsa-euclid-q1", "q1/"),
    ("nasa-lambda", "data/"),
    ("demo-edge", "unicode/"),
    ("demo-edge", "files/odd-header"),
]
FITS_ENDINGS = (".fits", ".fits.gz", ".evt.gz", ".img.gz")


def load_manifest(root):
    objects = {}
    for line in (root / "manifest.ndjson").read_text().splitlines():
        entry = json.loads(line)
        if entry["kind"] == "object":
            objects[(entry["bucket"], entry["key"])] = root / entry["blob"]
    return objects


def same_value(ours, theirs):
    if isinstance(theirs, Undefined):
        return ours is None
    if isinstance(theirs, bool):
        return ours is theirs
    if isinstance(theirs, complex):
        return isinstance(ours, dict) and math.isclose(ours["re"], theirs.real) and math.isclose(ours["im"], theirs.imag)
    if isinstance(theirs, float):
        # A real in the JSON text too (astropy's record-valued cards are reals, integers included).
        return isinstance(ours, float) and math.isclose(ours, theirs, rel_tol=1e-12, abs_tol=0.0)
    if isinstance(theirs, int):
        # Exact, however many digits: an integer in the JSON text, not a real.
        return isinstance(ours, int) and not isinstance(ours, bool) and ours == theirs
    return ours == str(theirs)


# Cards of the conventions that are easy to lose, counted over every file
# compared: the run fails if none was seen.
COVERED = {"record-valued": 0, "beyond 64 bits": 0}


def count_covered(card):
    if card.field_specifier:
        COVERED["record-valued"] += 1
    if isinstance(card.value, int) and not isinstance(card.value, bool) and not -2**63 <= card.value < 2**63:
        COVERED["beyond 64 bits"] += 1


def compare(path, ours):
    problems = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", AstropyWarning)
        with fits.open(path, disable_image_compression=True, lazy_load_hdus=False) as hdul:
            if len(hdul) != len(ours["hdus"]):
                return [f"{len(ours['hdus'])} HDUs, astropy finds {len(hdul)}"]
            for index, (hdu, mine) in enumerate(zip(hdul, ours["hdus"])):
                info = hdul.fileinfo(index)
                padded = -(-mine["data_size"] // 2880) * 2880
                if (mine["header_start"], mine["data_start"]) != (info["hdrLoc"], info["datLoc"]):
                    problems.append(f"HDU {index}: offsets {mine['header_start']}/{mine['data_start']}, astropy {info['hdrLoc']}/{info['datLoc']}")
                if padded != info["datSpan"]:
                    problems.append(f"HDU {index}: data span {padded}, astropy {info['datSpan']}")
                cards = [c for c in hdu.header.cards if c.keyword != "END"]
                if len(cards) != len(mine["cards"]):
                    problems.append(f"HDU {index}: {len(mine['cards'])} cards, astropy {len(cards)}")
                    continue
                for card, got in zip(cards, mine["cards"]):
                    count_covered(card)
                    if card.keyword != got["keyword"]:
                        problems.append(f"HDU {index}: keyword {got['keyword']!r}, astropy {card.keyword!r}")
                    elif not same_value(got["value"], card.value):
                        problems.append(f"HDU {index} {card.keyword}: value {got['value']!r}, astropy {card.value!r}")
                    elif (got["comment"] or "") != card.comment:
                        problems.append(f"HDU {index} {card.keyword}: comment {got['comment']!r}, astropy {card.comment!r}")
    return problems


def main():
    binary = sys.argv[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env["AWS_EC2_METADATA_DISABLED"] = "true"
    with tempfile.TemporaryDirectory() as tmp:
        archive = Path(tmp) / "archive"
        server = subprocess.Popen([binary, "demo", "--serve", "--port", "0", "--archive-dir", str(archive)],
                                  stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env)
        try:
            endpoint = server.stdout.readline().strip()
            objects = load_manifest(archive)
            passed = failed = 0
            for bucket, prefix in PREFIXES:
                keys = sorted(k for (b, k) in objects if b == bucket and k.startswith(prefix) and k.endswith(FITS_ENDINGS))
                for key in keys[:12]:
                    uri = f"s3://{bucket}/{key}"
                    run = subprocess.run([binary, "--endpoint-url", endpoint, "--no-sign-request", "header", "--json", uri],
                                         capture_output=True, text=True, env=env)
                    if run.returncode != 0:
                        problems = [f"s3scope failed: {run.stderr.strip()}"]
                    else:
                        problems = compare(objects[(bucket, key)], json.loads(run.stdout))
                    if problems:
                        failed += 1
                        print(f"FAIL {uri}")
                        for problem in problems[:10]:
                            print(f"     {problem}")
                    else:
                        passed += 1
                        print(f"ok   {uri}")
        finally:
            server.terminate()
            server.wait()
    missing = [name for name, count in COVERED.items() if count == 0]
    print(f"astropy: {passed} passed, {failed} failed; cards compared: "
          + ", ".join(f"{count} {name}" for name, count in COVERED.items()))
    if missing:
        print(f"astropy: no {' or '.join(missing)} card was compared")
    sys.exit(1 if failed or not passed or missing else 0)


if __name__ == "__main__":
    main()
