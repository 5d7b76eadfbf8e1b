"""Raspberry Pi Pico (RP2040) build: an SSD1306 128x64 OLED on I2C0, a piezo
on a PWM pin and two buttons to GND.  No motor, no battery-backed clock.

The OLED driver is the firmware's own (drivers/ssd1306.py, deployed with the
rest, so nothing is fetched from the internet); it is a framebuf, so it is
``fb`` itself and ``show`` sends its 1 KB buffer.

The RP2040 clock runs only while powered: the port starts it at 2021-01-01
on every power-up or hard reset (ports/rp2/main.c), so ``rtc()`` is 0 (unset)
until the host sets it at a sync; it then survives soft resets, but the Pico
forgets the time at every power-off.  There is no battery gauge: -1.

The wiring is ours.  Each pin cites where it was checked:
  [pinout] Raspberry Pi's Pico pinout, datasheets.raspberrypi.com/pico/Pico-R3-A4-Pinout.pdf
           (the copy read: cdn.shopify.com/s/files/1/0176/3274/files/Pico-R3-A4-Pinout.pdf)
  [qr]     MicroPython's rp2 quick reference, docs.micropython.org/en/latest/rp2/quickref.html
The piezo and both buttons sit on the left header around its GND at physical
pin 18; the OLED takes 3V3(OUT) (pin 36) and GND (pin 8) besides SDA/SCL.
"""

import time

from machine import I2C, PWM, RTC, Pin
from micropython import const

from boards import BTN_A, BTN_B, LONG, WDT_MS, ClockedBoard
from drivers import buttons, clock, flash, ssd1306
from drivers.piezo import Piezo
from runcue import ticks

I2C_ID = const(0)
PIN_OLED_SDA = const(4)  # GP4, pin 6: I2C0 SDA [pinout]; I2C(0)'s default sda on a Pico [qr]
PIN_OLED_SCL = const(5)  # GP5, pin 7: I2C0 SCL [pinout]; I2C(0)'s default scl on a Pico [qr]
PIN_PIEZO = const(15)  # GP15, pin 20 [pinout]: PWM slice 7 B (GPIO 2n, 2n+1 -> slice n [qr])
PIN_BTN_A = const(14)  # GP14, pin 19 [pinout], to GND, with the internal pull-up
PIN_BTN_B = const(13)  # GP13, pin 17 [pinout], to GND, with the internal pull-up
OLED_ADDR = const(0x3C)  # the usual SSD1306 module address


class Clock:
    """machine.RTC (unset after power-up), and the uptime."""

    WATCHDOG_MS = WDT_MS  # the board's watchdog, kept fed by the sync service in the raw REPL
    WATCHDOG_TIMER = -1

    def __init__(self):
        self.rtc = RTC()
        self.up = clock.Uptime(ticks.wrap(time.ticks_ms()))

    def now(self):
        y, mo, d, _, h, mi, s, _ = self.rtc.datetime()
        if y < clock.MIN_YEAR:  # still the port's 2021-01-01 start: never set
            return 0
        return clock.unix_from_civil(y, mo, d, h, mi, s)

    def set(self, unix):
        y, mo, d, h, mi, s, wd = clock.civil_from_unix(unix)
        self.rtc.datetime((y, mo, d, wd, h, mi, s, 0))  # the port ignores the weekday

    def uptime_s(self):
        return self.up.update(ticks.wrap(time.ticks_ms()))


class Board(ClockedBoard):
    NAME = "pico_oled"
    WIDTH = 128
    HEIGHT = 64

    def __init__(self):
        i2c = I2C(I2C_ID, sda=Pin(PIN_OLED_SDA), scl=Pin(PIN_OLED_SCL), freq=400_000)
        self.fb = ssd1306.SSD1306_I2C(self.WIDTH, self.HEIGHT, i2c, addr=OLED_ADDR)
        self.buzzer = Piezo(PWM(Pin(PIN_PIEZO), freq=2700, duty_u16=0))
        self.vibrator = None
        pins = (Pin(PIN_BTN_A, Pin.IN, Pin.PULL_UP), Pin(PIN_BTN_B, Pin.IN, Pin.PULL_UP))
        self.buttons = buttons.Buttons(pins, (BTN_A, BTN_B), LONG)
        ClockedBoard.__init__(self, Clock())

    def mount(self):
        flash.check_littlefs_root()  # the rp2 port's _boot.py mounted it

    def battery_pct(self):
        return -1

    def show(self, screen):
        self.fb.show()

    def wait(self, deadline):
        return buttons.wait(self.buttons, deadline, self.ticks, time.sleep_ms)
