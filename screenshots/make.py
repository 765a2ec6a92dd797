#!/usr/bin/env python3
"""Makes the PNG screenshots in this folder from real runs of s3scope.

Starts the embedded demo server, runs the explorer in tmux at 80x24 and
160x48, types the keys of each scene, captures the screen with its colours
(`tmux capture-pane -e`) and draws it into a PNG with DejaVu Sans Mono.
Pillow is installed into a venv under the cache directory on first use.

Usage: screenshots/make.py [--bin target/debug/s3scope]
"""

import argparse
import os
import shutil
import tempfile
import unicodedata
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "screenshots"
CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "s3scope"
VENV = CACHE / "screenshots-venv"
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf"
FONT_BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono-Bold.ttf"


def ensure_pillow():
    try:
        import PIL  # noqa: F401
        return
    except ImportError:
        pass
    python = VENV / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        subprocess.run([str(VENV / "bin" / "pip"), "install", "-q", "pillow==13.0.0"], check=True)
    os.execv(str(python), [str(python), *sys.argv])


# The xterm palette for the 16 basic colours.
PALETTE = [
    (0x1d, 0x1f, 0x21), (0xcc, 0x33, 0x33), (0x33, 0xaa, 0x55), (0xcc, 0xaa, 0x33),
    (0x44, 0x77, 0xdd), (0xaa, 0x55, 0xbb), (0x33, 0xaa, 0xbb), (0xc5, 0xc8, 0xc6),
    (0x66, 0x66, 0x66), (0xff, 0x55, 0x55), (0x55, 0xdd, 0x77), (0xff, 0xdd, 0x55),
    (0x66, 0x99, 0xff), (0xdd, 0x77, 0xee), (0x55, 0xdd, 0xee), (0xff, 0xff, 0xff),
]
DEFAULT_FG = (0xd8, 0xd8, 0xd8)
DEFAULT_BG = (0x1d, 0x1f, 0x21)


def color_256(n):
    if n < 16:
        return PALETTE[n]
    if n < 232:
        n -= 16
        steps = [0, 95, 135, 175, 215, 255]
        return steps[n // 36], steps[(n // 6) % 6], steps[n % 6]
    v = 8 + (n - 232) * 10
    return v, v, v


SGR = re.compile(r"\x1b\[([0-9;]*)m")


def parse(text, width, height):
    """ANSI text (SGR only) to rows of (char, fg, bg, bold) cells."""
    rows = []
    for line in text.split("\n")[:height]:
        cells = []
        fg, bg, bold, reverse = None, None, False, False
        pos = 0
        for match in list(SGR.finditer(line)) + [None]:
            end = match.start() if match else len(line)
            for ch in line[pos:end]:
                f, b = (bg, fg) if reverse else (fg, bg)
                cells.append((ch, f or (DEFAULT_BG if reverse else DEFAULT_FG), b or (DEFAULT_FG if reverse else DEFAULT_BG), bold))
            if match is None:
                break
            pos = match.end()
            codes = [int(c) if c else 0 for c in match.group(1).split(";")]
            i = 0
            while i < len(codes):
                c = codes[i]
                if c == 0:
                    fg, bg, bold, reverse = None, None, False, False
                elif c == 1:
                    bold = True
                elif c == 22:
                    bold = False
                elif c == 7:
                    reverse = True
                elif c == 27:
                    reverse = False
                elif 30 <= c <= 37:
                    fg = PALETTE[c - 30]
                elif 90 <= c <= 97:
                    fg = PALETTE[c - 90 + 8]
                elif c == 39:
                    fg = None
                elif 40 <= c <= 47:
                    bg = PALETTE[c - 40]
                elif 100 <= c <= 107:
                    bg = PALETTE[c - 100 + 8]
                elif c == 49:
                    bg = None
                elif c in (38, 48) and i + 2 < len(codes) and codes[i + 1] == 5:
                    value = color_256(codes[i + 2])
                    fg, bg = (value, bg) if c == 38 else (fg, value)
                    i += 2
                elif c in (38, 48) and i + 4 < len(codes) and codes[i + 1] == 2:
                    value = tuple(codes[i + 2:i + 5])
                    fg, bg = (value, bg) if c == 38 else (fg, value)
                    i += 4
                i += 1
        rows.append(cells[:width])
    while len(rows) < height:
        rows.append([])
    return rows


def render(text, width, height, path):
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.truetype(FONT, 15)
    bold_font = ImageFont.truetype(FONT_BOLD, 15)
    cell_w = round(font.getlength("M"))
    cell_h = 19
    image = Image.new("RGB", (width * cell_w + 16, height * cell_h + 16), DEFAULT_BG)
    draw = ImageDraw.Draw(image)
    for y, cells in enumerate(parse(text, width, height)):
        x = 0
        for ch, fg, bg, bold in cells:
            left, top = 8 + x * cell_w, 8 + y * cell_h
            wide = 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
            draw.rectangle([left, top, left + cell_w * wide - 1, top + cell_h - 1], fill=bg)
            if ch != " ":
                draw.text((left, top + 1), ch, font=bold_font if bold else font, fill=fg)
            x += wide
    image.save(path)


class Session:
    def __init__(self, name, command, width, height):
        self.socket = f"s3scope-shots-{os.getpid()}-{name}"
        self.width, self.height = width, height
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env["TERM"] = "xterm-256color"
        env.pop("LC_ALL", None)
        env["LANG"] = "C.UTF-8"
        env["XDG_STATE_HOME"] = tempfile.mkdtemp(prefix="s3scope-shots-state-")
        self.env = env
        self.tmux("new-session", "-d", "-s", "main", "-x", str(width), "-y", str(height), command + "; sleep 60")

    def tmux(self, *args):
        return subprocess.run(["tmux", "-L", self.socket, "-f", "/dev/null", *args], env=self.env,
                              capture_output=True, text=True, check=True).stdout

    def keys(self, *keys):
        for key in keys:
            self.tmux("send-keys", "-t", "main", key)
            time.sleep(0.15)

    def jump(self, uri):
        """`:` then the URI: the explorer opens the tree there."""
        self.keys(":", "C-u")
        self.type(uri)
        self.keys("Enter")

    def type(self, text):
        self.tmux("send-keys", "-t", "main", "-l", text)

    def wait(self, needle, timeout=10):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if needle in self.tmux("capture-pane", "-p", "-t", "main"):
                return
            time.sleep(0.05)
        raise RuntimeError(f"'{needle}' did not appear:\n" + self.tmux("capture-pane", "-p", "-t", "main"))

    def shoot(self, name):
        time.sleep(0.4)
        text = self.tmux("capture-pane", "-p", "-e", "-t", "main")
        render(text, self.width, self.height, OUT / f"{name}.png")
        print(f"wrote screenshots/{name}.png", file=sys.stderr)

    def close(self):
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], capture_output=True)


def scenes(binary, endpoint, only=()):
    base = f"{binary} --endpoint-url {endpoint} --no-sign-request"

    def run(name, args, width, height, steps):
        if only and name not in only:
            return
        session = Session(name, f"{base} {args}", width, height)
        try:
            steps(session)
            session.shoot(name)
        finally:
            session.close()

    def browse(s):
        s.wait("nasa-heasarc/")
        s.keys("Enter")
        s.wait("chandra/")
        s.jump("s3://nasa-heasarc/chandra/data/byobsid/3/3003/primary/acisf03003N004_evt2.fits.gz")
        s.wait("_evt2.fits.gz")

    def browse_wide(s):
        browse(s)
        s.wait("HDU 0 PRIMARY")
        s.keys("]")
        s.wait("HDU 1 EVENTS")

    def preview_tab(s):
        browse(s)
        s.keys("Tab")
        s.wait("HDU 0 PRIMARY")

    def hst(s):
        s.wait("nasa-heasarc/")
        s.jump("s3://stpubdata/hst/public/icde/icde40a0q/icde40a0q_raw.fits")
        s.wait("HDU 0 PRIMARY")
        s.keys("Tab", "/")
        s.type("TARGDESC")
        s.keys("Enter")
        s.wait("search 'TARGDESC'")

    run("explorer-160x48", "", 160, 48, browse_wide)
    run("explorer-80x24", "", 80, 24, browse)
    run("preview-tab-80x24", "", 80, 24, preview_tab)
    run("fits-preview-160x48", "", 160, 48, hst)

    def table_view(s):
        s.wait("nasa-heasarc/")
        s.jump("s3://nasa-heasarc/chandra/data/byobsid/3/3003/primary/acisf03003N004_evt2.fits.gz")
        s.wait("HDU 0 PRIMARY")
        s.keys("Tab", "]", "v")
        s.wait("rows 1-")
        s.keys("c")
        s.type("time,x,y,pi,energy")
        s.keys("Enter")
        s.wait("columns shown")
        s.keys("PageDown")
        s.wait("ENERGY")

    run("table-view-120x36", "", 120, 36, table_view)

    def quicklook(s):
        s.wait("nasa-heasarc/")
        s.jump("s3://nasa-irsa-euclid-q1/q1/compressed/rice-int16.fits")
        s.wait("HDU 0 PRIMARY")
        s.keys("Tab", "]", "v")
        s.wait("samples")
        s.keys("t", "t")
        s.wait("asinh")

    run("image-quicklook-120x40", "", 120, 40, quicklook)

    def parquet(s):
        s.wait("nasa-heasarc/")
        s.jump("s3://nasa-irsa-simulations/openuniverse2024/roman/full/demo/truth_galaxies_demo.parquet")
        s.wait("Parquet · 2000 rows")

    run("parquet-preview-160x48", "", 160, 48, parquet)

    def hats(s):
        s.wait("nasa-heasarc/")
        s.jump("s3://nasa-irsa-euclid-q1/contributed/q1/merged_objects/hats/euclid_q1_merged_objects/")
        s.wait("HATS catalog euclid_q1_merged_objects")

    run("hats-summary-120x40", "", 120, 40, hats)

    def asdf(s):
        s.wait("nasa-heasarc/")
        s.jump("s3://stpubdata/roman/wfi/r0000101001001001001/r0000101001001001001_01101_0001_WFI01_cal.asdf")
        s.wait("ASDF 1.0.0")
        s.keys("Tab")

    run("asdf-tree-160x48", "", 160, 48, asdf)

    def tess(s):
        s.wait("tess2019199")
        s.keys("G")
        s.wait("more on the server")

    run("large-prefix-120x36", "s3://stpubdata/tess/public/ffi/s0014/2019/199/2-3/", 120, 36, tess)

    def edge(s):
        s.wait("title.txt")
        s.jump("s3://no-such-archive/")
        s.wait("no such bucket")

    run("escapes-and-errors-120x36", "s3://demo-edge/escape/", 120, 36, edge)

    def help_overlay(s):
        s.wait("nasa-heasarc/")
        s.keys("?")
        s.wait("Keys")

    run("help-80x24", "", 80, 24, help_overlay)

    def queue(s):
        s.wait("3003/")
        s.keys("d")
        s.wait("download 6 objects")
        s.keys("y")
        s.wait("Queue 6/6")
        s.jump("s3://stpubdata/tess/public/mast/tess-s0014-2-3-cube.fits")
        s.wait("HDU 0 PRIMARY")
        s.keys("d", "Tab", "Tab")
        s.wait("MiB/s")

    def copy_menu(s):
        browse(s)
        s.wait("HDU 0 PRIMARY")
        s.keys("Y")
        s.wait("Copy as")

    run("copy-menu-120x36", "", 120, 36, copy_menu)

    def ascii_marks(s):
        s.wait("00README")
        s.keys("j", "Space", "Space", "y")
        s.wait("copied 2 s3 URIs")

    run("ascii-marks-80x24", "--ascii --clipboard osc52 s3://nasa-heasarc/chandra/data/byobsid/3/3003/", 80, 24, ascii_marks)

    downloads = tempfile.mkdtemp(prefix="s3scope-shots-")
    run("queue-160x48", f"--download-dir {downloads} s3://nasa-heasarc/chandra/data/byobsid/3/3003/", 160, 48, queue)
    shutil.rmtree(downloads, ignore_errors=True)


def main():
    ensure_pillow()
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bin", default=str(ROOT / "target" / "debug" / "s3scope"))
    parser.add_argument("--only", nargs="*", default=(), help="make only these screenshots (names without .png)")
    args = parser.parse_args()
    if args.bin == str(ROOT / "target" / "debug" / "s3scope"):
        subprocess.run(["cargo", "build", "--bin", "s3scope"], cwd=ROOT, check=True)
    server = subprocess.Popen([args.bin, "demo", "--serve", "--port", "0"], stdout=subprocess.PIPE, text=True)
    try:
        endpoint = server.stdout.readline().strip()
        scenes(args.bin, endpoint, args.only)
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
