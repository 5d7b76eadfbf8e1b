"""The simulated watch's screen as PNG: written from its framebuffer, and read back by tests.

The display is a MONO_HLSB framebuffer sent by the watch as hex (``@screen``
events); each becomes a small PNG, lit pixels light on dark, scaled up 3x.
"""

import struct
import zlib

from runcue_host import private_files


def png_bytes(width, height, fb_hex):
    """A PNG of a MONO_HLSB framebuffer (lit pixels white on black, scaled x3)."""
    fb = bytes.fromhex(fb_hex)
    scale = 3
    stride = (width + 7) // 8
    rows = []
    for y in range(height):
        row = bytearray()
        for x in range(width):
            lit = fb[y * stride + x // 8] >> (7 - x % 8) & 1
            row += (b"\xf0\xf0\xf0" if lit else b"\x10\x18\x20") * scale
        rows += [b"\x00" + bytes(row)] * scale

    def chunk(tag, data):
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))

    header = struct.pack(">IIBBBBB", width * scale, height * scale, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"".join(rows), 9))
            + chunk(b"IEND", b""))


def write_screenshots(result, out_dir):
    """Each screen as a PNG in ``out_dir``: owner-only files (a client's run), all or none."""
    out_dir = private_files.private_dir(out_dir, ("--screenshots", "the screenshots"))
    paths = []
    with private_files.FileSet(("--screenshots", "the screenshots")) as files:
        for i, shot in enumerate(result.of("screen")):
            p = out_dir / ("%03d-%s.png" % (i, shot["name"]))
            files.write(p, png_bytes(shot["w"], shot["h"], shot["fb"]))
            paths.append(p)
    return paths


def png_mono(data, scale=3):
    """The lit pixels of a PNG written by png_bytes: (width, height, set of (x, y))."""
    pos = 8
    width = height = 0
    idat = b""
    while pos < len(data):
        (n,) = struct.unpack(">I", data[pos:pos + 4])
        tag = data[pos + 4:pos + 8]
        body = data[pos + 8:pos + 8 + n]
        if tag == b"IHDR":
            width, height = struct.unpack(">II", body[:8])
        elif tag == b"IDAT":
            idat += body
        pos += 12 + n
    raw = zlib.decompress(idat)
    stride = 1 + width * 3
    lit = set()
    for y in range(0, height, scale):
        row = raw[y * stride + 1:(y + 1) * stride]
        for x in range(0, width, scale):
            if row[x * 3] > 0x80:
                lit.add((x // scale, y // scale))
    return width // scale, height // scale, lit
