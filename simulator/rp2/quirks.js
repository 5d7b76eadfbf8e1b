// quirks.js: where rp2040js differs from a real RP2040 in ways the firmware meets,
// and what the harness does instead (each one is in simulator/rp2/README.md).
//
// - UART TX interrupt (gap 4): the emulated UART raises its TX interrupt again
//   right after the firmware clears it, so `machine.UART()` spins in its IRQ
//   handler for ever.  Here the TX interrupt is edge-like: raised once a byte is
//   written to UARTDR (the byte is "sent" at once, the FIFO has room again).
// - Reset (gap 5): `machine.reset()` (and a watchdog that runs out) triggers the
//   watchdog, which rp2040js reports but cannot act on; `onReset` is called, and
//   the harness ends with EXIT.RESET so its supervisor starts it again on the
//   same flash image, as the chip's reset would.
const UARTDR = 0x00;
const UART_TX_INTR = 1 << 5;
const WATCHDOG_BASE = 0x40058;

export function fixUartTxInterrupt(mcu) {
  for (const uart of mcu.uart) {
    uart.checkInterrupts = function () {
      this.rp2040.setInterrupt(this.irq, !!(this.interruptStatus & this.interruptMask));
    };
    const write = uart.writeUint32.bind(uart);
    uart.writeUint32 = (offset, value) => {
      write(offset, value);
      if (offset === UARTDR) {
        uart.interruptStatus |= UART_TX_INTR;
        uart.checkInterrupts();
      }
    };
  }
}

export function onReset(mcu, handler) {
  mcu.peripherals[WATCHDOG_BASE].onWatchdogTrigger = handler;
}
