"""The therapist pushes programs and plans; the watch checks them and plays exactly that."""

import json

import pytest
from test_twin import SHORT, Twin, runcue

from runcue_host import sim
from runcue_host.authoring import plan_file as plans
from runcue_host.authoring import shorthand

STOP_EARLY = [
    {"on": "home", "presses": ["A"], "delay_ms": 1000},
    {"on": "checkin_before", "presses": ["A"], "delay_ms": 300},
    {"on": "running", "presses": ["A+"], "delay_ms": 60000},
    {"on": "stop_confirm", "presses": ["A"], "delay_ms": 500},
    {"on": "checkin_after", "presses": ["A"], "delay_ms": 300},
    {"on": "checkin_talk", "presses": ["A"], "delay_ms": 300},
    {"on": "checkin_reason", "presses": ["A"], "delay_ms": 300},
    {"on": "summary", "presses": ["A"], "delay_ms": 300},
]


def _info(link):
    out = runcue("device", "info", "--port", str(link), "--json")
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def test_a_pushed_plan_advances_on_the_watch_and_a_second_push_keeps_the_place(tmp_path):
    image = tmp_path / "watch.img"
    sim.create_image(image, 1764000000)
    arc = str(tmp_path / "a.sqlite")
    twin = Twin(image, tmp_path / "tty")
    try:
        pushed = runcue("plan", "push", "c25k", "--port", str(twin.link), "--archive", arc)
        assert pushed.returncode == 0, pushed.stderr
        info = _info(twin.link)
        assert info["program"]["kind"] == "plan" and info["program"]["pos"] == 0
    finally:
        twin.stop()
    c25k = plans.resolve("c25k")
    assert sim.run(image, sessions=2).returncode == 0  # two sessions completed
    stopped = sim.run(image, buttons=STOP_EARLY)  # the third stopped early: offered again (rule repeat)
    assert stopped.returncode == 0, stopped.stderr_tail
    twin = Twin(image, tmp_path / "tty")
    try:
        info = _info(twin.link)
        assert info["program"]["pos"] == 2
        assert info["program"]["next"] == c25k.sessions[2][1].name
        again = runcue("plan", "push", "c25k", "--port", str(twin.link), "--archive", arc)
        assert again.returncode == 0, again.stderr
        assert _info(twin.link)["program"]["pos"] == 2  # the same plan: the client keeps their place
        # the sessions played the plan's programs, in order
        synced = runcue("sync", "--port", str(twin.link), "--archive", arc, "--json")
        assert synced.returncode == 0, synced.stderr
    finally:
        twin.stop()
    rows = json.loads(runcue("sessions", "--archive", arc, "--json").stdout)
    ids = [r["program_id"] for r in sorted(rows, key=lambda r: r["seq"])]
    assert ids == [c25k.sessions[0][1].id(), c25k.sessions[1][1].id(), c25k.sessions[2][1].id()]
    assert [r["status"] for r in sorted(rows, key=lambda r: r["seq"])] == ["completed", "completed", "stopped"]


def test_a_bad_program_is_refused_by_the_watch_and_the_old_one_stays(tmp_path):
    from runcue_host.watch.link import Watch, WatchRefused

    image = tmp_path / "watch.img"
    assert sim.run(image, program_json=SHORT.to_json()).returncode == 0
    twin = Twin(image, tmp_path / "tty")
    try:
        bad = b'{"v":1,"name":"x","lang":"en","items":[["run",1000]]}'  # 1 s: under the watch's minimum
        with Watch(str(twin.link)) as w:
            with pytest.raises(WatchRefused, match="shorter than the 5 s minimum"):
                w.put("put_program", bad)
            with pytest.raises(WatchRefused, match="CRC mismatch"):
                w.call("put_program", "eyJ2IjoxfQ==", 12345)
        assert _info(twin.link)["program"]["id"] == SHORT.id()
    finally:
        twin.stop()


def _push_writes(tmp_path, plan_json):
    """Block writes of a boot that installs ``plan_json`` over a program (no cut)."""
    image = tmp_path / "count.img"
    assert sim.run(image, program_json=SHORT.to_json()).returncode == 0
    result = sim.run(image, plan_json=plan_json, buttons=[])
    assert result.returncode == 0, result.stderr_tail
    return result.of("exit")[0]["writes"]


def test_a_plan_push_cut_off_by_a_power_loss_leaves_the_old_program_or_the_new_plan(tmp_path):
    c25k = plans.resolve("c25k")
    total = _push_writes(tmp_path, c25k.to_json())
    seen = set()
    for cut in sorted({1, 2} | {total * k // 10 for k in range(1, 10)} | {total - 1}):
        image = tmp_path / ("cut%d.img" % cut)
        assert sim.run(image, program_json=SHORT.to_json()).returncode == 0
        assert sim.run(image, plan_json=c25k.to_json(), cut_at_write=cut, buttons=[]).power_cut
        after = sim.run(image, buttons=[])  # boots to its home screen
        assert after.returncode == 0 and after.of("show")[0]["name"] == "home", after.stderr_tail
        twin = Twin(image, tmp_path / "tty")
        try:
            active = _info(twin.link)["program"]
        finally:
            twin.stop()
        assert active.get("error") is None, (cut, active)
        assert (active["kind"], active["id"]) in (("program", SHORT.id()), ("plan", c25k.id())), cut
        seen.add(active["kind"])
    assert seen == {"program", "plan"}  # the cuts fell both before and after the swap


def test_a_therapist_places_the_client_in_a_plan_and_sends_them_back_a_week(tmp_path):
    from runcue_host.watch.link import Watch, WatchRefused

    image = tmp_path / "watch.img"
    sim.create_image(image, 1764000000)
    arc = str(tmp_path / "a.sqlite")
    c25k = plans.resolve("c25k")
    twin = Twin(image, tmp_path / "tty")
    try:
        pushed = runcue("plan", "push", "c25k", "--at", "W3S1", "--port", str(twin.link), "--archive", arc)
        assert pushed.returncode == 0, pushed.stderr
        assert "next is W3S1 (session 7 of 27)" in pushed.stdout
        info = _info(twin.link)["program"]
        assert (info["pos"], info["next"], info["week"]) == (6, "W3S1", 3)
        # a place that is not in the plan: one line, and the watch is not touched
        for at, message in (("W3S4", "--at W3S4: week 3 has 3 sessions (W3S1 to W3S3)"),
                            ("W0", "--at W0: the plan has weeks 1 to 9"),
                            ("week3", '--at: "week3" is not a place in the plan')):
            bad = runcue("plan", "push", "c25k", "--at", at, "--port", str(twin.link), "--archive", arc)
            assert bad.returncode == 2 and bad.stderr.startswith("runcue: " + message), bad.stderr
            assert len(bad.stderr.splitlines()) == 1
        assert _info(twin.link)["program"]["pos"] == 6
        # the watch checks the place too: the old place stays
        with Watch(str(twin.link)) as w:
            steps = list(c25k.push_steps())
            for name, data, extra in steps[:-1]:  # the sessions arrive; the index with a bad place does not commit
                w.put(name, data, *extra)
            for pos in (27, -1, "3"):
                with pytest.raises(WatchRefused, match="not a session of this plan"):
                    w.put("put_plan", steps[-1][1], pos)
        assert _info(twin.link)["program"]["pos"] == 6
        # "repeat week 2": the same plan, placed at the start of week 2
        back = runcue("plan", "push", "c25k", "--at", "W2", "--port", str(twin.link), "--archive", arc)
        assert back.returncode == 0 and "next is W2S1 (session 4 of 27)" in back.stdout, back.stderr
        again = runcue("plan", "push", "c25k", "--port", str(twin.link), "--archive", arc)
        assert again.returncode == 0 and _info(twin.link)["program"]["pos"] == 3  # no --at: the place is kept
    finally:
        twin.stop()
    assert sim.run(image, sessions=1).returncode == 0  # the client runs W2S1 ...
    twin = Twin(image, tmp_path / "tty")
    try:
        assert _info(twin.link)["program"]["next"] == "W2S2"  # ... and goes on from there
        dutch = runcue("program", "push", "5m walk, 2x(1m run, 1m walk)", "--lang", "nl",
                       "--port", str(twin.link), "--archive", arc)
        assert dutch.returncode == 0, dutch.stderr
        expected = shorthand.compile_shorthand("5m walk, 2x(1m run, 1m walk)", lang="nl")
        assert _info(twin.link)["program"]["id"] == expected.id() and "in Dutch" in dutch.stdout
    finally:
        twin.stop()


def test_a_plan_push_broken_off_between_sessions_leaves_the_old_plan_in_force(tmp_path):
    """The link drops after some sessions of a new plan: the old plan stays in force with its
    place; an index sent without all its sessions is refused; the next push puts the new plan in force."""
    from runcue_host.watch.link import Watch, WatchRefused

    image = tmp_path / "watch.img"
    c25k, therapy = plans.resolve("c25k"), plans.resolve("runningtherapie")
    assert sim.run(image, plan_json=c25k.to_json(), sessions=1).returncode == 0
    steps = list(therapy.push_steps())
    twin = Twin(image, tmp_path / "tty")
    try:
        with Watch(str(twin.link)) as w:
            for name, data, extra in steps[:5]:
                w.put(name, data, *extra)
        info = _info(twin.link)["program"]  # the link dropped here
        assert (info["id"], info["pos"], info["next"]) == (c25k.id(), 1, "W1S2")
        with Watch(str(twin.link)) as w:
            with pytest.raises(WatchRefused, match="holds %d bytes of this plan's sessions, not" % steps[5][2][0]):
                w.put("put_plan", steps[-1][1])
            with pytest.raises(WatchRefused, match="push was broken off"):
                w.put(*steps[7][:2], *steps[7][2])  # a session that does not follow what arrived
        assert _info(twin.link)["program"]["id"] == c25k.id()
        pushed = runcue("plan", "push", "runningtherapie", "--port", str(twin.link),
                        "--archive", str(tmp_path / "a.sqlite"))
        assert pushed.returncode == 0, pushed.stderr
        info = _info(twin.link)["program"]
        assert (info["id"], info["pos"], info["next"]) == (therapy.id(), 0, therapy.sessions[0][1].name)
    finally:
        twin.stop()
    files = sim.read_flash(image)["files"]
    assert [f for f in files if f.startswith("/plan")] == ["/plan.json", "/plan/" + therapy.id(), "/plan_state"]


def largest_plan():
    """The largest plan the limits allow: MAX_SESSIONS sessions, its JSON just under plan.MAX_JSON_BYTES,
    its first session the largest program (MAX_SEGMENTS segments, written out one by one, a full name)."""
    from runcue import plan, program

    each = program.MAX_TOTAL_MS // program.MAX_SEGMENTS // 1000 * 1000
    first = program.make("Week 1, session 1: the longest".ljust(program.MAX_NAME, "!"), "en",
                         [["cooldown" if i % 2 else "warmup", each] for i in range(program.MAX_SEGMENTS)])

    def make(extra):
        rest = [(1 + i // 3, program.make("Week %d, session %d of the largest plan" % (1 + i // 3, i + 1), "en",
                                          [["walk", 60000 + j * 1000] for j in range(extra)] + [["run", 99000]]))
                for i in range(1, plan.MAX_SESSIONS)]
        return plan.make("The largest plan the limits allow", "en", 3, "repeat", [(1, first)] + rest)

    extra = 0
    while len(make(extra + 1).to_json()) <= plan.MAX_JSON_BYTES:
        extra += 1
    return make(extra)


# 96 KB on a 32-bit watch, not the 64 KB goal: the longest session written out segment by segment is
# 5.5 KB of JSON, read, decoded and parsed whole into a heap the firmware's modules left in pieces
# (the same 250 segments as one repeat block run in 64 wK: test_sim.py)
HEAP = "96wK"


def test_the_largest_plan_the_limits_allow_is_pushed_and_its_longest_session_runs_in_a_bounded_heap(tmp_path):
    from runcue import plan, records
    from runcue_host.watch.link import Watch
    from runcue_host.watch.push import send_plan

    big = largest_plan()
    assert len(big.sessions) == plan.MAX_SESSIONS and len(big.to_json()) > plan.MAX_JSON_BYTES * 9 // 10
    assert big.sessions[0][1].segments == 250
    image = tmp_path / "watch.img"
    sim.create_image(image, 1764000000)
    twin = Twin(image, tmp_path / "tty")
    try:
        with Watch(str(twin.link)) as w:
            reply = send_plan(w, big)
        assert (reply["id"], reply["sessions"], reply["next"]) == (big.id(), 100, big.sessions[0][1].name)
    finally:
        twin.stop()
    result = sim.run(image, sessions=1, heapsize=HEAP)
    assert result.returncode == 0, result.stderr_tail
    assert [s["name"] for s in result.of("show")][-2:] == ["summary", "home"]
    frames = records.decode_all(sim.read_flash(image)["log"])
    assert frames[0][1][1] == records.id_bytes(big.sessions[0][1].id())
    assert sum(1 for t, _ in frames if t == records.SEG) == 249 and frames[-2][1][0] == records.COMPLETED
    assert sim.read_flash(image)["program"]["next"] == big.sessions[1][1].name  # and the plan goes on
