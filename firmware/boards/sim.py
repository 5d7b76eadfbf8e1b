"""The simulated watch: a 128x64 mono screen, buzzer and vibration motor as
events, buttons from a script, flash and clock from ``simhw`` (simulator/).

The boot script (simulator/sim_boot.py) has already mounted the image at '/'.
"""

import time
from binascii import hexlify

import framebuf

import simhw
from boards import BTN_A, BTN_B, LONG
from runcue import ticks


class _Buzzer:
    def __init__(self, vib=False):
        self.vib = vib
        self.freq = 0
        self.since = 0

    def tone(self, freq_hz):
        self.off()
        self.freq = freq_hz
        self.since = simhw.clock.ms()

    def on(self):
        self.tone(1)

    def off(self):
        if self.freq:
            now = simhw.clock.ms()
            if now == self.since:  # replaced at once: nothing sounded
                self.freq = 0
                return
            ev = {"t_ms": self.since, "freq_hz": self.freq, "dur_ms": now - self.since}
            if self.vib:
                ev = {"t_ms": self.since, "vib": True, "dur_ms": now - self.since}
            simhw.emit("cue", ev)
            self.freq = 0


class Clock:
    """The sim's battery-backed RTC (kept in the image, outside the filesystem)."""

    def now(self):
        return simhw.clock.rtc()

    def set(self, unix):
        simhw.clock.set_rtc(unix)

    def uptime_s(self):
        return simhw.clock.ms() // 1000


class Board:
    NAME = "sim"
    WIDTH = 128
    HEIGHT = 64
    WAKE_MS = 0  # no watchdog: a stuck sim is seen by the test that runs it

    def __init__(self):
        self.buf = bytearray(self.WIDTH * self.HEIGHT // 8)
        self.fb = framebuf.FrameBuffer(self.buf, self.WIDTH, self.HEIGHT, framebuf.MONO_HLSB)
        self.buzzer = _Buzzer()
        self.vibrator = _Buzzer(vib=True)
        self.tick_offset = simhw.CONFIG.get("tick_offset", 0)
        self.screen = ""
        self.battery = simhw.CONFIG.get("battery", 100)

    def mount(self):
        pass  # sim_boot mounted the image at '/'

    def feed(self):
        pass

    def release(self):
        pass

    def ticks(self):
        return ticks.wrap(simhw.clock.ms() + self.tick_offset)

    def uptime_s(self):
        return simhw.clock.ms() // 1000

    def rtc(self):
        return simhw.clock.rtc()

    def set_rtc(self, unix):
        simhw.clock.set_rtc(unix)

    def battery_pct(self):
        return self.battery

    def show(self, screen):
        now = simhw.clock.ms()
        changed = screen != self.screen
        if changed:
            if not self.screen:  # the first screen: the boot is over
                simhw.emit("booted", {"real_ms": time.ticks_diff(time.ticks_ms(), simhw.BOOT_TICKS)})
            self.screen = screen
            simhw.emit("show", {"t_ms": now, "name": screen})
            simhw.buttons.screen_shown(screen, now)
        shots = simhw.CONFIG.get("screenshots")  # "changes": a new screen; "all": every redraw
        if shots == "all" or (shots == "changes" and changed):
            simhw.emit("screen", {"t_ms": now, "name": screen, "w": self.WIDTH, "h": self.HEIGHT,
                                  "fb": hexlify(self.buf).decode()})

    def wait(self, deadline):
        """Sleep until ``deadline`` (a tick) or the next scripted press."""
        simhw.probe_heap()
        clock = simhw.clock
        now = clock.ms()
        target = -1
        if deadline >= 0:
            target = now + max(0, ticks.diff(deadline, self.ticks()))
        press_at = simhw.buttons.next_time()
        wake = target if target >= 0 else None
        if press_at is not None and (wake is None or press_at < wake):
            wake = press_at
        simhw.faults.meet(wake, self.screen)  # an injected exception or reset due before the wake-up
        now = clock.ms()
        if press_at is not None and (target < 0 or press_at < target):
            clock.advance_to(max(now, press_at))
            press = simhw.buttons.take(clock.ms())
            if press:
                simhw.emit("press", {"t_ms": clock.ms(), "button": press[0], "long": press[1]})
                return (BTN_A if press[0] == "A" else BTN_B) + (LONG if press[1] else 0)
            return 0
        if target < 0:
            if simhw.CONFIG.get("exit_when_idle", True):
                if simhw.buttons.idle():
                    simhw.finish(self.screen)
                if simhw.buttons.stuck():  # nothing due, so no screen can change any more
                    simhw.stuck(self.screen)
            clock.advance_to(now + 1000)  # the twin's idle watch: nothing to do but wait
            return 0
        clock.advance_to(target)
        return 0
