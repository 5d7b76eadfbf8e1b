"""MicroPython: heap bytes allocated per tick by the engine and the cue player.

    micropython mp_engine_alloc.py LIB_DIR

Plays a 250-segment session deadline by deadline, as firmware/app.py's loop
does without its screen: drain ``Session.tick``, start the cue of each event on
``CuePlayer``, step the player, sleep to the earlier deadline.  The garbage
collector is off, so ``gc.mem_alloc()`` after minus before is every byte
allocated (MicroPython counts whole GC blocks: 32 bytes on this 64-bit port).
Prints one JSON line.
"""

import gc
import sys

sys.path.append(sys.argv[1])

from runcue import cues, engine, program, ticks  # noqa: E402


class Quiet:
    def tone(self, f):
        pass

    def on(self):
        pass

    def off(self):
        pass


def play(sess, player, now, counts):
    sess.start(now)
    player.play(cues.tone_for_event(engine.EV_SEGMENT, sess.kind), now, cues.vib_for_event(engine.EV_SEGMENT, 0))
    while True:
        d = sess.next_deadline()
        p = player.next_deadline()
        if p >= 0 and (d < 0 or ticks.diff(p, d) < 0):
            d = p
        if d < 0:
            break
        now = d
        counts[0] += 1
        ev = sess.tick(now)
        while ev != engine.EV_NONE:
            counts[1] += 1
            if ev != engine.EV_SECOND:
                player.play(cues.tone_for_event(ev, sess.kind), now, cues.vib_for_event(ev, sess.kind))
            ev = sess.tick(now)
        player.step(now)
        sess.remaining_ms(now)
        sess.session_remaining_ms(now)


def main():
    prog = program.make("alloc", "en", [["x", 125, [["run", 20000], ["walk", 37000]]]])
    sess = engine.Session(prog.expand())
    player = cues.CuePlayer(Quiet(), Quiet())
    counts = [0, 0]  # wake-ups, events
    gc.collect()
    gc.disable()
    before = gc.mem_alloc()
    play(sess, player, ticks.PERIOD - 1000000, counts)  # crosses the 2**30 wrap
    allocated = gc.mem_alloc() - before
    gc.enable()
    print('{"wakeups": %d, "events": %d, "bytes": %d, "status": %d}' % (counts[0], counts[1], allocated,
                                                                        sess.status))


main()
