"""The SSD1306 128x64 OLED on I2C: a framebuf the screens draw into, and ``show``.

Shipped with the firmware (not fetched with ``mip``), so a deploy works offline
and every Pico watch runs the same driver.  The framebuf is MONO_VLSB: one byte
is 8 pixels down a column of one 8-row page, which is how the chip's display
RAM (GDDRAM) is laid out, so ``show`` sends the buffer as it is.

On the bus (SSD1306 datasheet, 8.1.5 and 10): after the address, a control
byte 0x00 says commands follow, 0x40 that display data follows.  The panel is
set up once in ``init`` (horizontal addressing, so one data transfer fills the
whole window; the segment and COM remap that show a module's image upright;
the internal charge pump, as on the usual 3.3 V modules).
"""

import framebuf
from micropython import const

_CMDS = const(0x00)  # control byte: every following byte is a command
_DATA = const(0x40)  # control byte: every following byte is display data
_ON = const(0xAF)
_OFF = const(0xAE)
_CONTRAST = const(0x81)
_INVERT = const(0xA6)  # | 1: inverted
_COLUMNS = const(0x21)  # first, last column of the window
_PAGES = const(0x22)  # first, last page of the window


class SSD1306_I2C(framebuf.FrameBuffer):
    """The display as a framebuf; ``show()`` sends it whole in one I2C transfer."""

    def __init__(self, width, height, i2c, addr=0x3C, external_vcc=False):
        self.width = width
        self.height = height
        self.pages = height // 8
        self.i2c = i2c
        self.addr = addr
        self.external_vcc = external_vcc
        # the data control byte, then the pixels: a redraw is one write of one buffer, nothing copied
        self._frame = bytearray(1 + self.pages * width)
        self._frame[0] = _DATA
        self.buffer = memoryview(self._frame)[1:]
        super().__init__(self.buffer, width, height, framebuf.MONO_VLSB)
        self._cmd = bytearray((_CMDS, 0))
        self._window = bytearray((_CMDS, _COLUMNS, 0, width - 1, _PAGES, 0, self.pages - 1))
        self.init()

    def init(self):
        """Set the panel up and clear it (also after the display lost power)."""
        ext = self.external_vcc
        self.i2c.writeto(self.addr, bytes((
            _CMDS,
            _OFF,
            0x20, 0x00,  # horizontal addressing
            0x40,  # display start line 0
            0xA1,  # segment remap: column 127 on SEG0
            0xA8, self.height - 1,  # multiplex ratio: the panel's rows
            0xC8,  # COM scan from the last row: with the remap, the module's image is upright
            0xD3, 0x00,  # no display offset
            0xDA, 0x02 if self.height == 32 else 0x12,  # COM pin layout of 32- or 64-row panels
            0xD5, 0x80,  # clock divide and oscillator: the reset value
            0xD9, 0x22 if ext else 0xF1,  # pre-charge periods
            0xDB, 0x30,  # VCOMH deselect level
            _CONTRAST, 0xFF,
            0xA4,  # show the display RAM
            _INVERT,
            0x8D, 0x10 if ext else 0x14,  # charge pump: off with an external supply
        )))
        self.fill(0)
        self.show()
        self.poweron()

    def command(self, cmd):
        self._cmd[1] = cmd
        self.i2c.writeto(self.addr, self._cmd)

    def poweroff(self):
        self.command(_OFF)

    def poweron(self):
        self.command(_ON)

    def contrast(self, level):
        self.i2c.writeto(self.addr, bytes((_CMDS, _CONTRAST, level & 0xFF)))

    def invert(self, on):
        self.command(_INVERT | (1 if on else 0))

    def show(self):
        """Send the whole buffer: set the window to the full screen, then one data transfer."""
        self.i2c.writeto(self.addr, self._window)
        self.i2c.writeto(self.addr, self._frame)
