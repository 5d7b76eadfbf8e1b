// firmware.js: the two files the emulated Pico needs, read and checked.
//
// - The bootrom: the RP2040 B1 mask ROM, 16 KB (raspberrypi/pico-bootrom).
// - The firmware: MicroPython's official RPI_PICO build as a .uf2 (the file a
//   user drags onto the Pico's BOOTSEL drive), any v1.28 build.
// A wrong or missing file is a BadFile with one line saying what is needed.
import fs from 'node:fs';

import { FLASH_BYTES } from './flash.js';

const UF2_MAGIC0 = 0x0a324655;
const UF2_MAGIC1 = 0x9e5d5157;
const UF2_MAGIC_END = 0x0ab16f30;
const UF2_FAMILY_PRESENT = 0x2000;
const RP2040_FAMILY = 0xe48bff56;
const FLASH_BASE = 0x10000000;
const BOOTROM_BYTES = 16384;
const NEEDED_FIRMWARE =
  'an official RPI_PICO .uf2 of MicroPython 1.28 (micropython.org/download/RPI_PICO)';
const NEEDED_BOOTROM = 'the RP2040 B1 bootrom, 16384 bytes (raspberrypi/pico-bootrom, b1)';
const VERSION = Buffer.from('MicroPython v1.28');

export class BadFile extends Error {}

function readFile(path, what, needed) {
  if (!path) throw new BadFile(`no ${what} given: give ${needed}`);
  try {
    return fs.readFileSync(path);
  } catch (e) {
    throw new BadFile(`${path}: cannot read the ${what} (${e.code}): give ${needed}`);
  }
}

/** The bootrom as the 4096 little-endian words rp2040js loads. */
export function readBootrom(path) {
  const buf = readFile(path, 'bootrom', NEEDED_BOOTROM);
  // the B1 ROM starts with its initial stack pointer (top of SRAM) and a reset vector in the ROM
  if (buf.length !== BOOTROM_BYTES || buf.readUInt32LE(0) !== 0x20041f00 || buf.readUInt32LE(4) >= BOOTROM_BYTES) {
    throw new BadFile(`${path}: not an RP2040 bootrom: give ${NEEDED_BOOTROM}`);
  }
  const words = new Uint32Array(BOOTROM_BYTES / 4);
  for (let i = 0; i < words.length; i++) words[i] = buf.readUInt32LE(4 * i);
  return words;
}

/** The firmware's [flash offset, bytes] ranges from a UF2 file. */
export function readFirmware(path) {
  const buf = readFile(path, 'firmware', NEEDED_FIRMWARE);
  if (buf.length === 0 || buf.length % 512) {
    throw new BadFile(`${path}: not a UF2 file (${buf.length} bytes): give ${NEEDED_FIRMWARE}`);
  }
  const ranges = [];
  for (let at = 0; at < buf.length; at += 512) {
    const flags = buf.readUInt32LE(at + 8);
    const addr = buf.readUInt32LE(at + 12);
    const size = buf.readUInt32LE(at + 16);
    const family = buf.readUInt32LE(at + 28);
    if (buf.readUInt32LE(at) !== UF2_MAGIC0 || buf.readUInt32LE(at + 4) !== UF2_MAGIC1 ||
        buf.readUInt32LE(at + 508) !== UF2_MAGIC_END || size > 476) {
      throw new BadFile(`${path}: not a UF2 file (block ${at / 512} is damaged): give ${NEEDED_FIRMWARE}`);
    }
    if (!(flags & UF2_FAMILY_PRESENT) || family !== RP2040_FAMILY) {
      throw new BadFile(`${path}: a UF2 for another chip than the RP2040: give ${NEEDED_FIRMWARE}`);
    }
    const offset = addr - FLASH_BASE;
    if (offset < 0 || offset + size > FLASH_BYTES) {
      throw new BadFile(`${path}: writes outside the Pico's 2 MB flash: give ${NEEDED_FIRMWARE}`);
    }
    ranges.push([offset, buf.subarray(at + 32, at + 32 + size)]);
  }
  const code = Buffer.concat(ranges.map(([, data]) => data));
  if (code.indexOf(VERSION) < 0) {
    throw new BadFile(`${path}: not MicroPython 1.28: give ${NEEDED_FIRMWARE}`);
  }
  return ranges;
}
