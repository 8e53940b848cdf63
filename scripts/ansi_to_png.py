#!/usr/bin/env python3
"""Draws a `tmux capture-pane -p -e` screen as a PNG, one glyph per cell.

Usage: ansi_to_png.py IN.ansi OUT.png COLSxROWS

Reads the SGR sequences tmux writes (16, 256 and 24-bit colors; bold, dim,
reverse, underline; 0/22/27/24/39/49 resets), writes an MVG file with one
rectangle per run of background and one text primitive per glyph, and lets
ImageMagick's `convert` draw it in DejaVu Sans Mono (DejaVu Sans for the
glyphs Mono lacks, as a terminal's font fallback would). Each glyph is placed at
its own cell, so the grid stays exact whatever the font's advance; no glyph is
redrawn or replaced (one neither font has, e.g. CJK, is left blank). Italic, blink and the like are not drawn. Characters
East Asian Wide take two cells, combining marks none.
"""
import os
import re
import subprocess
import sys
import tempfile
import unicodedata

CELL_W, CELL_H, FONT_SIZE, BASELINE = 9, 18, 15, 14
MONO = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono"
# DejaVu Sans Mono has no Braille (the chart's dots): like a terminal, fall
# back to a font that has the glyph, here DejaVu Sans.
FALLBACK = "/usr/share/fonts/truetype/dejavu/DejaVuSans"
DEFAULT_FG, DEFAULT_BG = (0xD0, 0xD0, 0xD0), (0x1C, 0x1C, 0x1C)
# xterm's default 16 colors.
BASE16 = [(0, 0, 0), (205, 0, 0), (0, 205, 0), (205, 205, 0), (0, 0, 238), (205, 0, 205),
          (0, 205, 205), (229, 229, 229), (127, 127, 127), (255, 0, 0), (0, 255, 0),
          (255, 255, 0), (92, 92, 255), (255, 0, 255), (0, 255, 255), (255, 255, 255)]
SGR = re.compile(r"\x1b\[([0-9;:]*)m")


def color256(n):
    if n < 16:
        return BASE16[n]
    if n < 232:
        n -= 16
        return tuple(0 if v == 0 else 55 + 40 * v for v in (n // 36, n // 6 % 6, n % 6))
    return (8 + 10 * (n - 232),) * 3


def extended(params):
    """38/48's argument: 5;N or 2;R;G;B. Returns (color, params used)."""
    if params[:1] == [5] and len(params) >= 2:
        return color256(params[1]), 2
    if params[:1] == [2] and len(params) >= 4:
        return tuple(params[1:4]), 4
    return None, len(params)


def apply_sgr(state, params):
    params = params or [0]
    i = 0
    while i < len(params):
        p = params[i]
        i += 1
        if p == 0:
            state.update(fg=None, bg=None, bold=False, dim=False, reverse=False, underline=False)
        elif p in (1, 2, 4, 7):
            state[{1: "bold", 2: "dim", 4: "underline", 7: "reverse"}[p]] = True
        elif p == 22:
            state.update(bold=False, dim=False)
        elif p in (24, 27):
            state["underline" if p == 24 else "reverse"] = False
        elif 30 <= p <= 37 or 90 <= p <= 97:
            state["fg"] = BASE16[p - 30 if p < 90 else p - 82]
        elif 40 <= p <= 47 or 100 <= p <= 107:
            state["bg"] = BASE16[p - 40 if p < 100 else p - 92]
        elif p in (38, 48):
            color, used = extended(params[i:])
            i += used
            state["fg" if p == 38 else "bg"] = color
        elif p in (39, 49):
            state["fg" if p == 39 else "bg"] = None


def cells(text, cols, rows):
    """The screen as rows of (char, fg, bg, bold, underline); char None: a wide char's 2nd cell."""
    state = dict(fg=None, bg=None)
    apply_sgr(state, [0])
    screen = []
    for line in text.split("\n")[:rows]:
        row = []
        for chunk in re.split(r"(\x1b\[[0-9;:]*m)", line):
            m = SGR.fullmatch(chunk)
            if m:
                apply_sgr(state, [int(p or 0) for p in re.split("[;:]", m.group(1))])
                continue
            for ch in chunk:
                if unicodedata.combining(ch) or ch < " ":
                    continue
                fg, bg = state["fg"] or DEFAULT_FG, state["bg"] or DEFAULT_BG
                if state["reverse"]:
                    fg, bg = bg, fg
                if state["dim"]:
                    fg = tuple((f + b) // 2 for f, b in zip(fg, bg))
                row.append((ch, fg, bg, state["bold"], state["underline"]))
                if unicodedata.east_asian_width(ch) in "WF":
                    row.append((None, fg, bg, False, False))
        row = row[:cols]
        # capture-pane trims trailing blanks: the rest of the line is default.
        row += [(" ", DEFAULT_FG, DEFAULT_BG, False, False)] * (cols - len(row))
        screen.append(row)
    return screen


def charset(font):
    """The code point ranges a font covers, from fontconfig."""
    out = subprocess.run(["fc-query", "--format=%{charset}", font + ".ttf"],
                         capture_output=True, text=True, check=True).stdout
    return [(int(a, 16), int(b or a, 16)) for a, _, b in (r.partition("-") for r in out.split())]


def font_for(ch, bold, mono_ranges):
    cp = ord(ch)
    base = MONO if any(a <= cp <= b for a, b in mono_ranges) else FALLBACK
    return base + ("-Bold" if bold else "") + ".ttf"


def hexcolor(c):
    return "#%02x%02x%02x" % c


def mvg(screen, cols, rows):
    mono_ranges = charset(MONO)
    out = ["viewbox 0 0 %d %d" % (cols * CELL_W, rows * CELL_H),
           "fill %s" % hexcolor(DEFAULT_BG),
           "rectangle 0,0 %d,%d" % (cols * CELL_W, rows * CELL_H),
           "font-size %d" % FONT_SIZE]
    for y, row in enumerate(screen):
        x = 0
        while x < cols:  # one rectangle per run of the same background
            end = x
            while end < cols and row[end][2] == row[x][2]:
                end += 1
            if row[x][2] != DEFAULT_BG:
                out.append("fill %s" % hexcolor(row[x][2]))
                out.append("rectangle %d,%d %d,%d" % (x * CELL_W, y * CELL_H,
                                                      end * CELL_W - 1, (y + 1) * CELL_H - 1))
            x = end
    for y, row in enumerate(screen):
        for x, (ch, fg, _bg, bold, underline) in enumerate(row):
            px, py = x * CELL_W, y * CELL_H
            if underline:
                out.append("fill %s" % hexcolor(fg))
                out.append("rectangle %d,%d %d,%d" % (px, py + CELL_H - 2, px + CELL_W - 1, py + CELL_H - 2))
            if ch is None or ch == " ":
                continue
            esc = ch.replace("\\", "\\\\").replace('"', '\\"')
            out.append('font "%s"' % font_for(ch, bold, mono_ranges))
            out.append("fill %s" % hexcolor(fg))
            out.append('text %d,%d "%s"' % (px, py + BASELINE, esc))
    return "\n".join(out) + "\n"


def main():
    if len(sys.argv) != 4 or not re.fullmatch(r"\d+x\d+", sys.argv[3]):
        sys.exit("usage: ansi_to_png.py IN.ansi OUT.png COLSxROWS")
    cols, rows = map(int, sys.argv[3].split("x"))
    with open(sys.argv[1], encoding="utf-8", errors="replace") as f:
        screen = cells(f.read(), cols, rows)
    screen += [[(" ", DEFAULT_FG, DEFAULT_BG, False, False)] * cols] * (rows - len(screen))
    with tempfile.NamedTemporaryFile("w", suffix=".mvg", encoding="utf-8", delete=False) as f:
        f.write(mvg(screen, cols, rows))
    try:
        # mvg: as an input file; the usual `-draw @file` is refused by
        # Debian's ImageMagick policy. -depth 8: 8-bit RGB, not 16-bit.
        subprocess.run(["convert", "mvg:" + f.name, "-depth", "8", "PNG24:" + sys.argv[2]], check=True)
    finally:
        os.unlink(f.name)


if __name__ == "__main__":
    main()
