"""Engine traces on both interpreters, checked against rules, and its heap use.

tests/vectors/engine_traces.json holds each case's inputs and its expected
trace.  The expected traces come from ``expected()`` below, a reference model
written from the rules (plan events at start + offset, shifted by pauses and
skips), not from the engine: ``test_vectors_follow_rules`` keeps the file and
the rules in step.  After changing a case's inputs, rewrite its expectations
with ``.venv/bin/python tests/portable/test_engine.py`` and review the diff.
"""

import json
import sys

from runcue import engine, program

import mpy
from conftest import VECTORS, load_vectors, run_driver

PERIOD = 1 << 30
VECTOR_FILE = "engine_traces.json"


def _flatten(items):
    out = []
    for it in items:
        out += _flatten(it[2]) * it[1] if it[0] == "x" else [it]
    return out


def _plan_events(segs, starts):
    """Every event of an unpaused, unskipped run: (plan ms, tie order, name, detail)."""
    evs = [(starts[-1] // 2, 1, "halfway", None), (starts[-1], 0, "finished", "completed")]
    for i, (kind, dur) in enumerate(segs):
        end = starts[i + 1]
        if i:
            evs.append((starts[i], 0, "segment", "%d %s" % (i, kind)))
        evs += [(end - k * 1000, 2, "countdown", k) for k in (1, 2, 3) if k * 1000 < dur]
        evs += [(end - k * 1000, 3, "second", k) for k in range(1, (dur - 1) // 1000 + 1)]
    return sorted(evs, key=lambda e: (e[0], e[1]))


def expected(case):
    """The trace and final state that the rules give for ``case``."""
    segs = _flatten(case["items"])
    starts = [0]
    for _, dur in segs:
        starts.append(starts[-1] + dur)
    total = starts[-1]
    pending = _plan_events(segs, starts)
    t0, keep = case["start"], case.get("seconds", True)
    m = dict(off=0, paused_at=None, ppos=0, seg=0, paused=0, skipped=0, end=None, end_pos=0,
             status="", seconds=0)  # wall ms = plan ms + off while running
    trace = [[t0, "segment", "0 " + segs[0][0]]]

    def emit(w, name, detail):
        m["seconds"] += name == "second"
        if name != "second" or keep:
            trace.append([(t0 + w) % PERIOD, name, detail])

    def finish(w, status, pos):
        m.update(end=w, status=status, end_pos=pos)
        emit(w, "finished", status)

    def run_until(w):
        if m["end"] is not None:
            return
        if m["paused_at"] is not None:
            if m["paused_at"] + engine.PAUSE_LIMIT_MS <= w:
                m["paused"] += engine.PAUSE_LIMIT_MS
                finish(m["paused_at"] + engine.PAUSE_LIMIT_MS, "stopped", m["ppos"])
            return
        while pending and pending[0][0] + m["off"] <= w:
            pos, _, name, detail = pending.pop(0)
            if name == "finished":
                return finish(pos + m["off"], "completed", pos)
            m["seg"] += name == "segment"
            emit(pos + m["off"], name, detail)

    for tick, action in case.get("actions", []):
        w = (tick - t0) % PERIOD
        run_until(w)
        paused = m["paused_at"] is not None
        cur = m["end_pos"] if m["end"] is not None else m["ppos"] if paused else w - m["off"]
        if action == "probe":
            live = m["end"] is None
            rem = max(0, starts[m["seg"] + 1] - cur) if live else 0
            left = max(0, total - cur) if live else 0
            trace.append([tick, "probe", [rem, left, cur - m["skipped"], m["paused"]]])
            continue
        if m["end"] is not None or (action == "pause" and paused) or (action == "resume" and not paused):
            trace.append([tick, "none", action])
            continue
        if action == "pause":
            m.update(paused_at=w, ppos=cur)
            emit(w, "paused", None)
        elif action == "resume":
            d = w - m["paused_at"]
            m.update(off=m["off"] + d, paused=m["paused"] + d, paused_at=None)
            emit(w, "resumed", None)
        elif action == "skip":
            end = starts[m["seg"] + 1]
            m.update(skipped=m["skipped"] + end - cur, off=m["off"] - (end - cur))
            if paused:
                m["ppos"] = end
            pending[:] = [p for p in pending if p[0] > end or (p[0] == end and p[1] != 0)]
            if m["seg"] + 1 == len(segs):
                if paused:
                    m["paused"] += w - m["paused_at"]
                finish(w, "completed", end)
            else:
                m["seg"] += 1
                emit(w, "segment", "%d %s skipped" % (m["seg"], segs[m["seg"]][0]))
        elif action == "stop":
            if paused:
                m["paused"] += w - m["paused_at"]
            finish(w, "stopped", cur)
    run_until(1 << 40)
    final = {"state": "finished", "status": m["status"], "start_tick": t0,
             "end_tick": (t0 + m["end"]) % PERIOD, "active_ms": m["end_pos"] - m["skipped"],
             "paused_ms": m["paused"], "skipped_ms": m["skipped"], "seconds": m["seconds"]}
    return trace, final


def _cases():
    return load_vectors(VECTOR_FILE)["cases"]


def _case(name):
    return next(c for c in _cases() if c["name"] == name)


def test_vectors_follow_rules():
    for case in _cases():
        trace, final = expected(case)
        assert case["trace"] == trace, case["name"]
        assert case["final"] == final, case["name"]


def test_engine_traces(interpreter):
    results = run_driver(interpreter, "engine_driver", VECTOR_FILE)
    for case, got in zip(_cases(), results, strict=True):
        assert got["trace"] == case["trace"], case["name"]
        assert got["final"] == case["final"], case["name"]
        if case.get("late_ms"):
            assert got["max_late"] >= case["late_ms"], "the late case did not wake late"


def _segment_ticks(case):
    return [t for t, name, _ in case["trace"] if name == "segment"]


def test_plain_segments_start_at_start_plus_offset():
    case = _case("plain")
    exp = program.make("t", "en", case["items"]).expand()
    assert _segment_ticks(case) == [case["start"] + exp.start_ms[i] for i in range(exp.n)]
    assert case["final"]["end_tick"] == case["start"] + exp.start_ms[exp.n]


def test_pause_shifts_later_events_by_the_paused_time():
    kinds = ("segment", "countdown", "halfway", "second", "finished")
    plain = [e for e in _case("plain")["trace"] if e[1] in kinds]
    trace = _case("pause_resume")["trace"]
    marks = [t for t, name, _ in trace if name in ("paused", "resumed")]
    pauses = list(zip(marks[::2], marks[1::2], strict=True))
    later = [e for e in trace if e[1] in kinds]
    assert len(pauses) == 2 and len(plain) == len(later)
    for (t, name, detail), (t2, name2, detail2) in zip(plain, later, strict=True):
        shift = sum(b - a for a, b in pauses if b <= t2)
        assert (t2 - shift, name2, detail2) == (t, name, detail)


def test_late_wake_gives_the_same_events():
    plain, late = _case("plain"), _case("late_wake")
    assert late["items"] == plain["items"] and late["trace"] == plain["trace"]


def test_wrap_case_crosses_the_wrap():
    case = _case("four_hours_wrap")
    ticks_seen = [e[0] for e in case["trace"]]
    assert case["start"] > PERIOD - 4 * 3600000 and min(ticks_seen) < case["start"]
    assert case["final"]["end_tick"] < case["start"]


def test_actions_in_the_wrong_state_do_nothing():
    s = engine.Session(program.make("t", "en", [["run", 5000]]).expand())
    assert s.next_deadline() == -1 and s.tick(0) == engine.EV_NONE
    assert (s.pause(0), s.resume(0), s.skip(0), s.stop(0)) == (engine.EV_NONE,) * 4
    assert s.remaining_ms(0) == 5000 and s.session_remaining_ms(0) == 5000 and s.active_ms(0) == 0
    assert s.start(10) == engine.EV_SEGMENT and s.start(10) == engine.EV_NONE
    assert s.resume(11) == engine.EV_NONE and s.stop(12) == engine.EV_FINISHED
    assert s.next_deadline() == -1 and s.tick(99999) == engine.EV_NONE and s.remaining_ms(13) == 0
    assert len(engine.EVENT_NAMES) == engine.EV_RESUMED + 1 and len(engine.STATE_NAMES) == 4


HEAP_SCRIPT = """
import gc, micropython
from runcue import engine, program, ticks

prog = program.make("heap", "en", [["x", 125, [["run", 20000], ["walk", 37000]]]])
gc.collect()
free0 = gc.mem_free()
exp = prog.expand()
sess = engine.Session(exp)
gc.collect()
print("engine heap bytes:", free0 - gc.mem_free())

def play(s, now):
    n = 0
    s.start(now)
    micropython.heap_lock()
    try:
        while True:
            d = s.next_deadline()
            if d < 0:
                break
            now = d
            ev = s.tick(now)
            while ev != engine.EV_NONE:
                n += 1
                ev = s.tick(now)
            n += s.remaining_ms(now) * 0 + s.session_remaining_ms(now) * 0 + s.active_ms(now) * 0
            if s.seg == 7 and s.state == engine.RUNNING:
                s.pause(now)
                s.resume(ticks.add(now, 5000))
            elif s.seg == 9:
                s.skip(now)
    finally:
        micropython.heap_unlock()
    return n

n = play(sess, ticks.PERIOD - 1000000)
print("events", n, "status", sess.status)
"""


def test_no_allocation_per_tick_on_micropython(tmp_path):
    out = mpy.run_code(HEAP_SCRIPT, tmp_path).stdout
    print(out)
    assert "engine heap bytes:" in out
    assert "status 1" in out and "MemoryError" not in out


if __name__ == "__main__":
    path = VECTORS / VECTOR_FILE
    doc = json.loads(path.read_text())
    for case in doc["cases"]:
        case["trace"], case["final"] = expected(case)
    lines = ['{"cases": [']
    for i, case in enumerate(doc["cases"]):
        lines.append("  {")
        for key in [k for k in case if k != "trace"]:
            lines.append("    %s: %s," % (json.dumps(key), json.dumps(case[key])))
        lines.append('    "trace": [')
        lines += ["      %s%s" % (json.dumps(e), "," if j + 1 < len(case["trace"]) else "")
                  for j, e in enumerate(case["trace"])]
        lines.append("    ]")
        lines.append("  }" + ("," if i + 1 < len(doc["cases"]) else ""))
    lines.append("]}")
    path.write_text("\n".join(lines) + "\n")
    sys.exit(0)


def _events(s, t_from, t_to, step=1):
    out = []
    for t in range(t_from, t_to, step):
        ev = s.tick(t % PERIOD)
        while ev != engine.EV_NONE:
            out.append((s.event_tick, engine.EVENT_NAMES[ev], s.seg))
            ev = s.tick(t % PERIOD)
    return out


def test_a_restored_session_goes_on_at_its_planned_times_and_drops_what_fell_due_while_down():
    prog = program.make("r", "en", [["walk", 20000], ["x", 2, [["run", 10000], ["walk", 10000]]]])
    start = PERIOD - 15000  # across the tick wrap
    whole = engine.Session(prog.expand())
    whole.start(start)
    ref = _events(whole, start, start + 60001, 100)
    back = start + 27500 - PERIOD  # the watch came back 27.5 s in, in segment 1
    s = engine.Session(prog.expand())
    assert s.restore(back, start, 0, 0, -1) == engine.EV_SEGMENT
    assert (s.seg, s.state, s.remaining_ms(back), s.shown_s) == (1, engine.RUNNING, 2500, 3)
    got = _events(s, back, start + 60001, 100)
    assert got == [e for e in ref if (e[0] - back) % PERIOD < PERIOD // 2 and e[0] != back]
    assert s.status == engine.COMPLETED and s.active_ms(s.end_tick) == prog.total_ms


def test_a_restore_keeps_pauses_and_skips_and_refuses_a_plan_already_over():
    prog = program.make("r", "en", [["walk", 20000], ["run", 20000]])
    s = engine.Session(prog.expand())
    # paused at plan 5 s (wall 5 s), earlier pauses 3 s, nothing skipped: stays paused
    assert s.restore(60000, 0, 3000, 0, 8000) == engine.EV_SEGMENT
    assert (s.state, s.seg, s.active_ms(60000)) == (engine.PAUSED, 0, 5000)
    assert s.resume(61000) == engine.EV_RESUMED and s.paused_ms == 3000 + 53000
    over = engine.Session(prog.expand())
    assert over.restore(50000, 0, 0, 0, -1) == engine.EV_NONE and over.state == engine.IDLE
    skipped = engine.Session(prog.expand())
    assert skipped.restore(10000, 0, 0, 15000, -1) == engine.EV_SEGMENT  # a skip jumped 15 s
    assert (skipped.seg, skipped.remaining_ms(10000)) == (1, 15000)
