// piezo.js: the piezo on a PWM pin, heard as a buzzer timeline.
//
// The firmware keeps the PWM slice running and sets its duty: 0 is silence,
// anything else a tone at the slice's frequency.  Every register write to the
// PWM block is followed by a look at the pin's slice; a change of frequency or
// duty ends the tone in progress and may start another, giving the unix sim's
// events {t_ms, freq_hz, dur_ms} in emulated milliseconds.
const PWM_BASE = 0x40050;
const CSR_EN = 1;
const CSR_PH_CORRECT = 2;

export class Piezo {
  constructor(mcu, runner, gpio, onTone) {
    this.mcu = mcu;
    this.runner = runner;
    this.slice = (gpio >> 1) & 7;
    this.channelB = gpio & 1;
    this.onTone = onTone;
    this.freq = 0; // the tone sounding now, 0: silent
    this.since = 0;
    this.changes = 0;
    const pwm = mcu.peripherals[PWM_BASE];
    const write = pwm.writeUint32.bind(pwm);
    pwm.writeUint32 = (offset, value) => {
      write(offset, value);
      this.look();
    };
  }

  /** The slice's (frequency in Hz, duty 0-1) now. */
  state() {
    const ch = this.mcu.pwm.channels[this.slice];
    if (!(ch.csr & CSR_EN)) return [0, 0];
    const top = ch.top + 1;
    const cc = this.channelB ? ch.cc >>> 16 : ch.cc & 0xffff;
    const div = (ch.div >> 4) + (ch.div & 15) / 16 || 1;
    const phase = ch.csr & CSR_PH_CORRECT ? 2 : 1;
    return [this.mcu.clkSys / div / top / phase, Math.min(1, cc / top)];
  }

  look() {
    const [f, duty] = this.state();
    const freq = duty > 0 ? Math.round(f) : 0;
    if (freq === this.freq) return;
    this.changes++;
    const now = this.runner.ms;
    if (this.freq && now > this.since) {
      this.onTone({ t_ms: this.since, freq_hz: this.freq, dur_ms: now - this.since });
    }
    this.freq = freq;
    this.since = now;
  }
}
