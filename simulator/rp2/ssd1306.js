// ssd1306.js: a 128x64 SSD1306 OLED on an emulated I2C bus.
//
// What the chip does with the bytes the firmware's driver sends: after the
// address, a control byte says whether commands (0x00/0x80) or GDDRAM data
// (0x40) follow (Co bit 0x80: one byte, then a new control byte).  Commands set
// the column and page window (0x21, 0x22), the addressing mode (0x20), the
// orientation (0xA0/0xA1 segment remap, 0xC0/0xC8 COM scan), invert (0xA6/0xA7)
// and on/off (0xAE/0xAF); data fills GDDRAM, one byte = 8 vertical pixels of a
// page, the column advancing within the window.  Commands that only tune the
// panel (contrast, clocks, charge pump, ...) are taken with their arguments.
// `frame()` is the screen as a viewer sees it: MONO_HLSB, 16 bytes a row.
export const WIDTH = 128;
export const HEIGHT = 64;
const PAGES = HEIGHT / 8;

// how many argument bytes follow each command that has any
const ARGS = {
  0x20: 1, 0x21: 2, 0x22: 2, 0x26: 6, 0x27: 6, 0x29: 5, 0x2a: 5, 0x81: 1, 0x8d: 1, 0xa3: 2,
  0xa8: 1, 0xd3: 1, 0xd5: 1, 0xd9: 1, 0xda: 1, 0xdb: 1,
};

export class SSD1306 {
  /** `onFrame()` is called at the end (STOP) of every transfer that wrote GDDRAM. */
  constructor(i2c, address, onFrame) {
    this.address = address;
    this.onFrame = onFrame;
    this.gddram = new Uint8Array(WIDTH * PAGES); // page-major: byte [page * 128 + column]
    this.col0 = 0; this.col1 = WIDTH - 1; this.page0 = 0; this.page1 = PAGES - 1;
    this.col = 0; this.page = 0;
    this.mode = 2; // page addressing, the chip's reset state
    this.segRemap = false; this.comRemap = false; this.inverted = false; this.on = false;
    this.bytes = 0; // every byte on the bus to this chip, the address included
    this.dataBytes = 0;
    this.transfers = 0;
    this.cmd = []; // the command being collected, with its arguments
    this.selected = false;
    i2c.onConnect = (addr) => {
      this.selected = addr === this.address;
      if (this.selected) {
        this.bytes++;
        this.transfers++;
        this.control = -1; // the next byte is a control byte
        this.wroteData = false;
      }
      i2c.completeConnect(this.selected);
    };
    i2c.onWriteByte = (value) => {
      if (!this.selected) return i2c.completeWrite(false); // not addressed: no ACK
      this.bytes++;
      this.take(value);
      i2c.completeWrite(true);
    };
    i2c.onReadByte = () => i2c.completeRead(this.on ? 0x00 : 0x40); // status: bit 6 = display off
    i2c.onStop = () => {
      const frame = this.selected && this.wroteData;
      this.selected = false;
      i2c.completeStop();
      if (frame) this.onFrame();
    };
  }

  take(value) {
    if (this.control < 0) {
      this.control = value;
      return;
    }
    if (this.control & 0x40) this.data(value);
    else this.command(value);
    if (this.control & 0x80) this.control = -1; // Co: one byte per control byte
  }

  command(value) {
    const cmd = this.cmd;
    cmd.push(value);
    if (cmd.length <= (ARGS[cmd[0]] || 0)) return;
    this.cmd = [];
    const c = cmd[0];
    if (c === 0x20) this.mode = cmd[1] & 3;
    else if (c === 0x21) { this.col0 = this.col = cmd[1] & 127; this.col1 = cmd[2] & 127; }
    else if (c === 0x22) { this.page0 = this.page = cmd[1] & 7; this.page1 = cmd[2] & 7; }
    else if (c >= 0xb0 && c <= 0xb7) this.page = c & 7;
    else if (c <= 0x0f) this.col = (this.col & 0xf0) | c;
    else if (c <= 0x1f) this.col = (this.col & 0x0f) | ((c & 0x0f) << 4);
    else if (c === 0xa0 || c === 0xa1) this.segRemap = c === 0xa1;
    else if (c === 0xc0 || c === 0xc8) this.comRemap = c === 0xc8;
    else if (c === 0xa6 || c === 0xa7) this.inverted = c === 0xa7;
    else if (c === 0xae || c === 0xaf) this.on = c === 0xaf;
  }

  data(value) {
    this.dataBytes++;
    this.wroteData = true;
    this.gddram[this.page * WIDTH + this.col] = value;
    if (this.mode === 2) { // page mode: the column wraps within the page
      this.col = (this.col + 1) & 127;
      return;
    }
    if (this.mode === 0) { // horizontal: column, then page, within the window
      if (this.col < this.col1) this.col++;
      else { this.col = this.col0; this.page = this.page < this.page1 ? this.page + 1 : this.page0; }
    } else { // vertical
      if (this.page < this.page1) this.page++;
      else { this.page = this.page0; this.col = this.col < this.col1 ? this.col + 1 : this.col0; }
    }
  }

  /** 1 when the pixel at (x, y) as a viewer sees it is lit. */
  pixel(x, y) {
    if (!this.on) return 0;
    const row = this.comRemap ? y : HEIGHT - 1 - y; // modules are mounted so that remap shows upright
    const col = this.segRemap ? x : WIDTH - 1 - x;
    return ((this.gddram[(row >> 3) * WIDTH + col] >> (row & 7)) & 1) ^ (this.inverted ? 1 : 0);
  }

  /** The screen as a viewer sees it, MONO_HLSB (bit 7 = leftmost), as a hex string. */
  frame() {
    const out = Buffer.alloc(WIDTH * HEIGHT / 8);
    for (let y = 0; y < HEIGHT; y++) {
      for (let x = 0; x < WIDTH; x++) {
        if (this.pixel(x, y)) out[y * 16 + (x >> 3)] |= 0x80 >> (x & 7);
      }
    }
    return out.toString('hex');
  }
}
