// clock.js: runs the emulated CPU, in "virtual" or "real" time.
//
// rp2040js executes one instruction at a time and keeps time in emulated
// nanoseconds; while the core sleeps (WFE/WFI) nothing happens until the next
// alarm (a timer, a USB transfer, a scripted button), so time jumps there.
// - virtual: jump at once (hours of a session in seconds of wall time);
// - real: never let emulated time run ahead of wall time (device-side timeouts,
//   such as mpremote mount's, then mean what they say).
// The cycles the core is awake are counted: the watch's CPU figure.
const SLICE_WALL_MS = 15; // run this long between looks at the host's I/O

export class Runner {
  constructor(mcu, mode) {
    this.mcu = mcu;
    this.real = mode === 'real';
    this.awakeCycles = 0;
    this.stopped = false;
    this.wallStart = performance.now();
    this.timer = null;
  }

  get nanos() {
    return this.mcu.clock.nanos;
  }

  get ms() {
    return Math.floor(this.mcu.clock.nanos / 1e6);
  }

  /** An alarm `ms` of emulated time from now (for the device models and the script). */
  after(ms, callback) {
    const alarm = this.mcu.clock.createAlarm(callback);
    alarm.schedule(ms * 1e6);
    return alarm;
  }

  wallNanos() {
    return (performance.now() - this.wallStart) * 1e6;
  }

  start() {
    this.schedule(0);
  }

  schedule(ms) {
    if (this.stopped) return;
    this.timer = ms > 0 ? setTimeout(() => this.slice(), ms) : setImmediate(() => this.slice());
  }

  stop() {
    this.stopped = true;
    if (this.timer) {
      clearTimeout(this.timer);
      clearImmediate(this.timer);
    }
  }

  slice() {
    const { mcu } = this;
    const { core, clock } = mcu;
    const t0 = performance.now();
    while (!this.stopped) {
      const nsPerCycle = 1e9 / mcu.clkSys;
      for (let i = 0; i < 20000 && !this.stopped; i++) {
        if (core.waiting) {
          const skip = clock.nanosToNextAlarm;
          if (skip <= 0) {
            this.schedule(1); // asleep with nothing due: only the host can wake it
            return;
          }
          if (this.real) {
            const ahead = clock.nanos + skip - this.wallNanos();
            if (ahead > 0) {
              this.schedule(Math.max(1, Math.min(20, ahead / 1e6)));
              return;
            }
          }
          clock.tick(skip);
        } else {
          const cycles = core.executeInstruction();
          this.awakeCycles += cycles;
          clock.tick(cycles * nsPerCycle);
        }
      }
      if (this.real && clock.nanos > this.wallNanos() + 1e6) {
        this.schedule(1);
        return;
      }
      if (performance.now() - t0 > SLICE_WALL_MS) break;
    }
    this.schedule(0);
  }
}
