"""The archive reads the watch's records by the names and the session rules the watch itself uses."""

import re

import pytest

from runcue import records
from runcue_host.archive import logdecode

E = records.encode
START = E(records.START, 4, 0x2BB00DB992ABA1CE, 1, 2, 1767225600, 3, 120, 4)
LOG = b"".join([
    START, E(records.SEG, 60), E(records.PAUSE, 90), E(records.RESUME, 30), E(records.END, records.COMPLETED, 120, 150),
    E(records.CHECKIN, 5, 1, 0),  # answered after the end: part of session 4
    E(records.START, 5, 1, 255, 255, 0, 3, 400, 0), E(records.SEG, 60),  # cut by a power loss: no end
    E(records.START, 6, 1, 255, 255, 0, 4, 10, 2),  # logging went off during it: its SUMMARY closes it
    E(records.SUMMARY, 6, 1, 255, 255, 0, 4, 10, 2, records.STOPPED, 70, 80, 3, 2, 1),
    E(records.SUMMARY, 7, 1, 255, 255, 0, 4, 900, 0, records.COMPLETED, 60, 60, 0, 0, 0),  # a lone SUMMARY
])


def test_every_field_the_archive_reads_has_the_name_and_place_the_watch_gives_it():
    (_t, start, _raw), *_ = logdecode.frames(START)
    assert start.seq == 4 and records.id_hex(start.program_id) == "2bb00db992aba1ce"
    assert (start.plan_week, start.plan_session, start.rtc, start.boot, start.uptime_s, start.mood_before) == (
        1, 2, 1767225600, 3, 120, 4)
    for rtype in range(records.START, records.LAST_TYPE + 1):
        names = logdecode.FIELDS[rtype]._fields
        fields = records.decode_frame(E(rtype, *range(1, len(names) + 1)))[1]
        named = logdecode.FIELDS[rtype](*fields)
        for name in names:
            if rtype != records.SUMMARY:
                index = getattr(records, "%s_%s" % (records.TYPE_NAMES[rtype].upper(), name.upper()))
                assert getattr(named, name) == fields[index]
    summary = logdecode.FIELDS[records.SUMMARY]._fields
    assert summary == (logdecode.FIELDS[records.START]._fields + logdecode.FIELDS[records.END]._fields
                       + logdecode.FIELDS[records.CHECKIN]._fields)


def test_the_archive_splits_a_log_into_the_very_sessions_the_watch_keeps_and_sends():
    groups = logdecode.split(logdecode.frames(LOG))
    watch = [LOG[a:b] for _seq, _status, a, b in records.sessions_in(LOG)]
    assert [b"".join(it[2] for it in g) for g in groups] == watch
    assert [g[0][1].seq for g in groups] == [4, 5, 6, 7]
    decoded = [logdecode.decode(g)[0] for g in groups]
    assert [(s["status"], s["done_s"], s["wall_s"]) for s in decoded] == [
        ("completed", 120, 150), ("interrupted", 60, 60), ("stopped", 70, 80), ("completed", 60, 60)]
    assert (decoded[0]["mood_after"], decoded[0]["talk"], decoded[0]["pauses"]) == (5, "yes", [(90, 30)])
    assert (decoded[2]["mood_after"], decoded[2]["talk"], decoded[2]["stop_reason"]) == (3, "no", "tired")


@pytest.mark.parametrize("stray, where", [
    (E(records.SEG, 5), "frame 0 (seg)"),
    (START + E(records.END, 1, 1, 1) + E(records.CHECKIN, 1, 1, 1) + E(records.CHECKIN, 2, 2, 2), "frame 3 (checkin)"),
], ids=["before any start", "a second check-in"])
def test_a_frame_outside_any_session_is_refused_and_named(stray, where):
    with pytest.raises(logdecode.LogError, match=re.escape(where + " is outside any session")):
        logdecode.split(logdecode.frames(stray))
