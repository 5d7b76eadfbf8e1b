"""The JS device models on their own: the bytes a driver sends give the screen and the tones a user would get.

Each model is driven as the emulator drives it (the same callbacks), by a few
lines of JS run with node; the firmware-level tests (test_rp2_session.py,
test_rp2_cli.py) then run them under the real driver and firmware.
"""

import json
import shutil
import subprocess

import pytest

from runcue_host.sim import rp2 as pico

pytestmark = pytest.mark.skipif(not shutil.which("node") or not (pico.HERE / "node_modules").is_dir(),
                                reason="no node or rp2040js: run make setup")


def node(code):
    proc = subprocess.run(["node", "--input-type=module", "-e", code], capture_output=True, text=True,
                          timeout=60, cwd=pico.HERE)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


FAKE_I2C = """
class Bus {
  constructor() { this.log = []; }
  completeConnect(ack) { this.log.push(['ack', ack]); }
  completeWrite(ack) {} completeRead(v) {} completeStop() {}
}
function write(bus, addr, bytes) {
  bus.onConnect(addr, 0);
  for (const b of bytes) bus.onWriteByte(b);
  bus.onStop();
}
"""


def test_the_oled_model_draws_a_window_written_in_horizontal_mode_upright():
    out = node("""
import { SSD1306 } from './ssd1306.js';
%s
const bus = new Bus();
let frames = 0;
const oled = new SSD1306(bus, 0x3c, () => frames++);
write(bus, 0x3c, [0x00, 0x20, 0x00, 0xa1, 0xc8, 0xaf]);   // horizontal, remapped (upright), on
write(bus, 0x3c, [0x00, 0x21, 2, 3, 0x22, 1, 2]);          // columns 2-3, pages 1-2
write(bus, 0x3c, [0x40, 0x01, 0x80, 0xff, 0x00]);          // (2,8) (3,15) col 2 page 2 all, col 3 none
write(bus, 0x3d, [0x40, 0xff]);                            // another address: not this chip
const lit = [];
for (let y = 0; y < 64; y++) for (let x = 0; x < 128; x++) if (oled.pixel(x, y)) lit.push([x, y]);
console.log(JSON.stringify({lit, frames, bytes: oled.bytes, acks: bus.log.map(l => l[1])}));
""" % FAKE_I2C)
    assert out["lit"] == [[2, 8], [3, 15]] + [[2, y] for y in range(16, 24)]
    assert out["frames"] == 1  # one transfer wrote display RAM
    assert out["bytes"] == 7 + 8 + 6  # every byte to this chip, the address included
    assert out["acks"] == [True, True, True, False]


def test_the_piezo_model_turns_pwm_changes_into_timed_tones():
    out = node("""
import { Piezo } from './piezo.js';
const channel = { csr: 1, div: 16, top: 46295, cc: 0 };
const pwmBlock = { writeUint32() {} };
const mcu = { clkSys: 125e6, pwm: { channels: Array(8).fill(channel) }, peripherals: { 0x40050: pwmBlock } };
const runner = { ms: 0 };
const tones = [];
new Piezo(mcu, runner, 15, (t) => tones.push(t));
const at = (ms, cc) => { runner.ms = ms; channel.cc = cc << 16; pwmBlock.writeUint32(0x3c, 0); };
at(100, 23148);   // half duty on channel B: 2700 Hz
at(500, 0);       // silence
at(700, 0);       // nothing changes
at(900, 23148);
channel.top = 62499; at(1000, 31250);  // a new pitch at once: 2000 Hz
at(1150, 0);
console.log(JSON.stringify(tones));
""")
    assert out == [{"t_ms": 100, "freq_hz": 2700, "dur_ms": 400}, {"t_ms": 900, "freq_hz": 2700, "dur_ms": 100},
                   {"t_ms": 1000, "freq_hz": 2000, "dur_ms": 150}]


def test_the_button_model_holds_the_pin_low_for_the_press_and_releases_it():
    out = node("""
import { Buttons } from './buttons.js';
const alarms = [];
const runner = { ms: 0, after(ms, cb) {
  const a = { at: this.ms + ms, cb, cancel() { a.cb = null; } };
  alarms.push(a);
  return a;
} };
const pins = {};
const gpio = { 14: { setInputValue(v) { pins.A = v; } }, 13: { setInputValue(v) { pins.B = v; } } };
const seen = [];
const script = [{ on: 'home', presses: ['A', 'B+'], delay_ms: 300 }];
const b = new Buttons(runner, gpio, { A: 14, B: 13 }, script, (p) => seen.push(p));
const start = { ...pins };
b.screenShown('home');
const levels = [];
while (alarms.some(a => a.cb)) {
  alarms.sort((x, y) => x.at - y.at);
  const a = alarms.find(x => x.cb); const cb = a.cb; a.cb = null; runner.ms = a.at; cb();
  levels.push([runner.ms, pins.A, pins.B]);
}
console.log(JSON.stringify({ start, seen, levels, idle: b.idle() }));
""")
    assert out["start"] == {"A": True, "B": True}  # released: the pull-ups the emulator lacks
    assert out["seen"] == [{"t_ms": 300, "button": "A", "long": False}, {"t_ms": 600, "button": "B", "long": True}]
    assert out["levels"] == [[300, False, True], [420, True, True], [600, True, False], [1800, True, True]]
    assert out["idle"] is True
