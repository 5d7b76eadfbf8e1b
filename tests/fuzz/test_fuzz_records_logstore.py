"""Fuzzing the flash log: the record decoder and the LogStore recovery, on a real log from the sim.

A log written by the real firmware on the simulated watch (sessions with a pause, a
skip, a stop, check-ins) is damaged: bit flips, truncation, random bytes appended,
well-formed frames of any type appended, a torn frame.  Then:

- the decoder gives whole frames or RecordError, nothing else;
- ``LogStore.open()`` never raises; it cuts at the last good frame (what it keeps is
  the damaged file's own bytes, up to the end of its last session, never past the
  first bad frame), keeps every session that was intact before the damage byte for
  byte, closes an open session as interrupted at its last record, never reuses a
  sequence number, and a second open changes nothing;
- the same damaged logs recovered by MicroPython on a real LittleFS give the same
  bytes as CPython (a sample: RUNCUE_FUZZ_MPY_CASES, default 300).

Examples per property: RUNCUE_FUZZ_EXAMPLES (default 300), derandomized.
"""

import json
import os
import random
import shutil
import tempfile
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_fuzz_program import EXAMPLES, time_limit

from runcue import records
from runcue.logstore import LogStore
from runcue_host import sim

import mpy

FUZZ = settings(max_examples=EXAMPLES, deadline=timedelta(seconds=5), derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
MPY_CASES = int(os.environ.get("RUNCUE_FUZZ_MPY_CASES", "300"))
MP_RECOVER = os.path.join(os.path.dirname(os.path.dirname(__file__)), "faults", "mp_recover.py")

STOP_EARLY = [
    {"on": "home", "presses": ["A"], "delay_ms": 1000},
    {"on": "checkin_before", "presses": ["A"], "delay_ms": 300},
    {"on": "running", "presses": ["A+"], "delay_ms": 45000},
    {"on": "stop_confirm", "presses": ["A"], "delay_ms": 500},
    {"on": "checkin_after", "presses": ["B", "A"], "delay_ms": 300},
    {"on": "checkin_talk", "presses": ["B", "A"], "delay_ms": 300},
    {"on": "checkin_reason", "presses": ["B", "A"], "delay_ms": 300},
    {"on": "summary", "presses": ["A"], "delay_ms": 300},
]


def _real_log():
    from faults.common import PROG_A, SESSION_SCRIPT, new_image, run_ok

    tmp = tempfile.mkdtemp(prefix="runcue-fuzz-log-")
    try:
        image = new_image(os.path.join(tmp, "w.img"))
        run_ok(image, program_json=PROG_A.to_json(), sessions=2)
        run_ok(image, buttons=SESSION_SCRIPT)
        run_ok(image, buttons=STOP_EARLY)
        run_ok(image, sessions=1)
        return sim.read_flash(image)["log"]
    finally:
        shutil.rmtree(tmp)


LOG = _real_log()


def frames_at(data):
    """[(offset, rtype, fields, length)] of the whole frames at the start of ``data``; and where they stop."""
    out = []
    pos = 0
    while pos < len(data):
        n = records.check_frame(data, pos)
        if not n:
            break
        rtype, fields, _ = records.decode_frame(data, pos)
        out.append((pos, rtype, fields, n))
        pos += n
    return out, pos


def session_spans(data):
    """(start, end) of each session of an undamaged log (a CHECKIN after its end included)."""
    spans = []
    for pos, rtype, _f, n in frames_at(data)[0]:
        if rtype in (records.START, records.SUMMARY) and not (
                rtype == records.SUMMARY and spans and spans[-1][2] == "open"):
            spans.append([pos, pos + n, "closed" if rtype == records.SUMMARY else "open"])
        elif spans:
            spans[-1][1] = pos + n
            if rtype in (records.END, records.SUMMARY):
                spans[-1][2] = "closed"
    return [(a, b) for a, b, _ in spans]


SPANS = session_spans(LOG)


def test_the_real_log_has_the_sessions_the_fuzzing_needs():
    kinds = [records.TYPE_NAMES[t] for _p, t, _f, _n in frames_at(LOG)[0]]
    assert frames_at(LOG)[1] == len(LOG) and len(SPANS) == 5
    assert {"start", "seg", "skip", "pause", "resume", "end", "checkin"} <= set(kinds)


def frame_strategy():
    sizes = {"B": 255, "H": 65535, "I": 2 ** 32 - 1, "Q": 2 ** 64 - 1}

    def fields_for(rtype):
        return st.tuples(*[st.one_of(st.integers(0, 5), st.integers(0, sizes[c]))
                           for c in records.FORMATS[rtype][1:]])

    return st.integers(records.START, records.SUMMARY).flatmap(
        lambda t: fields_for(t).map(lambda f: records.encode(t, *f)))


@st.composite
def damaged(draw):
    """(damaged bytes, offset of the first damaged byte) from LOG."""
    data = bytearray(LOG)
    first_bad = len(LOG)
    for op in draw(st.lists(st.sampled_from(["flip", "truncate", "garbage", "frames", "torn", "flip_tail"]),
                            min_size=1, max_size=3)):
        if op in ("flip", "flip_tail") and data:
            low = 0 if op == "flip" else max(0, len(data) - 60)
            i = draw(st.integers(low * 8, len(data) * 8 - 1))
            data[i // 8] ^= 1 << (i % 8)
            first_bad = min(first_bad, i // 8)
        elif op == "truncate":
            n = draw(st.integers(0, len(data)))
            del data[n:]
            first_bad = min(first_bad, n)
        elif op == "garbage":
            data += draw(st.binary(min_size=1, max_size=60))
        elif op == "frames":
            data += b"".join(draw(st.lists(frame_strategy(), min_size=1, max_size=3)))
        elif op == "torn":
            frame = draw(frame_strategy())
            data += frame[:draw(st.integers(1, len(frame) - 1))]
    return bytes(data), first_bad


# -- the decoder ---------------------------------------------------------------------------------

@FUZZ
@given(damaged())
def test_decoder_on_a_damaged_real_log(case):
    data, first_bad = case
    with time_limit():
        frames, stop = frames_at(data)
        try:
            whole = records.decode_all(data)
        except records.RecordError as e:
            assert str(e) == "no intact record at byte %d" % stop
            assert stop < len(data)
        else:
            assert stop == len(data) and len(whole) == len(frames)
    # every frame before the damage decodes as it was written
    assert stop >= max([b for a, b in SPANS if b <= first_bad] + [0])


@FUZZ
@given(st.binary(max_size=300), st.integers(0, 300))
def test_decoder_on_random_bytes_at_any_offset(data, pos):
    with time_limit():
        try:
            rtype, fields, n = records.decode_frame(data, min(pos, len(data)))
        except records.RecordError:
            return
    assert records.START <= rtype <= records.SUMMARY and n == records.payload_size(rtype) + records.OVERHEAD
    assert records.encode(rtype, *fields) == data[min(pos, len(data)):min(pos, len(data)) + n]


# -- recovery -------------------------------------------------------------------------------------

def recover(files):
    """Write ``files`` into a fresh log dir, open a LogStore there: (files after, recovered, store, again)."""
    root = tempfile.mkdtemp(prefix="runcue-fuzz-rec-")
    try:
        for name, data in files.items():
            with open(os.path.join(root, name), "wb") as f:
                f.write(data)
        store = LogStore(root)
        rec = store.open()
        after = {n: open(os.path.join(root, n), "rb").read() for n in sorted(os.listdir(root)) if n.endswith(".log")}
        again = LogStore(root)
        rec2 = again.open()
        after2 = {n: open(os.path.join(root, n), "rb").read() for n in sorted(os.listdir(root)) if n.endswith(".log")}
        return after, rec, store, (rec2, after2 == after, again.next_seq)
    finally:
        shutil.rmtree(root)


def interrupted_end(frames):
    active = paused = 0
    for _p, rtype, fields, _n in frames:
        if rtype in (records.SEG, records.SKIP, records.PAUSE):
            active = fields[0]
        elif rtype == records.RESUME:
            paused += fields[0]
    return records.encode(records.END, records.INTERRUPTED, active, active + paused)


def check_recovery(data, first_bad, out, rec, store, again, offset=0):
    """The rules, for one damaged last file ``data`` (``offset``: where it starts in LOG)."""
    full, stop = frames_at(data)
    if out is None:  # the file was removed: nothing intact was in it
        assert not any(t in (records.START, records.SUMMARY) for _p, t, _f, _n in full), "a session was dropped"
        return
    # what is kept is the file's own bytes, up to a frame boundary, maybe plus END(INTERRUPTED)
    if data.startswith(out):
        good = len(out)
        added = b""
    else:
        good = len(out) - (records.payload_size(records.END) + records.OVERHEAD)
        added = out[good:]
        assert data[:good] == out[:good], "recovery changed kept bytes"
    assert good <= stop, "kept bytes past the first bad frame"
    assert good in [p for p, _t, _f, _n in full] + [stop], "not cut at a frame boundary"
    # never lose a session that was intact before the damage
    intact = max([b - offset for a, b in SPANS if b <= first_bad and a >= offset] + [0])
    assert good >= intact, "an intact session was cut (kept %d of %d bytes)" % (good, intact)
    # never cut into a session that began before the first bad frame
    assert not any(t in (records.START, records.SUMMARY) and p >= good for p, t, _f, _n in full)
    # an open session at the end is closed as interrupted at its last record
    kept = [f for f in full if f[0] < good]
    opens = [i for i, f in enumerate(kept) if f[1] in (records.START, records.SUMMARY)]
    if added:
        last = kept[opens[-1]:]
        assert added == interrupted_end(last), "END(INTERRUPTED) is not at the last record"
        assert not any(f[1] in (records.END, records.SUMMARY) for f in last[1:])
    records.decode_all(out)
    seqs = [f[2][0] for f in frames_at(out)[0] if f[1] == records.START]
    assert store.next_seq > max(seqs + [0])
    rec2, unchanged, next2 = again
    assert rec2 == {"cut_bytes": 0, "closed": []} and unchanged and next2 == store.next_seq
    assert rec["cut_bytes"] == len(data) - good


@FUZZ
@given(damaged())
def test_recovery_of_a_damaged_real_log(case):
    data, first_bad = case
    with time_limit():
        after, rec, store, again = recover({"00000001.log": data})
    check_recovery(data, first_bad, after.get("00000001.log"), rec, store, again)


@FUZZ
@given(damaged(), st.integers(1, len(SPANS) - 1))
def test_recovery_touches_only_the_last_file(case, split_after):
    """Sessions 1..k in an earlier segment file, the damaged rest in the last: the earlier one stays."""
    data, first_bad = case
    cut = SPANS[split_after - 1][1]
    first = LOG[:cut]
    if first_bad < cut or len(data) < cut:
        return  # damage in the earlier file is not the power-cut case: only the last file is written
    seq = records.decode_frame(LOG, cut)[1][0]
    last_name = "%08d.log" % seq
    with time_limit():
        after, rec, store, again = recover({"00000001.log": first, last_name: data[cut:]})
    assert after["00000001.log"] == first
    check_recovery(data[cut:], first_bad, after.get(last_name), rec, store, again, offset=cut)


# -- the same recovery on MicroPython (LittleFS on a RAM block device) -------------------------------

def _mp_cases(n, seed=20261125):
    rnd = random.Random(seed)
    out = []
    for _ in range(n):
        data = bytearray(LOG)
        for _op in range(rnd.randint(1, 3)):
            op = rnd.choice(["flip", "truncate", "garbage", "frame", "torn"])
            if op == "flip" and data:
                i = rnd.randrange(len(data) * 8)
                data[i // 8] ^= 1 << (i % 8)
            elif op == "truncate":
                del data[rnd.randint(0, len(data)):]
            elif op == "garbage":
                data += bytes(rnd.randrange(256) for _ in range(rnd.randint(1, 40)))
            else:
                t = rnd.randint(records.START, records.SUMMARY)
                fields = [rnd.choice([0, 1, 2, 255, 1000]) % (256 if c == "B" else 1 << 16)
                          for c in records.FORMATS[t][1:]]
                frame = records.encode(t, *fields)
                data += frame if op == "frame" else frame[:rnd.randint(1, len(frame) - 1)]
        out.append({"00000001.log": bytes(data)})
    return out


@pytest.mark.skipif(MPY_CASES <= 0, reason="RUNCUE_FUZZ_MPY_CASES=0")
def test_micropython_recovers_damaged_logs_to_the_same_bytes_as_cpython(tmp_path):
    cases = _mp_cases(MPY_CASES)
    path = tmp_path / "cases.jsonl"
    path.write_text("".join(json.dumps({"files": {k: v.hex() for k, v in c.items()}}) + "\n" for c in cases))
    got = [json.loads(line) for line in mpy.run(MP_RECOVER, path, timeout=900).stdout.splitlines()]
    assert len(got) == len(cases)
    differ = []
    for i, (case, mp) in enumerate(zip(cases, got, strict=True)):
        assert "error" not in mp, (i, mp)
        after, rec, store, _again = recover(case)
        want = {"files": {k: v.hex() for k, v in after.items()}, "recovered": rec, "next_seq": store.next_seq}
        if mp != want:
            differ.append((i, mp, want))
    assert not differ, differ[:3]


def test_a_lower_seq_after_the_others_does_not_make_recovery_reuse_a_seq():
    """Found by the fuzzing: a well-formed START of seq 0 after sessions 1..5 (bytes the firmware never
    writes, but a CRC that matches) made the log's "last seq" 0, so with no state file next_seq
    went back to 1 and session numbers would have been reused.  next_seq must pass every seq."""
    data = LOG + records.encode(records.START, 0, 0, 0, 0, 0, 0, 0, 0)
    after, rec, store, again = recover({"00000001.log": data})
    assert store.next_seq == 6
    assert rec["closed"] == [0]
    assert store.last_closed_seq() == 5


@pytest.mark.parametrize("last", [
    records.encode(records.SUMMARY, 6, 0, 255, 255, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0),
    records.encode(records.START, 6, 0, 255, 255, 0, 1, 0, 0) + records.encode(records.END, 0, 0, 0),
], ids=["summary", "end"])
def test_an_end_or_summary_with_status_zero_is_closed_once(last):
    """Found by the fuzzing: an END or SUMMARY frame whose status is 0 (a CRC that matches, bytes the
    firmware never writes) counted as "no end", so every boot appended END(INTERRUPTED) after it and
    the next boot cut that again: a rewrite at every boot.  It is a closed session (the host reads
    it as interrupted, too) and a second open changes nothing."""
    after, rec, store, (rec2, unchanged, _next) = recover({"00000001.log": LOG + last})
    assert after["00000001.log"] == LOG + last and rec == {"cut_bytes": 0, "closed": []}
    assert rec2 == {"cut_bytes": 0, "closed": []} and unchanged
    assert {q: status for q, status, _a, _b in records.sessions_in(after["00000001.log"])}[6] == records.INTERRUPTED
