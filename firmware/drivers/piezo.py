"""A passive buzzer or piezo on a PWM pin: a square wave at the cue's pitch.

Half duty is the loudest square wave; duty 0 is silence (the PWM keeps
running, so the next tone starts at once).
"""

from micropython import const

_HALF = const(32768)


class Piezo:
    def __init__(self, pwm):
        self.pwm = pwm  # a machine.PWM
        pwm.duty_u16(0)

    def tone(self, freq_hz):
        if freq_hz <= 0:
            self.off()
            return
        self.pwm.freq(freq_hz)
        self.pwm.duty_u16(_HALF)

    def off(self):
        self.pwm.duty_u16(0)
