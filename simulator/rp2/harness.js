// harness.js: the watch as a Raspberry Pi Pico, in the RP2040 emulator rp2040js.
//
//   node harness.js [--check] [--config RUN.json] [--firmware UF2] [--bootrom BIN] [--flash IMG]
//                   [--clock virtual|real]
// (--check: only read the firmware and bootrom, exit 0 when both are usable)
//
// It owns the run: the bootrom and MicroPython's UF2 (or RUNCUE_RP2_FIRMWARE /
// RUNCUE_RP2_BOOTROM), the 2 MB flash image (made when missing), the device
// models (OLED, buttons, piezo), the USB serial on stdin/stdout, and the end:
//   exit 0   the button script is done and the watch is home (or `stop_at_ms`)
//   exit 2   a file it needs is missing or wrong (one line on stderr)
//   exit 10  the watch reset itself (machine.reset(), its watchdog): start it again
//   exit 11  the power was cut at the K-th flash program/erase (`cut_at_op`)
// Events go to stderr, one line each, as the unix sim's: "@kind {json}"
// (@usb, @booted, @show, @screen, @press, @cue, @powercut, @reset, @stuck, @exit).
// The emulator's differences from a real Pico, and what is done about each,
// are in README.md beside this file.
import fs from 'node:fs';

import { ConsoleLogger, LogLevel, RP2040 } from 'rp2040js';

import { Buttons } from './buttons.js';
import { Runner } from './clock.js';
import { BadFile, readBootrom, readFirmware } from './firmware.js';
import { Flash, FLASH_BYTES } from './flash.js';
import { Piezo } from './piezo.js';
import { fixUartTxInterrupt, onReset } from './quirks.js';
import { recognise } from './screens.js';
import { SSD1306 } from './ssd1306.js';
import { SerialBridge } from './usb.js';

export const EXIT = { DONE: 0, BAD_FILE: 2, RESET: 10, POWER_CUT: 11 };
const CHECK_MS = 100; // how often the end of a run is looked for (emulated)
// firmware/boards/pico_oled.py's wiring
const PICO_OLED = { A: 14, B: 13, piezo: 15, i2c: 0, oled: 0x3c };

function options(argv) {
  const out = {};
  if (argv[0] === '--check') {
    out.check = true;
    argv = argv.slice(1);
  }
  for (let i = 0; i < argv.length; i += 2) {
    const key = argv[i].replace(/^--/, '');
    if (!['config', 'firmware', 'bootrom', 'flash', 'clock'].includes(key) || i + 1 >= argv.length) {
      throw new BadFile(`harness: unknown or incomplete option ${argv[i]} (see the header of harness.js)`);
    }
    out[key] = argv[i + 1];
  }
  let cfg = {};
  if (out.config) cfg = JSON.parse(fs.readFileSync(out.config, 'utf8'));
  return {
    check: !!out.check,
    firmware: out.firmware || cfg.firmware || process.env.RUNCUE_RP2_FIRMWARE,
    bootrom: out.bootrom || cfg.bootrom || process.env.RUNCUE_RP2_BOOTROM,
    image: out.flash || cfg.image,
    clock: out.clock || cfg.clock || 'virtual',
    usb: cfg.usb || 'stdio',
    buttons: cfg.buttons || [],
    marks: cfg.marks || [],
    screenshots: cfg.screenshots || null,
    cutAtOp: cfg.cut_at_op || 0,
    exitWhenIdle: !!cfg.exit_when_idle,
    stopAtMs: cfg.stop_at_ms || 0,
    idleQuietMs: cfg.idle_quiet_ms ?? 3000,
    stuckQuietMs: cfg.stuck_quiet_ms ?? 40 * 60 * 1000,
  };
}

function emit(kind, obj) {
  process.stderr.write(`@${kind} ${JSON.stringify(obj)}\n`);
}

function makeImage(path) {
  if (!path) throw new BadFile('harness: no flash image given (--flash IMG)');
  if (!fs.existsSync(path)) fs.writeFileSync(path, Buffer.alloc(FLASH_BYTES, 0xff), { mode: 0o600 });
  const size = fs.statSync(path).size;
  if (size !== FLASH_BYTES) {
    throw new BadFile(`${path}: ${size} bytes, not a Pico flash image (${FLASH_BYTES}): give a new file name to make one`);
  }
}

function main() {
  const opt = options(process.argv.slice(2));
  const bootrom = readBootrom(opt.bootrom);
  const firmware = readFirmware(opt.firmware);
  if (opt.check) return; // only the two files were asked about: both are usable
  makeImage(opt.image);

  const mcu = new RP2040();
  mcu.logger = new ConsoleLogger(LogLevel.Error);
  mcu.loadBootrom(bootrom);
  const runner = new Runner(mcu, opt.clock);
  const wall0 = performance.now();
  let screen = '';
  let quietSince = 0; // emulated ms of the last thing the watch did that a client would notice
  let ended = false;
  let booted = false;

  const counts = () => ({
    t_ms: runner.ms, screen, writes: flash.programs, erases: flash.erases,
    bytes_programmed: flash.bytesProgrammed, awake_cycles: runner.awakeCycles,
    i2c_bytes: display.bytes, i2c_transfers: display.transfers, presses: buttons.presses,
    pwm_changes: piezo.changes, real_ms: Math.round(performance.now() - wall0),
  });
  const end = (code, kind, extra = {}) => {
    if (ended) return;
    ended = true;
    runner.stop();
    emit(kind, { ...counts(), ...extra });
    flash.close();
    process.exitCode = code;
    setImmediate(() => process.exit(code)); // after stderr/stdout have drained
  };

  const flash = new Flash(mcu, opt.image, {
    cutAtOp: opt.cutAtOp,
    onCut: (op) => end(EXIT.POWER_CUT, 'powercut', { write: op.op, kind: op.kind }),
    onWrite: () => { quietSince = runner.ms; },
  });
  flash.flashFirmware(firmware);
  flash.install();
  fixUartTxInterrupt(mcu);
  onReset(mcu, () => end(EXIT.RESET, 'reset', { left: buttons.remaining() }));

  const display = new SSD1306(mcu.i2c[PICO_OLED.i2c], PICO_OLED.oled, () => {
    quietSince = runner.ms;
    const name = recognise(display, opt.marks) || 'unknown';
    if (!booted) {
      if (name === 'unknown') return; // the driver's init clears the screen before the app draws
      booted = true;
      emit('booted', { t_ms: runner.ms, real_ms: Math.round(performance.now() - wall0) });
    }
    const changed = name !== screen;
    if (changed) {
      screen = name;
      emit('show', { t_ms: runner.ms, name, cycles: runner.awakeCycles, i2c_bytes: display.bytes });
      buttons.screenShown(name);
    }
    if (opt.screenshots === 'all' || (opt.screenshots === 'changes' && changed)) {
      emit('screen', { t_ms: runner.ms, name, w: 128, h: 64, fb: display.frame() });
    }
  });
  const buttons = new Buttons(runner, mcu.gpio, { A: PICO_OLED.A, B: PICO_OLED.B }, opt.buttons, (p) => {
    quietSince = runner.ms;
    emit('press', p);
  });
  const piezo = new Piezo(mcu, runner, PICO_OLED.piezo, (tone) => {
    quietSince = runner.ms;
    emit('cue', tone);
  });

  if (opt.usb === 'stdio') {
    const serial = new SerialBridge(mcu, (data) => process.stdout.write(data), () => emit('usb', { t_ms: runner.ms }));
    process.stdin.on('data', (chunk) => serial.send(chunk));
    process.stdin.on('end', () => { if (!opt.exitWhenIdle) end(EXIT.DONE, 'exit'); });
  }

  const check = () => {
    const quiet = runner.ms - quietSince;
    if (opt.stopAtMs && runner.ms >= opt.stopAtMs) return end(EXIT.DONE, 'exit');
    if (opt.exitWhenIdle) {
      if (buttons.idle() && screen === 'home' && quiet >= opt.idleQuietMs) return end(EXIT.DONE, 'exit');
      if (buttons.stuck() && quiet >= opt.stuckQuietMs) {
        emit('stuck', { t_ms: runner.ms, screen, waiting: buttons.triggered.map((p) => p.on) });
        return end(EXIT.DONE, 'exit');
      }
    }
    runner.after(CHECK_MS, check);
  };
  runner.after(CHECK_MS, check);
  for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => end(EXIT.DONE, 'exit'));

  mcu.core.PC = 0x10000000; // into boot2 at the start of flash, as the bootrom does
  runner.start();
}

try {
  main();
} catch (e) {
  if (!(e instanceof BadFile)) throw e;
  process.stderr.write(`runcue: ${e.message}\n`);
  process.exit(EXIT.BAD_FILE);
}
