// usb.js: the Pico's USB CDC serial (MicroPython's REPL), bridged to a host stream.
//
// rp2040js plays the USB host.  Two of its habits differ from a PC's:
// - it answers every read of the OUT endpoint at once, with an empty packet when
//   the host has nothing to send, so the firmware wakes every ~10 us and never
//   idles (emulator gap 2): here a read waits until the host has bytes;
// - MicroPython holds its banner until the host sends something (gap 3): a CR is
//   sent when the device is configured, as a terminal program's first keypress.
import { USBCDC } from 'rp2040js';

export class SerialBridge {
  /** `write(bytes)`: where the watch's output goes (the host's side); `onConnected()`: USB is up. */
  constructor(mcu, write, onConnected = () => {}) {
    this.usb = mcu.usbCtrl;
    this.cdc = new USBCDC(this.usb);
    this.queue = []; // host -> watch bytes not yet read by the firmware (Buffers)
    this.heldRead = -1; // the size of an OUT read the firmware is waiting on, -1: none
    this.connected = false;
    this.bytesIn = 0;
    this.bytesOut = 0;
    this.cdc.onDeviceConnected = () => {
      this.connected = true;
      this.send(Buffer.from('\r'));
      onConnected();
    };
    this.cdc.onSerialData = (data) => {
      this.bytesOut += data.length;
      write(Buffer.from(data));
    };
    this.usb.onEndpointRead = (endpoint, size) => {
      if (endpoint !== this.cdc.outEndpoint) return;
      if (this.queued() === 0) {
        this.heldRead = size; // answered by send()
        return;
      }
      this.answer(size);
    };
  }

  queued() {
    let n = 0;
    for (const b of this.queue) n += b.length;
    return n;
  }

  answer(size) {
    const out = new Uint8Array(Math.min(size, this.queued()));
    let at = 0;
    while (at < out.length) {
      const head = this.queue[0];
      const take = Math.min(head.length, out.length - at);
      out.set(head.subarray(0, take), at);
      at += take;
      if (take === head.length) this.queue.shift();
      else this.queue[0] = head.subarray(take);
    }
    this.usb.endpointReadDone(this.cdc.outEndpoint, out);
  }

  /** Bytes from the host to the watch. */
  send(data) {
    if (!data.length) return;
    this.bytesIn += data.length;
    this.queue.push(Buffer.from(data));
    if (this.heldRead >= 0 && this.cdc.outEndpoint >= 0) {
      const size = this.heldRead;
      this.heldRead = -1;
      this.answer(size);
    }
  }
}
