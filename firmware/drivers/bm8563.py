"""BM8563 real-time clock on I2C (register-compatible with the NXP PCF8563).

Registers 0x02..0x08 hold seconds, minutes, hours, day, weekday, month and
year in BCD; bit 7 of the seconds register (VL) is set when the oscillator
stopped, so the time is not to be trusted until it is set again.  Layout as
M5Unified reads it (m5stack/M5Unified src/utility/rtc/PCF8563_Class.cpp,
address 0x51).  The years 2000-2099 are all a watch needs: the century bit is
written 0 and ignored when read.
"""

from micropython import const

from drivers import clock

ADDR = const(0x51)
_CTRL1 = const(0x00)
_SECONDS = const(0x02)
_VL = const(0x80)


def _bcd(v):
    return (v >> 4) * 10 + (v & 0x0F)


def _tobcd(n):
    return (n // 10) << 4 | n % 10


def unix_from_regs(r):
    """Unix seconds from the 7 time registers, or 0 if the clock stopped or was never set."""
    if r[0] & _VL:
        return 0
    y = 2000 + _bcd(r[6])
    if y < clock.MIN_YEAR:
        return 0
    return clock.unix_from_civil(y, _bcd(r[5] & 0x1F), _bcd(r[3] & 0x3F),
                                 _bcd(r[2] & 0x3F), _bcd(r[1] & 0x7F), _bcd(r[0] & 0x7F))


def regs_from_unix(t):
    """The 7 time registers for unix seconds ``t`` (2000-2099); VL cleared."""
    y, mo, d, h, mi, s, wd = clock.civil_from_unix(t)
    return bytes((_tobcd(s), _tobcd(mi), _tobcd(h), _tobcd(d), wd, _tobcd(mo), _tobcd(y % 100)))


class BM8563:
    def __init__(self, i2c, addr=ADDR):
        self.i2c = i2c
        self.addr = addr

    def now(self):
        """UTC unix seconds, 0 when unset."""
        return unix_from_regs(self.i2c.readfrom_mem(self.addr, _SECONDS, 7))

    def set(self, unix):
        self.i2c.writeto_mem(self.addr, _CTRL1, b"\x00")  # clock running (STOP bit clear)
        self.i2c.writeto_mem(self.addr, _SECONDS, regs_from_unix(unix))
