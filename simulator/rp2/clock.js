// clock.js: runs the emulated CPU, in "virtual" or "real" time.
//
// rp2040js executes one instruction at a time and keeps time in emulated
// nanoseconds; while the core sleeps (WFE/WFI) nothing happens until the next
// alarm (a timer, a USB transfer, a scripted button), so time jumps there.
// - virtual: jump at once (hours of a session in seconds of wall time);
// - real: idle time is waited out in wall time, never skipped (device-side
//   timeouts, such as mpremote mount's, then mean what they say).  The CPU runs
//   as fast as the emulator can (about a quarter of a real RP2040), its time
//   counted by cycles as on the chip; so the watch sees its own work take as long
//   as on a Pico, and every wait for the host or a deadline take its real length.
// The cycles the core is awake are counted: the watch's CPU figure.
const SLICE_WALL_MS = 15; // run this long between looks at the host's I/O
const REAL_SLACK_NS = 2e6; // real time: idle ahead of the wall by at most this (a timer costs ~1 ms)

export class Runner {
  constructor(mcu, mode) {
    this.mcu = mcu;
    this.real = mode === 'real';
    this.awakeCycles = 0;
    this.stopped = false;
    this.timer = null;
    this.idleWall = -1; // real time: the wall ms up to which idle time was credited, -1: awake
    this.credit = 0; // real time: idle wall ns not yet spent on an alarm
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
            const now = performance.now();
            if (this.idleWall >= 0) this.credit += (now - this.idleWall) * 1e6;
            this.idleWall = now;
            if (this.credit + REAL_SLACK_NS < skip) {
              const left = skip - this.credit;
              if (this.credit > 0) clock.tick(this.credit);
              this.credit = 0;
              this.schedule(Math.max(1, Math.min(10, left / 1e6)));
              return;
            }
            this.credit -= skip; // may go below 0 by the slack: short waits are not worth a timer
          }
          clock.tick(skip);
        } else {
          this.idleWall = -1;
          if (this.credit > 0) this.credit = 0;
          const cycles = core.executeInstruction();
          this.awakeCycles += cycles;
          clock.tick(cycles * nsPerCycle);
        }
      }
      if (performance.now() - t0 > SLICE_WALL_MS) break;
    }
    this.schedule(0);
  }
}
