// buttons.js: the watch's two buttons on GPIO, pressed by a script.
//
// The script is the unix sim's (simulator/simhw.py Buttons): presses at a time,
// {"t_ms", "button": "A"|"B", "long"}, or when a screen shows,
// {"on": screen, "presses": ["A", "B", "A+"], "delay_ms"} ("A+": a long press),
// each `delay_ms` after the one before.
// A Pico button pulls its pin to GND against the internal pull-up, but the
// emulator reads a pull-up as 0, which would hold every button down: each pin
// is driven high (released) at start and low for the length of a press.  The
// firmware then debounces and times the press itself, as on the board.
const SHORT_MS = 120; // a tap: past the firmware's 30 ms settling, well short of a long press
const LONG_MS = 1200; // held past the firmware's 800 ms long press
const GAP_MS = 80; // up at least this long between presses

export class Buttons {
  constructor(runner, gpio, pins, script, onPress) {
    this.runner = runner;
    this.pins = pins; // {A: gpio number, B: gpio number}
    this.gpio = gpio;
    this.onPress = onPress;
    this.timed = script.filter((p) => 't_ms' in p).sort((a, b) => a.t_ms - b.t_ms);
    this.triggered = script.filter((p) => 'on' in p);
    this.pending = []; // [t_ms, button, long] armed by screens
    this.freeAt = 0; // ms when the last press is let go
    this.alarm = null;
    this.presses = 0;
    for (const pin of Object.values(pins)) gpio[pin].setInputValue(true);
    this.arm();
  }

  screenShown(name) {
    const i = this.triggered.findIndex((p) => p.on === name);
    if (i < 0) return;
    const p = this.triggered.splice(i, 1)[0];
    let t = this.runner.ms;
    for (const b of p.presses) {
      t += p.delay_ms ?? 500;
      this.pending.push([t, b[0], b.endsWith('+')]);
    }
    this.pending.sort((a, b) => a[0] - b[0]);
    this.arm();
  }

  next() {
    const a = this.pending.length ? this.pending[0][0] : Infinity;
    const b = this.timed.length ? this.timed[0].t_ms : Infinity;
    return Math.min(a, b);
  }

  arm() {
    if (this.alarm) this.alarm.cancel();
    this.alarm = null;
    const t = this.next();
    if (t === Infinity) return;
    const at = Math.max(t, this.freeAt + GAP_MS);
    this.alarm = this.runner.after(Math.max(0, at - this.runner.ms), () => this.fire());
  }

  fire() {
    this.alarm = null;
    let press;
    if (this.pending.length && (!this.timed.length || this.pending[0][0] <= this.timed[0].t_ms)) {
      const [, button, long] = this.pending.shift();
      press = { button, long };
    } else {
      const p = this.timed.shift();
      press = { button: p.button, long: !!p.long };
    }
    const pin = this.gpio[this.pins[press.button]];
    const hold = press.long ? LONG_MS : SHORT_MS;
    pin.setInputValue(false);
    this.presses++;
    this.freeAt = this.runner.ms + hold;
    this.onPress({ t_ms: this.runner.ms, button: press.button, long: press.long });
    this.runner.after(hold, () => {
      pin.setInputValue(true);
      this.arm();
    });
  }

  /** The presses not made yet, as a script for a watch that starts again now (after a reset). */
  remaining() {
    const now = this.runner.ms;
    const at = (t) => Math.max(0, t - now);
    return [
      ...this.pending.map(([t, button, long]) => ({ t_ms: at(t), button, long })),
      ...this.timed.map((p) => ({ ...p, t_ms: at(p.t_ms) })),
      ...this.triggered,
    ];
  }

  /** Nothing left to press. */
  idle() {
    return !this.timed.length && !this.pending.length && !this.triggered.length && this.runner.ms >= this.freeAt;
  }

  /** Only presses for screens that have not shown are left. */
  stuck() {
    return !this.timed.length && !this.pending.length && this.triggered.length > 0;
  }
}
