// flash.js: the watch's 2 MB flash, kept in an image file, and the power cut.
//
// rp2040js models the flash as memory the CPU can read (XIP) but its SSI is a
// stub, so nothing the firmware programs or erases would stick (emulator gap 1).
// The two bootrom routines every write goes through (pico-sdk's flash_range_erase
// and flash_range_program call them) are patched with a `bkpt`; the breakpoint
// handler does the erase or program on `mcu.flash` here and returns to the caller.
// Each change is written through to the image at once (pwrite of the range), so
// the file is always the flash as the watch left it, also when the emulator dies.
//
// A power cut at the K-th program/erase: that operation stops halfway (the first
// half of its bytes reach the flash), the image keeps what reached it, and the
// harness ends with EXIT.POWER_CUT.
import fs from 'node:fs';

export const FLASH_BYTES = 2 * 1024 * 1024; // the Pico's W25Q16: 2 MB
const ROM_FUNC_TABLE = 0x14; // the bootrom's halfword pointer to its function table
const CODE_ERASE = 'R'.charCodeAt(0) | ('E'.charCodeAt(0) << 8); // flash_range_erase
const CODE_PROGRAM = 'R'.charCodeAt(0) | ('P'.charCodeAt(0) << 8); // flash_range_program
const BKPT_ERASE = 0x45;
const BKPT_PROGRAM = 0x50;
const FLASH_BASE = 0x10000000;
const SRAM_BASE = 0x20000000;

function rom16(bootrom, addr) {
  const word = bootrom[addr >>> 2];
  return addr & 2 ? word >>> 16 : word & 0xffff;
}

function patchRom16(bootrom, addr, value) {
  const i = addr >>> 2;
  bootrom[i] = addr & 2 ? (bootrom[i] & 0xffff) | (value << 16) : (bootrom[i] & 0xffff0000) | value;
}

/** The address of the bootrom function with lookup `code`, or throws (not an RP2040 B1 bootrom). */
function romFunction(bootrom, code) {
  let entry = rom16(bootrom, ROM_FUNC_TABLE);
  for (let n = 0; n < 64; n++, entry += 4) {
    const c = rom16(bootrom, entry);
    if (c === 0) break;
    if (c === code) return rom16(bootrom, entry + 2) & ~1;
  }
  throw new Error('the bootrom has no flash function table: not an RP2040 bootrom');
}

export class Flash {
  /**
   * `image`: the file (made by the caller, FLASH_BYTES long); `cutAtOp`: 0 or the
   * program/erase at which the power goes; `onCut(op)`: called then, the harness exits.
   */
  constructor(mcu, image, { cutAtOp = 0, onCut = () => {}, onWrite = () => {} } = {}) {
    this.mcu = mcu;
    this.fd = fs.openSync(image, 'r+');
    this.programs = 0;
    this.erases = 0;
    this.bytesProgrammed = 0;
    this.cutAtOp = cutAtOp;
    this.onCut = onCut;
    this.onWrite = onWrite; // (kind, offset, count): for the device models and the figures
    const got = fs.readSync(this.fd, mcu.flash, 0, FLASH_BYTES, 0);
    if (got !== FLASH_BYTES) throw new Error(`${image}: ${got} bytes, a Pico's flash image is ${FLASH_BYTES}`);
  }

  get ops() {
    return this.programs + this.erases;
  }

  /** Write the firmware's UF2 ranges into the flash (as the BOOTSEL drive does); the image follows. */
  flashFirmware(ranges) {
    for (const [offset, data] of ranges) {
      const cur = this.mcu.flash.subarray(offset, offset + data.length);
      if (Buffer.compare(Buffer.from(cur), Buffer.from(data)) !== 0) {
        cur.set(data);
        this.save(offset, data.length);
      }
    }
  }

  save(offset, count) {
    fs.writeSync(this.fd, this.mcu.flash, offset, count, offset);
  }

  /** Patch the bootrom's erase/program routines with breakpoints handled here. */
  install() {
    const { mcu } = this;
    const rom = mcu.bootrom;
    patchRom16(rom, romFunction(rom, CODE_ERASE), 0xbe00 | BKPT_ERASE);
    patchRom16(rom, romFunction(rom, CODE_PROGRAM), 0xbe00 | BKPT_PROGRAM);
    const previous = mcu.onBreak;
    mcu.onBreak = (code) => {
      if (code === BKPT_ERASE) this.erase();
      else if (code === BKPT_PROGRAM) this.program();
      else return previous(code);
      mcu.core.PC = mcu.core.registers[14] & ~1; // return to the caller (LR)
    };
  }

  erase() {
    const r = this.mcu.core.registers;
    const offset = r[0] >>> 0;
    const count = r[1] >>> 0; // whole 4 KB sectors (or 64 KB blocks with block_cmd: the same range)
    this.erases++;
    this.apply('erase', offset, count, (n) => this.mcu.flash.fill(0xff, offset, offset + n));
  }

  program() {
    const r = this.mcu.core.registers;
    const offset = r[0] >>> 0;
    const data = r[1] >>> 0;
    const count = r[2] >>> 0;
    this.programs++;
    this.bytesProgrammed += count;
    this.apply('program', offset, count, (n) => {
      const src = this.read(data, n);
      const dst = this.mcu.flash.subarray(offset, offset + n);
      for (let i = 0; i < n; i++) dst[i] &= src[i]; // NOR flash: programming only clears bits
    });
  }

  apply(kind, offset, count, change) {
    if (offset + count > FLASH_BYTES) count = Math.max(0, FLASH_BYTES - offset);
    const cut = this.cutAtOp && this.ops === this.cutAtOp;
    const n = cut ? count >> 1 : count;
    change(n);
    this.save(offset, count);
    if (cut) {
      this.onCut({ op: this.ops, kind, offset, count });
      return;
    }
    this.onWrite(kind, offset, count);
  }

  /** `n` bytes of the CPU's memory at `addr` (the data to program: in SRAM, or XIP flash). */
  read(addr, n) {
    const { mcu } = this;
    if (addr >= SRAM_BASE && addr + n <= SRAM_BASE + mcu.sram.length) {
      return mcu.sram.slice(addr - SRAM_BASE, addr - SRAM_BASE + n);
    }
    if (addr >= FLASH_BASE && addr + n <= FLASH_BASE + FLASH_BYTES) {
      return mcu.flash.slice(addr - FLASH_BASE, addr - FLASH_BASE + n);
    }
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = mcu.readUint8(addr + i);
    return out;
  }

  close() {
    fs.closeSync(this.fd);
  }
}
