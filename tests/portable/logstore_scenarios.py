"""Log store scenarios, the same code on CPython and on MicroPython.

CPython writes into a temp dir; MicroPython into a real LittleFS (VfsLfs2) on
a RAM block device.  ``run(vectors)`` returns one JSON-able dict of facts per
scenario; tests/portable/test_logstore.py asserts them for both interpreters.  As a
script (MicroPython) it prints that dict as JSON.
"""

import json
import os
import sys

from runcue import records as R
from runcue.logsync import SyncLog

MP = sys.implementation.name == "micropython"
if MP:
    from logstore_ramdisk import PowerCut, RAMBlockDev, mount, umount
else:
    import shutil
    import tempfile


class Disk:
    """An empty filesystem: a fresh RAM LittleFS (MicroPython) or a temp dir (CPython)."""

    def __init__(self, blocks=256, block_size=512):
        self.capacity = (blocks - 6) * block_size  # CPython's stand-in for statvfs
        if MP:
            self.bd = RAMBlockDev(blocks, block_size)
            self.point = mount(self.bd)
        else:
            self.point = tempfile.mkdtemp()
        self.root = self.point + "/log"

    def free(self):
        return self.capacity - sum(os.stat(self.root + "/" + n)[6] for n in os.listdir(self.root))

    def store(self, **kw):
        s = SyncLog(self.root, **kw)
        if not MP:
            s.free_bytes = self.free
        s.open()
        return s

    def logs(self):
        return sorted(n for n in os.listdir(self.root) if n.endswith(".log"))

    def close(self):
        if MP:
            umount(self.point)
        else:
            shutil.rmtree(self.point)


def raw(path):
    with open(path, "rb") as f:
        return f.read()


def put(path, data):
    with open(path, "wb") as f:
        f.write(data)


def play(store, v, status=R.COMPLETED, checkin="before_end"):
    """A whole week-1 session; (seq, logging off at its start, every write's result)."""
    seq = store.begin(v["program_id"], v["plan"][0], v["plan"][1], v["rtc0"] + 86400 * store.next_seq,
                      12, v["mood_before"])
    off = store.logging_off
    oks = []
    t = 0
    for d in v["segments_s"][:-1]:
        t += d
        oks.append(store.append(R.SEG, t))
    if checkin == "before_end":
        oks.append(store.append(R.CHECKIN, *v["checkin"]))
    total = t + v["segments_s"][-1]
    oks.append(store.end(status, total, total))
    if checkin == "after_end":
        oks.append(store.checkin(*v["checkin"]))
    return seq, off, oks


def shape(data):
    """[seq, frame count, first type, last type] per session in raw log bytes."""
    out = []
    is_open = False
    for rtype, fields in R.decode_all(data):
        if rtype == R.START or (rtype == R.SUMMARY and not (is_open and out[-1][0] == fields[0])):
            out.append([fields[0], 0, rtype, rtype])
        out[-1][1] += 1
        out[-1][3] = rtype
        is_open = rtype != R.END and rtype != R.SUMMARY
    return out


def rle(runs, item):
    """Append ``item`` to a run-length list of [count] + item."""
    if runs and runs[-1][1:] == item:
        runs[-1][0] += 1
    else:
        runs.append([1] + item)


def last_frame(data):
    frames = R.decode_all(data)
    return [frames[-1][0], list(frames[-1][1])]


def write_reopen_read(v):
    d = Disk()
    s = d.store()
    for _ in range(5):
        play(s, v, R.STOPPED if s.next_seq == 3 else R.COMPLETED)
    one = s.read_from(1, 1)[0]
    by_type = {}
    for rtype, _ in R.decode_all(one):
        name = R.TYPE_NAMES[rtype]
        by_type[name] = by_type.get(name, 0) + R.OVERHEAD + R.payload_size(rtype)
    first_id = s.device_id
    s.close()
    s = d.store()
    out = {"bytes_per_session": {"total": len(one), "frames": len(R.decode_all(one)), "by_type": by_type},
           "reopen": {"boots": s.boots, "same_id": s.device_id == first_id, "id_len": len(s.device_id),
                      "next_seq": s.next_seq, "recovered": s.recovered, "sessions": list(s.sessions()),
                      "first": s.first_seq(), "last_closed": s.last_closed_seq(),
                      "unsynced": s.unsynced_count(), "bytes_used": s.bytes_used(), "files": d.logs()}}
    chunks = []
    joined = b""
    cur = 1
    while True:
        data, nxt = s.read_from(cur, 400)
        if not data:
            break
        chunks.append([cur, len(data), nxt, shape(data)])
        joined += data
        cur = nxt
    out["chunks"] = chunks
    out["at_end"] = list(s.read_from(cur, 400))
    out["at_end"][0] = len(out["at_end"][0])
    out["whole_equals_chunks"] = s.read_from(1, 100000)[0] == joined
    data, nxt = s.read_from(2, 1)
    out["tiny"] = [len(data), nxt, shape(data)]
    data, nxt = s.read_from(99, 1000)
    out["beyond"] = [len(data), nxt]
    t = SyncLog(d.root)
    t.open(boot=False)  # the sync service's open
    u = SyncLog(d.root)
    u.open()
    out["sync_open_boots"] = [t.boots, u.boots]
    d.close()
    return out


def torn_tail(v, how):
    d = Disk()
    s = d.store()
    for _ in range(3):
        play(s, v)
    s.close()
    path = d.root + "/00000001.log"
    data = raw(path)
    if how == "truncate":
        put(path, data[:-5])
    elif how == "garbage":
        put(path, data + b"\x02\x02\x99\x00garbage")
    else:  # a flipped bit in the last frame
        b = bytearray(data)
        b[-7] ^= 0x40
        put(path, b)
    s = d.store()
    new = raw(path)
    keep = len(data) - (R.OVERHEAD + R.payload_size(R.END))
    out = {"recovered": s.recovered, "sessions": list(s.sessions()), "prefix_kept": new[:keep] == data[:keep],
           "intact_file": shape(new), "tail": last_frame(new), "next_seq": s.next_seq,
           "size_change": len(new) - len(data)}
    d.close()
    return out


def interrupted(v):
    d = Disk()
    s = d.store()
    play(s, v)
    seq = s.begin(v["program_id"], 1, 2, 0, 40, 2)
    oks = [s.append(R.SEG, 300), s.append(R.SEG, 360), s.append(R.PAUSE, 400), s.append(R.RESUME, 30),
           s.append(R.SEG, 420), s.append(R.SKIP, 450)]
    data, nxt = s.read_from(1, 100000)
    try:
        s.ack(seq)
        ack_open = "accepted"
    except ValueError:
        ack_open = "ValueError"
    during = {"oks": oks, "read": [shape(data), nxt], "unsynced": s.unsynced_count(),
              "sessions": list(s.sessions()), "ack_open": ack_open, "last_closed": s.last_closed_seq()}
    s.close()  # power gone: no END
    s = d.store()
    data, nxt = s.read_from(seq, 100000)
    out = {"seq": seq, "during": during, "recovered": s.recovered, "sessions": list(s.sessions()),
           "read": [shape(data), nxt], "tail": last_frame(data), "next_seq": s.next_seq,
           "unsynced": s.unsynced_count()}
    d.close()
    return out


def late_checkin(v):
    """The check-in answered after end(): it still belongs to its session."""
    d = Disk()
    s = d.store()
    out = {"nothing_ended": s.checkin(3, 1, 0), "logged": play(s, v, checkin="after_end")[2][-2:],
           "twice": s.checkin(3, 1, 0)}
    play(s, v, checkin="none")  # the power fails on the check-in screen
    s.close()
    s = d.store()
    out["recovered"] = s.recovered
    s.free_bytes = lambda: 0  # flash full: SUMMARY, then the check-in, into the reserve
    out["off"] = play(s, v, checkin="after_end")[1:]
    out["sessions"] = list(s.sessions())
    out["shapes"] = shape(s.read_from(1, 100000)[0])
    s.close()
    path = d.root + "/00000001.log"
    put(path, raw(path)[:-3])  # the last check-in torn
    s = d.store()
    out["torn"] = [s.recovered, list(s.sessions()), shape(s.read_from(3, 100000)[0])]
    d.close()
    return out


def seq_never_reused(v, case):
    d = Disk()
    s = d.store()
    play(s, v)
    play(s, v)
    if "trimmed" in case:
        s.ack(2)
    s.close()
    state = d.root + "/state"
    if "deleted" in case:
        os.remove(state)
    if "corrupt" in case:
        b = bytearray(raw(state))
        b[len(b) // 3] ^= 0x01
        put(state, b)
    t = d.store()
    seq = play(t, v)[0]
    out = {"seq": seq, "files": d.logs(), "same_id": t.device_id == s.device_id, "boots": t.boots,
           "sessions": list(t.sessions())}
    d.close()
    return out


def ack_trim(v):
    d = Disk()
    s = d.store(segment_bytes=512)
    for _ in range(8):
        play(s, v)
    out = {"files": d.logs(), "sessions": list(s.sessions())}
    steps = []
    for a in (2, 5, 3, 6):
        steps.append([a, s.ack(a), s.acked, d.logs(), s.first_seq(), s.unsynced_count()])
    try:
        s.ack(9)
        steps.append("ack 9 accepted")
    except ValueError:
        steps.append("ack 9 refused")
    out["steps"] = steps
    s.close()
    for how in ("missing", "corrupt"):
        if how == "missing":
            os.remove(d.root + "/ack")
        else:
            put(d.root + "/ack", b'{"acked": 8}\n00000000\n')
        s = d.store(segment_bytes=512)
        data, nxt = s.read_from(1, 100000)
        out[how] = [s.acked, s.first_seq(), s.unsynced_count(), [x[0] for x in shape(data)], nxt]
        s.close()
    s = d.store(segment_bytes=512)
    s.ack(8)
    out["all_acked"] = [d.logs(), s.bytes_used(), s.first_seq(), s.last_closed_seq(), s.unsynced_count(),
                        s.ack(8), list(s.sessions())]
    seq = play(s, v)[0]
    out["after"] = [seq, d.logs(), s.unsynced_count()]
    d.close()
    return out


def flash_full(v, reserve):
    """Sessions until logging is off and two more after; then ack and log again."""
    d = Disk(blocks=64, block_size=512)
    s = d.store(reserve_bytes=reserve)
    runs = []
    err = None
    try:
        while len(runs) < 200 and sum(r[0] for r in runs if r[1]) < 2:
            seq, off, oks = play(s, v)
            rle(runs, [off, oks.count(False), oks[-1]])  # [sessions, off at start, failed, end stored]
        data, nxt = s.read_from(1, 100000)
        seqs = [x[0] for x in shape(data)]
        stored = {"seqs": [seqs[0], seqs[-1], len(seqs)], "next": nxt, "shapes": [], "last": last_frame(data)}
        for x in shape(data):
            rle(stored["shapes"], x[1:])  # [sessions, frames, first type, last type]
        before = {"unsynced": s.unsynced_count(), "last_closed": s.last_closed_seq(), "files": len(d.logs())}
        s.ack(s.last_closed_seq())
        resumed = [s.logging_off, d.logs()]
        seq, off, oks = play(s, v)
        resumed += [off, oks.count(False), shape(s.read_from(seq, 100000)[0])]
    except Exception as e:  # noqa: B902 - any exception is the failure being looked for
        err = repr(e)
        stored = before = resumed = None
    out = {"error": err, "runs": runs, "stored": stored, "before": before, "resumed": resumed}
    d.close()
    return out


def after_cut(image, k, v, in_open=False):
    """The flash image after a power cut at write ``k`` of a session (or of open()); None: no cut."""
    bd = RAMBlockDev(len(image) // 512, 512, image)
    point = mount(bd, fresh=False)
    s = SyncLog(point + "/log")
    if not in_open:
        s.open()
    bd.cut_at = bd.writes + k
    try:
        s.open() if in_open else play(s, v)
    except PowerCut:
        s.close()
    umount(point)
    return bd.image


def check_reboot(image, before, v):
    """Reboot on ``image``: the third session's status and what is wrong ("" if nothing)."""
    point = mount(RAMBlockDev(len(image) // 512, 512, image), fresh=False)
    try:
        s = SyncLog(point + "/log")
        s.open()
        sessions = list(s.sessions())
        third = sessions[2][1] if len(sessions) > 2 else "absent"
        wrong = ""
        if sessions[:2] != [(1, R.COMPLETED), (2, R.COMPLETED)] or \
                s.read_from(1, 1)[0] + s.read_from(2, 1)[0] != before:
            wrong = "sessions 1-2 changed: %r" % sessions
        elif len(sessions) > 3 or third == 0 or s.next_seq <= sessions[-1][0]:
            wrong = "bad state: %r next %d" % (sessions, s.next_seq)
        else:
            seq, off, oks = play(s, v)
            if off or False in oks or (seq <= 3 and third != "absent"):
                wrong = "next session: %d %r %r" % (seq, off, oks)
    except Exception as e:  # noqa: B902 - any exception is a failure
        third, wrong = "error", repr(e)
    umount(point)
    return third, wrong


def power_cut(v):
    """A power cut at every block write of a third session, and some during the recovery after."""
    if not MP:
        return None
    d = Disk(blocks=64)
    s = d.store()
    play(s, v)
    play(s, v)
    s.close()
    before = s.read_from(1, 100000)[0]
    umount(d.point)
    image = bytes(d.bd.data)
    out = {"cut_points": 0, "recovery_cut_points": 0, "outcomes": {}, "failures": []}
    k = 1
    while True:
        cut = after_cut(image, k, v)
        if cut is None:
            break
        out["cut_points"] += 1
        third, wrong = check_reboot(cut, before, v)
        out["outcomes"][third] = out["outcomes"].get(third, 0) + 1
        if wrong:
            out["failures"].append([k, wrong])
        j = 1
        while k % 8 == 0:  # the power fails again while open() recovers
            cut2 = after_cut(cut, j, v, in_open=True)
            if cut2 is None:
                break
            out["recovery_cut_points"] += 1
            wrong = check_reboot(cut2, before, v)[1]
            if wrong:
                out["failures"].append([k, j, wrong])
            j += 1
        k += 1
    return out


def run(vectors):
    v = vectors
    out = {"write_reopen_read": write_reopen_read(v), "interrupted": interrupted(v),
           "ack_trim": ack_trim(v), "power_cut": power_cut(v), "late_checkin": late_checkin(v),
           "flash_full_reserve": flash_full(v, 3 * 512), "flash_full_enospc": flash_full(v, 0)}
    for how in ("truncate", "garbage", "flip"):
        out["torn_" + how] = torn_tail(v, how)
    for case in ("state_deleted", "state_corrupt", "all_trimmed", "all_trimmed_state_deleted"):
        out["reuse_" + case] = seq_never_reused(v, case)
    return json.loads(json.dumps(out))


if __name__ == "__main__":
    with open(sys.argv[1]) as f:
        print(json.dumps(run(json.load(f))))
