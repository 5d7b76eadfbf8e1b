"""Read the words on a watch screenshot: what a client would read, not pixels.

The watch draws text with MicroPython's built-in 8x8 font; this module takes
that font from the real unix port once (every printable ASCII glyph) and
finds a string on a 1-bit screenshot by its exact pixels.
"""

import functools
import json

import mpy

_GLYPHS = """
import framebuf, json
buf = bytearray(8)
fb = framebuf.FrameBuffer(buf, 8, 8, framebuf.MONO_HLSB)
out = {}
for c in range(32, 127):
    fb.fill(0)
    fb.text(chr(c), 0, 0, 1)
    out[chr(c)] = [[x for x in range(8) if fb.pixel(x, y)] for y in range(8)]
print(json.dumps(out))
"""


@functools.lru_cache(maxsize=1)
def _glyphs():
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        return json.loads(mpy.run_code(_GLYPHS, tmp).stdout.strip().splitlines()[-1])


def _rows(shot):
    """Each pixel row of a screenshot event (MONO_HLSB framebuffer) as an int, bit x = pixel x."""
    w, h, fb = shot["w"], shot["h"], bytes.fromhex(shot["fb"])
    stride = (w + 7) // 8
    rows = []
    for y in range(h):
        bits = int.from_bytes(fb[y * stride:(y + 1) * stride], "big")  # first pixel in the top bit
        rows.append(int(format(bits, "0%db" % (stride * 8))[::-1], 2))
    return rows


def _bitmap(text):
    """The 8 pixel rows of ``text`` drawn at (0, 0), as ints; and its width."""
    g = _glyphs()
    rows = [0] * 8
    for i, ch in enumerate(text):
        for y, xs in enumerate(g[ch]):
            for x in xs:
                rows[y] |= 1 << (8 * i + x)
    return rows, 8 * len(text)


def shows(shot, text):
    """True when ``text`` stands on the screen at the font's size, lit on dark or dark on lit (selected)."""
    return find(shot, text) is not None


def find(shot, text):
    """(x, y) of the first place ``text`` stands on the screen (see ``shows``), or None."""
    rows = _rows(shot)
    want, width = _bitmap(text)
    mask = (1 << width) - 1
    for y0 in range(shot["h"] - 7):
        for x0 in range(shot["w"] - width + 1):
            cells = [(rows[y0 + y] >> x0) & mask for y in range(8)]
            if cells == want or [c ^ mask for c in cells] == want:
                return x0, y0
    return None
