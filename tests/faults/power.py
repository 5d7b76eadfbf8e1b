"""Power cuts at every block write: during a session, a push, an ack, and the recovery itself.

Every campaign first runs its step once uncut to count the block writes W (the sim's
``exit`` event), then, for each index K in 1..W (or a sample), copies the same starting
image, cuts the power at write K (the sim writes half of that block and the process is
killed: a real power loss in the middle of a LittleFS write), boots again and checks:

- the next boot reaches the home screen (its first "show" event);
- every session completed before the cut is byte-identical in the log (or acked and
  trimmed, for the ack campaign), and sequence numbers are never reused;
- a session in progress is kept as "interrupted" up to its last record (or absent when
  the cut came before its START reached flash);
- the program in force is the old or the new one, never a mix, and it is what the
  next session plays.
"""

import io
from pathlib import Path

from faults.common import (
    PROG_A,
    PROG_B,
    PROG_DENSE,
    SESSION_SCRIPT,
    Flash,
    Stats,
    check_cut_session,
    copy_image,
    first_screen,
    interrupted_end,
    mp_flash,
    new_image,
    parallel,
    pick,
    run_ok,
    sessions_of,
    sim_run,
    status_of,
    writes_of,
)
from runcue import paths, planstore, program, records
from runcue import plan as plan_mod
from runcue_host import sim
from runcue_host.authoring import plan_file as plans

ONE_SESSION = sim.default_client(1, 1000)


def _boot_and_play(image, where, stats):
    """Boot after a cut and play one whole session; its sim result, or None (a failure is noted)."""
    after = sim_run(image, buttons=ONE_SESSION)
    if after.returncode != 0 or first_screen(after) != "home":
        stats.fail("%s: the boot after the cut did not reach home (rc %d, first screen %r): %s"
                   % (where, after.returncode, first_screen(after), after.stderr_tail[-300:]))
        return None
    names = [s["name"] for s in after.of("show")]
    if names[-2:] != ["summary", "home"]:
        stats.fail("%s: the session after the cut did not run through: %s" % (where, names))
        return None
    return after


def _check_seqs(got, where, stats):
    seqs = [s for s, _ in got]
    if seqs != sorted(set(seqs)):
        stats.fail("%s: sequence numbers not strictly increasing (a seq reused?): %s" % (where, seqs))
        return False
    return True


def _check_new_session(frames, prog_id, where, stats, week=records.NO_PLAN, pos=records.NO_PLAN):
    """The whole session played after the cut: completed, and it played ``prog_id``."""
    rtype, f, _ = records.decode_frame(frames[0])
    if rtype != records.START or status_of(frames) != records.COMPLETED or frames[-1][0] != records.CHECKIN:
        stats.fail("%s: the session after the cut is not whole: %s" % (
            where, [records.TYPE_NAMES[r[0]] for r in frames]))
        return
    if (records.id_hex(f[1]), f[2], f[3]) != (prog_id, week, pos):
        stats.fail("%s: the session after the cut played %s (week %d, session %d), expected %s (%d, %d)"
                   % (where, records.id_hex(f[1]), f[2], f[3], prog_id, week, pos))


# -- (a) a whole session with a pause, a skip and the check-in --------------------------------

def session(workdir, sample=None):
    """Cut at every write of a session run (boot, start, pause, resume, skip, end, check-in)."""
    stats = Stats("power cut during a session (pause, skip, check-in)")
    workdir = Path(workdir)
    base = new_image(workdir / "session-base.img")
    run_ok(base, program_json=PROG_A.to_json(), sessions=2)
    before = sessions_of(Flash(base).log)
    ref_img = copy_image(base, workdir / "session-ref.img")
    total = writes_of(run_ok(ref_img, buttons=SESSION_SCRIPT))
    ref = dict(sessions_of(Flash(ref_img).log))[len(before) + 1]
    progress = {}

    def one(k):
        where = "session cut at write %d/%d" % (k, total)
        img = copy_image(base, workdir / ("session-cut%d.img" % k))
        try:
            cut = sim_run(img, buttons=SESSION_SCRIPT, cut_at_write=k)
            if not cut.power_cut:
                return stats.fail("%s: no power cut happened (rc %d)" % (where, cut.returncode))
            if _boot_and_play(img, where, stats) is None:
                return
            got = sessions_of(Flash(img).log)
            stats.count(tried=1, sessions=len(got))
            if not _check_seqs(got, where, stats):
                return
            if got[:len(before)] != before:
                return stats.fail("%s: a session completed before the cut changed" % where)
            rest = got[len(before):]
            if len(rest) not in (1, 2):
                return stats.fail("%s: %d sessions after the earlier ones, expected 1 or 2" % (where, len(rest)))
            _check_new_session(rest[-1][1], PROG_A.id(), where, stats)
            if len(rest) == 1:
                progress[k] = 0  # its START never reached flash
                return
            why, kept = check_cut_session(rest[0][1], ref, where)
            if why:
                return stats.fail(why)
            progress[k] = kept
        finally:
            img.unlink()

    parallel(one, pick(total, sample))
    _check_monotonic(progress, stats, len(ref))
    stats.notes.append("%d block writes in the session run; %d sessions already on flash" % (total, len(before)))
    return stats.done()


def _check_monotonic(progress, stats, whole):
    """A later cut never keeps less of the session than an earlier one, and a cut at the very last
    write loses at most its last frame: so "absent" only happens before the START reached flash."""
    last = 0
    for k in sorted(progress):
        if progress[k] < last:
            stats.fail("cut at write %d kept %d frames of the session, an earlier cut kept %d"
                       % (k, progress[k], last))
        last = max(last, progress[k])
    if progress and last < whole - 1:
        stats.fail("even the last cut did not keep the session (%d of %d frames)" % (last, whole))


# -- (b) a program push and a plan push ---------------------------------------------------------

def _c25k():
    return plans.resolve("c25k").plan


def _push_cases():
    c25k = _c25k()
    therapy = plans.resolve("runningtherapie").plan
    a, b = PROG_A.to_json(), PROG_B.to_json()
    p = c25k.to_json()
    # (name, old (kind, json), new (kind, json), the program a session plays under old / new)
    return [
        ("program over program", ("program", a), ("program", b),
         (PROG_A.id(), records.NO_PLAN, records.NO_PLAN), (PROG_B.id(), records.NO_PLAN, records.NO_PLAN)),
        ("plan over program", ("program", a), ("plan", p),
         (PROG_A.id(), records.NO_PLAN, records.NO_PLAN), (c25k.sessions[0][1].id(), 1, 0)),
        # the old plan was played once: its next session is the second
        ("program over plan", ("plan", p), ("program", b),
         (c25k.sessions[1][1].id(), 1, 1), (PROG_B.id(), records.NO_PLAN, records.NO_PLAN)),
        # pushed session by session beside the plan in force: never a mix of the two
        ("plan over plan", ("plan", p), ("plan", therapy.to_json()),
         (c25k.sessions[1][1].id(), 1, 1), (therapy.sessions[0][1].id(), therapy.sessions[0][0], 0)),
    ]


def _push_kw(kind, text):
    return {"program_json": text} if kind == "program" else {"plan_json": text}


def _in_force(flash):
    """(kind, canonical JSON) of what the app puts in force, as firmware/app.py picks it: the plan of
    the index with its sessions' file, else the program."""
    text = flash.text(paths.PLAN_INDEX)
    if text is not None:
        try:
            index = plan_mod.loads_index(text)
            data = flash.files.get(paths.plan_sessions(index.plan_id))
            if data is None or len(data) != index.ends[-1]:
                return "plan", "refused: the sessions of plan %s are missing or cut" % index.plan_id
            parts = planstore.parts(index, io.BytesIO(data))
            return "plan", plan_mod.loads("".join(p if isinstance(p, str) else p.decode() for p in parts)).to_json()
        except program.ProgramError as e:
            return "plan", "refused: %s" % e
    text = flash.text(paths.PROGRAM_FILE)
    if text is None:
        return None, None
    try:
        return "program", program.loads(text).to_json()
    except program.ProgramError as e:
        return "program", "refused: %s" % e


def push(workdir, sample=None):
    """Cut at every write of a boot that installs a pushed program or plan (three cases)."""
    stats = Stats("power cut during a program or plan push")
    workdir = Path(workdir)
    totals = []
    leftovers = set()
    for case, old, new, plays_old, plays_new in _push_cases():
        tag = case.replace(" ", "-")
        base = new_image(workdir / ("push-%s-base.img" % tag))
        run_ok(base, buttons=ONE_SESSION, **_push_kw(*old))
        before = sessions_of(Flash(base).log)
        ref_img = copy_image(base, workdir / ("push-%s-ref.img" % tag))
        total = writes_of(run_ok(ref_img, buttons=[], **_push_kw(*new)))
        totals.append("%s: %d writes" % (case, total))
        seen = set()

        def one(k, case=case, old=old, new=new, plays_old=plays_old, plays_new=plays_new, base=base,
                before=before, total=total, tag=tag, seen=seen):
            where = "%s, cut at write %d/%d" % (case, k, total)
            img = copy_image(base, workdir / ("push-%s-cut%d.img" % (tag, k)))
            try:
                cut = sim_run(img, buttons=[], cut_at_write=k, **_push_kw(*new))
                if not cut.power_cut:
                    return stats.fail("%s: no power cut happened (rc %d)" % (where, cut.returncode))
                if _boot_and_play(img, where, stats) is None:
                    return
                flash = Flash(img)
                leftovers.update(n for n in flash.files if n.endswith(".tmp") or n == paths.PLAN_PENDING)
                kind, text = _in_force(flash)
                canon_old = (old[0], _canonical(*old))
                canon_new = (new[0], _canonical(*new))
                if (kind, text) == canon_old:
                    seen.add("old")
                    plays = plays_old
                elif (kind, text) == canon_new:
                    seen.add("new")
                    plays = plays_new
                else:
                    return stats.fail("%s: in force is neither the old nor the new one: %s %s"
                                      % (where, kind, (text or "")[:80]))
                got = sessions_of(flash.log)
                stats.count(tried=1, sessions=len(got))
                if not _check_seqs(got, where, stats):
                    return
                if got[:len(before)] != before or len(got) != len(before) + 1:
                    return stats.fail("%s: the log changed: %d sessions before, %d after"
                                      % (where, len(before), len(got)))
                _check_new_session(got[-1][1], plays[0], where, stats, plays[1], plays[2])
            finally:
                img.unlink()

        parallel(one, pick(total, sample))
        if sample is None or sample >= 3:
            if seen != {"old", "new"}:
                stats.fail("%s: the cuts only ever left the %s one in force" % (case, "/".join(sorted(seen))))
    stats.notes += totals
    if leftovers:
        stats.notes.append("temp files left by a cut (harmless, removed or overwritten at the next push): %s"
                           % ", ".join(sorted(leftovers)))
    return stats.done()


def _canonical(kind, text):
    return (plan_mod.loads(text) if kind == "plan" else program.loads(text)).to_json()


# -- (c) the ack and trim after a sync -------------------------------------------------------------

_BASES = {}


def ack_base(workdir, sessions=14):
    """An image with ``sessions`` completed sessions of PROG_DENSE over two segment files
    (made once per process: the ack and sync campaigns start from copies of it)."""
    base = _BASES.get(sessions)
    if base is None or not base.exists():
        base = new_image(Path(workdir) / ("ack-base-%d.img" % sessions))
        run_ok(base, program_json=PROG_DENSE.to_json(), sessions=sessions)
        _BASES[sessions] = base
    return base


def ack(image, seq, cut=0):
    """syncsvc.ack(seq) on the watch's flash, as a sync makes it; (reply dict or None, writes, cut?)."""
    import json

    proc = mp_flash("ack", image, seq, cut)
    reply = None
    writes = 0
    for line in proc.stdout.splitlines():
        if line.startswith("RC:"):
            reply = json.loads(line[3:])
        elif line.startswith("@writes "):
            writes = int(line.split()[1])
    cut_happened = "@powercut" in proc.stderr
    if not cut_happened and proc.returncode != 0:
        raise AssertionError("ack on %s failed (rc %d): %s" % (image, proc.returncode, proc.stderr[-500:]))
    return reply, writes, cut_happened


def ack_trim(workdir, sample=None):
    """Cut at every write of an ack: all sessions, the first file's, and some (mark only)."""
    stats = Stats("power cut during an ack and trim")
    workdir = Path(workdir)
    base = ack_base(workdir)
    flash0 = Flash(base)
    before = sessions_of(flash0.log)
    files = flash0.log_files()
    last = before[-1][0]
    first_of_second = int(files[1].rsplit("/", 1)[1][:-4]) if len(files) > 1 else last
    cases = [("ack all %d" % last, last), ("ack %d (the first file)" % (first_of_second - 1), first_of_second - 1),
             ("ack %d (no file whole)" % (first_of_second // 2), first_of_second // 2)]
    stats.notes.append("%d sessions in %d files (%s)" % (len(before), len(files), ", ".join(files)))
    for case, seq in cases:
        ref_img = copy_image(base, workdir / "ack-ref.img")
        reply, total, _ = ack(ref_img, seq)
        if not reply or reply.get("acked") != seq:
            stats.fail("%s: the uncut ack answered %r" % (case, reply))
            continue
        ref_log = Flash(ref_img).log
        stats.notes.append("%s: %d writes" % (case, total))

        def one(k, case=case, seq=seq, total=total, ref_log=ref_log):
            where = "%s, cut at write %d/%d" % (case, k, total)
            img = copy_image(base, workdir / ("ack-%d-cut%d.img" % (seq, k)))
            try:
                _reply, _w, cut = ack(img, seq, k)
                if not cut:
                    return stats.fail("%s: no power cut happened" % where)
                boot = sim_run(img, buttons=[])
                if boot.returncode != 0 or first_screen(boot) != "home":
                    return stats.fail("%s: the boot after the cut did not reach home: %s"
                                      % (where, boot.stderr_tail[-300:]))
                flash = Flash(img)
                mark = flash.small("/log/ack").get("acked", 0)
                got = dict(sessions_of(flash.log))
                stats.count(tried=1, sessions=len(before))
                if mark not in (0, seq):
                    return stats.fail("%s: the ack mark is %r, expected none or %d" % (where, mark, seq))
                for s, frames in before:
                    if s in got:
                        if got[s] != frames:
                            stats.fail("%s: session %d changed" % (where, s))
                    elif s > mark:
                        stats.fail("%s: session %d is gone but the watch's ack mark is %d" % (where, s, mark))
                # the host never got the reply: its next sync acks again
                again, _w, _c = ack(img, seq)
                if not again or again.get("acked") != seq:
                    return stats.fail("%s: the ack after the cut answered %r" % (where, again))
                if Flash(img).log != ref_log:
                    return stats.fail("%s: after acking again the log differs from an uncut ack" % where)
                after = _boot_and_play(img, where, stats)
                if after is None:
                    return
                got = sessions_of(Flash(img).log)
                if got[-1][0] != last + 1:
                    stats.fail("%s: the next session got seq %d, expected %d" % (where, got[-1][0], last + 1))
                _check_new_session(got[-1][1], PROG_DENSE.id(), where, stats)
            finally:
                img.unlink()

        parallel(one, pick(total, sample))
    return stats.done()


# -- (d) the boot that recovers a torn log ------------------------------------------------------

def _open_session_image(workdir, base, total):
    """``base`` plus a session cut off mid-run (START and some records on flash, no END)."""
    for k in range(total * 2 // 3, 0, -1):
        img = copy_image(base, Path(workdir) / "recovery-open.img")
        if not sim_run(img, buttons=SESSION_SCRIPT, cut_at_write=k).power_cut:
            continue
        got = sessions_of(Flash(img).log)
        if len(got) == 3 and status_of(got[-1][1]) == 0 and len(got[-1][1]) >= 3:
            return img, k
    raise AssertionError("no cut left an open session with some records")


def recovery(workdir, sample=None):
    """Cut at every write of the boot that recovers: an open session, a torn frame, garbage."""
    stats = Stats("power cut during log recovery")
    workdir = Path(workdir)
    base = new_image(workdir / "recovery-base.img")
    run_ok(base, program_json=PROG_A.to_json(), sessions=2)
    ref_img = copy_image(base, workdir / "recovery-count.img")
    total = writes_of(run_ok(ref_img, buttons=SESSION_SCRIPT))
    open_img, k0 = _open_session_image(workdir, base, total)
    last_log = Flash(open_img).log_files()[-1]
    seg = records.encode(records.SEG, 200)
    torn = copy_image(open_img, workdir / "recovery-torn.img")
    mp_flash("append", torn, last_log, seg[:5].hex())
    garbage = copy_image(base, workdir / "recovery-garbage.img")
    mp_flash("append", garbage, last_log, "0202c8dead01")
    bases = [("an open session (cut at write %d of a session)" % k0, open_img),
             ("an open session and a torn frame", torn),
             ("garbage after completed sessions", garbage)]
    for n, (case, start) in enumerate(bases):
        before = sessions_of(Flash(base).log)
        ref_img = copy_image(start, workdir / "recovery-ref.img")
        total = writes_of(run_ok(ref_img, buttons=[]))
        recovered = Flash(ref_img).log
        rec = sessions_of(recovered)
        if rec[:len(before)] != before:
            stats.fail("%s: the uncut recovery changed an earlier session" % case)
        if len(rec) > len(before):
            body = rec[-1][1][:-1]
            if rec[-1][1][-1] != interrupted_end(body):
                stats.fail("%s: the uncut recovery did not close the open session at its last record" % case)
        stats.notes.append("%s: %d writes in the recovering boot" % (case, total))

        def one(k, n=n, case=case, start=start, total=total, recovered=recovered):
            where = "%s, recovery cut at write %d/%d" % (case, k, total)
            img = copy_image(start, workdir / ("recovery-%d-cut%d.img" % (n, k)))
            try:
                cut = sim_run(img, buttons=[], cut_at_write=k)
                if not cut.power_cut:
                    return stats.fail("%s: no power cut happened (rc %d)" % (where, cut.returncode))
                if _boot_and_play(img, where, stats) is None:
                    return
                log = Flash(img).log
                got = sessions_of(log)
                stats.count(tried=1, sessions=len(got))
                if not _check_seqs(got, where, stats):
                    return
                if log[:len(recovered)] != recovered:
                    return stats.fail("%s: the log after a cut recovery differs from an uncut recovery" % where)
                tail = sessions_of(log[len(recovered):])
                if len(tail) != 1:
                    return stats.fail("%s: %d sessions after the recovered log, expected 1" % (where, len(tail)))
                _check_new_session(tail[0][1], PROG_A.id(), where, stats)
            finally:
                img.unlink()

        parallel(one, pick(total, sample))
    return stats.done()


CAMPAIGNS = {"session": session, "push": push, "ack": ack_trim, "recovery": recovery}

