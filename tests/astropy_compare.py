#!/usr/bin/env python3
"""Checks `s3scope header --json` and `s3scope table --json` against astropy,
the reference FITS reader.

Starts `s3scope demo --serve` over a fresh demo archive, runs `s3scope header
--json` on every FITS fixture through the server, opens the same bytes (the
archive's blob files) with astropy, and compares HDU by HDU: offsets from
`HDUList.fileinfo`, and every card's keyword, value and comment. Every table
HDU is then read with `s3scope table --json --rows 0:` and compared value by
value with astropy's `hdu.data` by the contract of `table --json` (TNULL,
undefined logicals, blank ASCII fields and non-finite floats are null; `E`
columns compared as float32).

Usage: tests/astropy_compare.py path/to/s3scope
Prints one line per file and a closing `astropy: N passed, M failed`.
"""

import json
import math
import subprocess
import sys
import warnings

import numpy as np
from astropy.io import fits
from astropy.io.fits.card import Undefined
from astropy.utils.exceptions import AstropyWarning

from reference_demo import demo_archive, report


# Fixtures: every file whose name says FITS, in these prefixes.
PREFIXES = [
    ("stpubdata", "hst/public/icde/"),
    ("stpubdata", "tess/public/mast/"),
    ("stpubdata", "tess/public/tid/"),
    ("stpubdata", "kepler/"),
    ("nasa-heasarc", "chandra/data/byobsid/3/"),
    ("nasa-heasarc", "swift/data/obs/2005_01/"),
    ("nasa-heasarc", "xrism/"),
    ("nasa-irsa-euclid-q1", "q1/VIS/"),
    ("nasa-irsa-euclid-q1", "q1/NIR/"),
    ("nasa-irsa-euclid-q1", "q1/compressed/"),
    ("nasa-lambda", "data/"),
    ("demo-edge", "unicode/"),
    ("demo-edge", "files/odd-header"),
    ("demo-edge", "tables/every-type"),
    ("nasa-heasarc", "caldb/"),
    ("stpubdata", "jwst/"),
]
FITS_ENDINGS = (".fits", ".fits.gz", ".evt.gz", ".img.gz", ".rmf")


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


def expected_cell(value, single):
    """astropy's value as the contract writes it: lists, None for non-finite floats."""
    if isinstance(value, np.ndarray):
        return [expected_cell(v, single) for v in value]
    if isinstance(value, (bytes, np.bytes_)):
        return value.decode("utf-8", "replace").rstrip()
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (complex, np.complexfloating)):
        return [expected_cell(value.real, single), expected_cell(value.imag, single)]
    if isinstance(value, (float, np.floating)):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, str):
        return value.rstrip()
    if hasattr(value, "tolist"):
        return expected_cell(np.asarray(value), single)
    return value


def same_cell(ours, theirs, single):
    if isinstance(theirs, list):
        return isinstance(ours, list) and len(ours) == len(theirs) and all(
            same_cell(a, b, single) for a, b in zip(ours, theirs))
    if theirs is None or isinstance(theirs, (bool, str)):
        return ours == theirs and type(ours) is type(theirs)
    if isinstance(theirs, int):
        return not isinstance(ours, bool) and isinstance(ours, (int, float)) and ours == theirs
    if isinstance(ours, bool) or not isinstance(ours, (int, float)):
        return False
    if single:
        return np.float32(ours) == np.float32(theirs)
    return math.isclose(ours, theirs, rel_tol=1e-12, abs_tol=1e-300)


def nulls(hdu, column, raw, rows):
    """Which rows the contract makes null that astropy gives a value for."""
    header = hdu.header
    number = hdu.columns.names.index(column.name) + 1
    tnull = header.get(f"TNULL{number}")
    if isinstance(hdu, fits.TableHDU):
        text = np.char.strip(np.char.decode(np.asarray(raw), "ascii")) if raw.dtype.kind == "S" else None
        if text is None or column.format.startswith("A"):
            return [False] * rows
        return [t == "" or (tnull is not None and t == str(tnull).strip()) for t in text]
    code = column.format.replace("1", "", 1) if column.format[:1] == "1" else column.format
    if code.endswith("L") and "P" not in code and "Q" not in code:
        flat = np.asarray(raw).reshape(rows, -1)
        return [bool(r.size and r[0] == 0) for r in flat]
    if tnull is not None and np.asarray(raw).dtype.kind in "iu" and np.asarray(raw).ndim == 1:
        return [int(v) == int(tnull) for v in raw]
    return [False] * rows


# Table HDUs and image planes whose values were compared.
DATA_COVERED = {"table": 0, "image": 0}


def compare_table(path, index, lines):
    DATA_COVERED["table"] += 1
    problems = []
    described, rows = lines[0], lines[1:]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with fits.open(path, disable_image_compression=True) as hdul:
            hdu = hdul[index]
            data = hdu.data
            count = 0 if data is None else len(data)
            if described["rows"] != count or len(rows) != count:
                return [f"HDU {index}: {described['rows']} rows ({len(rows)} printed), astropy {count}"]
            if [c["name"] for c in described["columns"]] != list(hdu.columns.names):
                return [f"HDU {index}: columns {[c['name'] for c in described['columns']]}, astropy {hdu.columns.names}"]
            raw_rows = data.view(np.ndarray) if count else None
            for c, column in enumerate(hdu.columns):
                single = "E" in column.format or "C" in column.format
                raw = raw_rows[column.name] if count else None
                null = nulls(hdu, column, raw, count) if count else []
                for r in range(count):
                    theirs = None if null[r] else expected_cell(data[column.name][r], single)
                    if isinstance(theirs, list) and column.format.upper().rstrip("()0123456789").endswith(("PA", "QA")):
                        # astropy gives PA as an array of characters, each stripped: join the raw ones.
                        chars = np.asarray(data[column.name][r])
                        theirs = chars.tobytes().decode("utf-32-le" if chars.dtype.kind == "U" else "ascii").rstrip()
                    if not same_cell(rows[r][c], theirs, single):
                        problems.append(f"HDU {index} row {r} {column.name}: {rows[r][c]!r}, astropy {theirs!r}")
                        break
    return problems


def tables_of(binary, endpoint, env, uri, path, header):
    problems = []
    for hdu in header["hdus"]:
        if hdu["kind"] not in ("BINTABLE", "TABLE"):
            continue
        if any(card["keyword"] == "ZIMAGE" and card["value"] is True for card in hdu["cards"]):
            continue
        run = subprocess.run([binary, "--endpoint-url", endpoint, "--no-sign-request", "table", "--json",
                              "--hdu", str(hdu["index"]), "--rows", "0:", uri], capture_output=True, text=True, env=env)
        if run.returncode != 0:
            problems.append(f"table HDU {hdu['index']} failed: {run.stderr.strip()}")
            continue
        lines = [json.loads(line) for line in run.stdout.splitlines()]
        try:
            problems += compare_table(path, hdu["index"], lines)
        except Exception as e:  # astropy itself failing on a fixture is a problem to see, not a crash
            problems.append(f"table HDU {hdu['index']}: astropy failed: {e}")
    return problems


def compare_image(path, index, ours):
    """`image --json` against astropy's `hdu.data` at the sampled indices, and
    its zscale against astropy's `ZScaleInterval` on the same samples."""
    from astropy.visualization import ZScaleInterval
    DATA_COVERED["image"] += 1
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with fits.open(path) as hdul, fits.open(path, do_not_scale_image_data=True) as raw_hdul:
            data = np.asarray(hdul[index].data)
            raw = np.asarray(raw_hdul[index].data)
            blank = raw_hdul[index].header.get("BLANK") if raw.dtype.kind in "iu" else None
    shape = list(data.shape[-2:]) if data.ndim >= 2 else [data.shape[0]]
    if ours["shape"] != shape:
        return [f"HDU {index}: shape {ours['shape']}, astropy {shape}"]
    plane = ours["plane"]
    if data.ndim >= 3:
        data = data.reshape(-1, *shape)[plane]
        raw = raw.reshape(-1, *shape)[plane]
    if data.ndim == 1:
        data, raw = data[np.newaxis, :], raw[np.newaxis, :]
        rows = [ours["data"]]
        stride = [1] + ours["stride"]
    else:
        rows, stride = ours["data"], ours["stride"]
    sampled = data[::stride[0], ::stride[1]]
    raw_sampled = raw[::stride[0], ::stride[1]]
    problems = []
    if [len(rows), len(rows[0]) if rows else 0] != list(sampled.shape):
        return [f"HDU {index}: {len(rows)} sampled rows, astropy {sampled.shape}"]
    for i, row in enumerate(rows):
        for j, got in enumerate(row):
            value = sampled[i, j]
            if (blank is not None and raw_sampled[i, j] == blank) or not np.isfinite(value):
                want = None
            else:
                want = value.item()
            integral = data.dtype.kind in "iu"
            if want is None:
                ok = got is None
            elif integral:
                ok = isinstance(got, int) and not isinstance(got, bool) and got == want
            else:
                ok = isinstance(got, (int, float)) and (np.float32(got) == np.float32(want) if data.dtype == np.float32 else math.isclose(got, want, rel_tol=1e-12))
            if not ok:
                problems.append(f"HDU {index} [{i * stride[0]}, {j * stride[1]}]: {got!r}, astropy {want!r}")
                return problems
    finite = np.array([v for row in rows for v in row if v is not None], dtype=float)
    if finite.size:
        lo, hi = ZScaleInterval().get_limits(finite)
        if ours["zscale"] is None or not (math.isclose(ours["zscale"][0], lo, rel_tol=1e-9, abs_tol=1e-9) and math.isclose(ours["zscale"][1], hi, rel_tol=1e-9, abs_tol=1e-9)):
            problems.append(f"HDU {index}: zscale {ours['zscale']}, astropy {[lo, hi]}")
    return problems


def images_of(binary, endpoint, env, uri, path, header):
    problems = []
    for hdu in header["hdus"]:
        summary = hdu.get("summary", "")
        tiled = any(card["keyword"] == "ZIMAGE" and card["value"] is True for card in hdu["cards"])
        plain = hdu["kind"] in ("PRIMARY", "IMAGE") and "random groups" not in summary
        if hdu["data_size"] == 0 or not (plain or tiled):
            continue
        axis = "ZNAXIS" if tiled else "NAXIS"
        planes = 1
        for card in hdu["cards"]:
            number = card["keyword"][len(axis):]
            if card["keyword"].startswith(axis) and number.isdigit() and int(number) >= 3:
                planes *= card["value"]
        for plane in sorted({0, planes - 1}):
            run = subprocess.run([binary, "--endpoint-url", endpoint, "--no-sign-request", "image", "--json",
                                  "--hdu", str(hdu["index"]), "--plane", str(plane), uri],
                                 capture_output=True, text=True, env=env)
            if run.returncode != 0:
                problems.append(f"image HDU {hdu['index']} failed: {run.stderr.strip()}")
                continue
            try:
                problems += compare_image(path, hdu["index"], json.loads(run.stdout))
            except Exception as e:
                problems.append(f"image HDU {hdu['index']}: astropy failed: {e}")
    return problems


def main():
    binary = sys.argv[1]
    with demo_archive(binary) as (endpoint, objects, env):
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
                    header = json.loads(run.stdout)
                    problems = compare(objects[(bucket, key)], header)
                    problems += tables_of(binary, endpoint, env, uri, objects[(bucket, key)], header)
                    problems += images_of(binary, endpoint, env, uri, objects[(bucket, key)], header)
                if report(uri, problems):
                    passed += 1
                else:
                    failed += 1
    missing = [name for name, count in COVERED.items() if count == 0]
    print(f"astropy: {passed} passed, {failed} failed; cards compared: "
          + ", ".join(f"{count} {name}" for name, count in COVERED.items())
          + f"; data compared: {DATA_COVERED['table']} table HDUs, {DATA_COVERED['image']} image planes")
    if missing:
        print(f"astropy: no {' or '.join(missing)} card was compared")
    no_data = [kind for kind, count in DATA_COVERED.items() if count == 0]
    if no_data:
        print(f"astropy: no {' or '.join(no_data)} data was compared")
    sys.exit(1 if failed or not passed or missing or no_data else 0)


if __name__ == "__main__":
    main()
