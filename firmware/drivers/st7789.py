"""Minimal ST7789 colour LCD driver, and a 1-bit to RGB565 row expander.

The app draws into a 1 KB mono framebuf (the 128x64 layout).  A full RGB565
frame of the M5StickC Plus2's screen would need 64 KB, so ``draw_mono`` sends
the mono image one row at a time through a 480-byte line buffer, scaled 15/8
(128x64 -> 240x120) so that text and digits are as big as the screen allows.
The scaling is nearest-neighbour: of every 8 source pixels (or rows), 7 are
drawn twice and the 8th once, so a source byte is always 15 pixels, 30 bytes.

Init is the short sequence most ST7789 drivers use (reset, sleep out, 16-bit
colour, MADCTL, inversion, display on); the panel keeps its reset defaults
for power and gamma.  Pixels go out big-endian, as the controller reads them.
"""

import time

from micropython import const

_SWRESET = const(0x01)
_SLPIN = const(0x10)
_SLPOUT = const(0x11)
_NORON = const(0x13)
_INVON = const(0x21)
_DISPON = const(0x29)
_CASET = const(0x2A)
_RASET = const(0x2B)
_RAMWR = const(0x2C)
_MADCTL = const(0x36)
_COLMOD = const(0x3A)

BLACK = const(0x0000)
WHITE = const(0xFFFF)


def rgb565(r, g, b):
    return (r & 0xF8) << 8 | (g & 0xFC) << 3 | b >> 3


class Scaler:
    """Expands MONO_HLSB rows of ``width`` pixels (a multiple of 8) 15/8 into RGB565."""

    def __init__(self, width, fg=WHITE, bg=BLACK):
        self.nbytes = width // 8
        self.line = bytearray(self.nbytes * 30)
        self.fg = self.bg = -1
        self.colours(fg, bg)

    def colours(self, fg, bg):
        """Build the nibble tables: a high nibble is 8 pixels, a low one 7."""
        if (fg, bg) == (self.fg, self.bg):
            return
        self.fg, self.bg = fg, bg
        px = (bytes((bg >> 8, bg & 0xFF)), bytes((fg >> 8, fg & 0xFF)))
        hi = []
        lo = []
        for n in range(16):
            b = bytearray()
            for j in range(8):  # output pixel j shows source pixel j*8//15 of the byte
                b += px[n >> (3 - j * 8 // 15) & 1]
            hi.append(bytes(b))
            b = bytearray()
            for j in range(8, 15):
                b += px[n >> (7 - j * 8 // 15) & 1]
            lo.append(bytes(b))
        self.hi = hi
        self.lo = lo

    def row(self, src, off):
        """Expand the source row at byte ``off`` of ``src`` into ``self.line``."""
        line = self.line
        hi = self.hi
        lo = self.lo
        o = 0
        for i in range(off, off + self.nbytes):
            b = src[i]
            line[o:o + 16] = hi[b >> 4]
            line[o + 16:o + 30] = lo[b & 15]
            o += 30
        return line

    @staticmethod
    def repeats(y):
        """How many output rows source row ``y`` becomes (2, or 1 for every 8th)."""
        return 1 if y & 7 == 7 else 2


class ST7789:
    """``spi`` a machine.SPI; ``cs``, ``dc``, ``rst`` output Pins; ``madctl`` the
    orientation byte and ``x0``/``y0`` the panel's offset in controller RAM for it."""

    def __init__(self, spi, cs, dc, rst, madctl, x0, y0):
        self.spi = spi
        self.cs = cs
        self.dc = dc
        self.rst = rst
        self.madctl = madctl
        self.x0 = x0
        self.y0 = y0
        self._cmd = bytearray(1)
        self._arg = bytearray(4)

    def init(self):
        self.cs(1)
        self.rst(0)
        time.sleep_ms(10)
        self.rst(1)
        time.sleep_ms(120)
        self.command(_SWRESET)
        time.sleep_ms(150)
        self.command(_SLPOUT)
        time.sleep_ms(120)
        self.command(_COLMOD, b"\x55")  # 16 bits a pixel
        self.command(_MADCTL, bytes((self.madctl,)))
        self.command(_INVON)  # this panel shows true colours inverted
        self.command(_NORON)
        self.command(_DISPON)

    def command(self, cmd, data=None):
        self._cmd[0] = cmd
        self.cs(0)
        self.dc(0)
        self.spi.write(self._cmd)
        if data:
            self.dc(1)
            self.spi.write(data)
        self.cs(1)

    def sleep(self, on):
        self.command(_SLPIN if on else _SLPOUT)
        time.sleep_ms(120)

    def begin(self, x, y, w, h):
        """Open a window for ``w`` x ``h`` pixels at (x, y); then ``write`` them and ``end``."""
        a = self._arg
        x += self.x0
        y += self.y0
        a[0], a[1], a[2], a[3] = x >> 8, x & 0xFF, (x + w - 1) >> 8, (x + w - 1) & 0xFF
        self.command(_CASET, a)
        a[0], a[1], a[2], a[3] = y >> 8, y & 0xFF, (y + h - 1) >> 8, (y + h - 1) & 0xFF
        self.command(_RASET, a)
        self._cmd[0] = _RAMWR
        self.cs(0)
        self.dc(0)
        self.spi.write(self._cmd)
        self.dc(1)  # chip select stays low: every write continues the same RAM write

    def write(self, buf):
        self.spi.write(buf)

    def end(self):
        self.cs(1)

    def fill(self, x, y, w, h, colour, line):
        """Fill a rectangle, using ``line`` (a bytearray of at least 2*w bytes) as scratch."""
        for i in range(0, 2 * w, 2):
            line[i] = colour >> 8
            line[i + 1] = colour & 0xFF
        mv = memoryview(line)[:2 * w]
        self.begin(x, y, w, h)
        for _ in range(h):
            self.write(mv)
        self.end()

    def draw_mono(self, scaler, src, src_h, x, y):
        """Draw a MONO_HLSB image of ``src_h`` rows 15/8 larger at (x, y)."""
        n = scaler.nbytes
        self.begin(x, y, n * 15, src_h // 8 * 15 + src_h % 8 * 2)
        for r in range(src_h):
            line = scaler.row(src, r * n)
            self.write(line)
            if scaler.repeats(r) == 2:
                self.write(line)
        self.end()
