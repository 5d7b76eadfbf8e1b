"""M5StickC Plus2 (ESP32-PICO-V3-02): passive buzzer, buttons A and B, a
135x240 ST7789V2 colour LCD, a BM8563 RTC kept by the battery, no motor.

The screen is used in landscape (240x135), the only way the 2:1 layout of
ui.py can grow: the app draws into a 128x64 mono framebuf (1 KB, the same
heap as the smallest board) and ``show`` sends it 15/8 larger, 240x120, one
row at a time in colour (drivers/st7789.py).  If it reads upside down as
worn (the other wrist, the strap turned round), set ``FLIP``.

Sources of the pins (none guessed; each agrees with the others):
  [UD]  M5Stack's factory demo, github.com/m5stack/M5StickCPlus2-UserDemo
        src/test/test.h (commit 3d3d9daf)
  [MU]  M5Stack's M5Unified library, github.com/m5stack/M5Unified
        src/M5Unified.cpp and src/utility/Power_Class.cpp (commit 002b75f4)
  [GFX] M5Stack's M5GFX library, github.com/m5stack/M5GFX src/M5GFX.cpp,
        the M5StickCPlus2 autodetect branch (commit 7614fa39)
  [EH]  https://devices.esphome.io/devices/M5Stack-M5StickC-PLUS2/ (pin table)
"""

import time

import framebuf
from machine import ADC, I2C, PWM, SPI, Pin
from micropython import const

from boards import BTN_A, BTN_B, LONG, WDT_MS, ClockedBoard
from drivers import battery, bm8563, buttons, clock, flash, st7789
from drivers.piezo import Piezo
from runcue import ticks

PIN_HOLD = const(4)  # power hold, high = stay on [UD] POWER_HOLD_PIN 4; [MU] _pin_table_other1; [GFX]
PIN_BUZZER = const(2)  # passive buzzer [UD] BUZZ_PIN 2; [MU] spk_cfg.buzzer, pin_data_out GPIO_NUM_2; [EH]
PIN_BTN_A = const(37)  # front button, low when pressed [UD] Button(37); [MU] "gpio37 A", ~GPIO.in1; [EH]
PIN_BTN_B = const(39)  # side button, low when pressed [UD] Button(39); [MU] "gpio39 B"; [EH]
PIN_BTN_PWR = const(35)  # power button [UD] btnPWR Button(35); [MU] "gpio35 PWR": not used by the app
PIN_LCD_MOSI = const(15)  # [UD] LCD_MOSI_PIN 15; [GFX] bus_cfg.pin_mosi; [EH] SPI MOSI
PIN_LCD_SCLK = const(13)  # [UD] LCD_SCLK_PIN 13; [GFX] bus_cfg.pin_sclk; [EH] SPI CLK
PIN_LCD_DC = const(14)  # [UD] LCD_DC_PIN 14; [GFX] bus_cfg.pin_dc; [EH] Display DC
PIN_LCD_CS = const(5)  # [UD] LCD_CS_PIN 5; [GFX] _read_panel_id(bus_spi, GPIO_NUM_5); [EH] Display CS
PIN_LCD_RST = const(12)  # [UD] LCD_RST_PIN 12; [GFX] cfg.pin_rst = GPIO_NUM_12; [EH] Display Reset
PIN_LCD_BL = const(27)  # backlight [UD] LCD_BL_PIN 27; [GFX] _set_pwm_backlight(GPIO_NUM_27, ...)
PIN_I2C_SDA = const(21)  # internal I2C (BM8563, MPU6886) [UD] I2C_SDA_PIN 21; [MU] In_I2C default; [EH]
PIN_I2C_SCL = const(22)  # [UD] I2C_SCL_PIN 22; [MU] _pin_table_i2c_ex_in default row; [EH]
PIN_BATTERY = const(38)  # battery/2 [MU] ADC1_GPIO38_CHANNEL, ratio 2.0; [UD] test_io.cpp; [EH]

# Landscape as M5Stack's examples use it (setRotation(1)); FLIP turns it 180 degrees.
# MADCTL and RAM offsets as LovyanGFX computes them in M5GFX (Panel_LCD::setRotation,
# getMadCtl) for this panel: 135x240 at offset (52, 40) in a 240x320 RAM, BGR order.
FLIP = False
_MADCTL, _X0, _Y0 = (0xB8, 40, 52) if FLIP else (0x6C, 40, 53)
LCD_W = const(240)
LCD_H = const(135)

# Ink and paper per screen (RGB565); others white on black, like the OLED boards.
COLOURS = {
    "paused": (st7789.rgb565(255, 176, 0), st7789.BLACK),
    "stop_confirm": (st7789.rgb565(255, 64, 48), st7789.BLACK),
    "summary": (st7789.rgb565(64, 224, 96), st7789.BLACK),
}
_DEFAULT = (st7789.WHITE, st7789.BLACK)


class Clock:
    """The BM8563 (kept by the battery while the watch is off), and the uptime."""

    WATCHDOG_MS = WDT_MS  # the board's watchdog, kept fed by the sync service in the raw REPL
    WATCHDOG_TIMER = 0  # a hardware timer: the ESP32 port has no virtual ones

    def __init__(self, i2c=None):
        if i2c is None:
            i2c = I2C(0, sda=Pin(PIN_I2C_SDA), scl=Pin(PIN_I2C_SCL), freq=400_000)
        self.rtc = bm8563.BM8563(i2c)
        self.up = clock.Uptime(ticks.wrap(time.ticks_ms()))

    def now(self):
        return self.rtc.now()

    def set(self, unix):
        self.rtc.set(unix)

    def uptime_s(self):
        return self.up.update(ticks.wrap(time.ticks_ms()))


class Board(ClockedBoard):
    NAME = "m5stickc_plus2"
    TIMER_ID = 0  # a hardware timer: the ESP32 port has no virtual ones
    WIDTH = 128  # the canvas; the LCD shows it 15/8 larger
    HEIGHT = 64

    def __init__(self):
        # First: the watch stays on only while this pin is high (on battery).
        self.hold = Pin(PIN_HOLD, Pin.OUT, value=1)
        self.buf = bytearray(self.WIDTH * self.HEIGHT // 8)
        self.fb = framebuf.FrameBuffer(self.buf, self.WIDTH, self.HEIGHT, framebuf.MONO_HLSB)
        self.buzzer = Piezo(PWM(Pin(PIN_BUZZER), freq=2700, duty_u16=0))
        self.vibrator = None
        # GPIO 37/39 are input-only, with the board's own pull-ups (M5Unified: plain input)
        self.buttons = buttons.Buttons((Pin(PIN_BTN_A, Pin.IN), Pin(PIN_BTN_B, Pin.IN)), (BTN_A, BTN_B), LONG)
        ClockedBoard.__init__(self, Clock())
        self.adc = ADC(Pin(PIN_BATTERY), atten=ADC.ATTN_11DB)
        spi = SPI(1, baudrate=40_000_000, sck=Pin(PIN_LCD_SCLK), mosi=Pin(PIN_LCD_MOSI), miso=None)
        self.lcd = st7789.ST7789(spi, Pin(PIN_LCD_CS, Pin.OUT, value=1), Pin(PIN_LCD_DC, Pin.OUT),
                                 Pin(PIN_LCD_RST, Pin.OUT), _MADCTL, _X0, _Y0)
        self.lcd.init()
        self.scaler = st7789.Scaler(self.WIDTH)
        self.top = (LCD_H - self.HEIGHT * 15 // 8) // 2  # 7 rows above the picture, 8 below
        self.paper = -1
        self.backlight = Pin(PIN_LCD_BL, Pin.OUT, value=1)

    def mount(self):
        flash.check_littlefs_root()  # the ESP32 port's _boot.py mounted it

    def battery_pct(self):
        uv = 0
        for _ in range(8):
            uv += self.adc.read_uv()
        return battery.pct_from_mv(uv * 2 // 8000)  # a 1:2 divider feeds the ADC

    def show(self, screen):
        fg, bg = COLOURS.get(screen, _DEFAULT)
        self.scaler.colours(fg, bg)
        if bg != self.paper:  # the margins above and below the picture
            self.paper = bg
            line = self.scaler.line
            h = self.top + self.HEIGHT * 15 // 8
            self.lcd.fill(0, 0, LCD_W, self.top, bg, line)
            self.lcd.fill(0, h, LCD_W, LCD_H - h, bg, line)
        self.lcd.draw_mono(self.scaler, self.buf, self.HEIGHT, 0, self.top)

    def wait(self, deadline):
        return buttons.wait(self.buttons, deadline, self.ticks, time.sleep_ms)
