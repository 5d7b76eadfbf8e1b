"""Durations and clock times read the same wherever runcue prints them (timetext is the one
place for each form): the forms people see, pinned."""

from runcue_host import timetext


def test_a_program_time_reads_as_a_stopwatch():
    assert [timetext.clock(ms) for ms in (0, 5000, 90000, 3599000, 3725000)] == [
        "0:00", "0:05", "1:30", "59:59", "1:02:05"]
    assert timetext.clock(5500) == "0:05.5" and timetext.clock(5500, "nl") == "0:05,5"


def test_a_session_time_keeps_counting_minutes_past_the_hour_so_a_column_lines_up():
    assert [timetext.minutes_clock(s) for s in (0, 59, 600, 4500, None)] == ["0:00", "0:59", "10:00", "75:00", "?"]


def test_long_totals_and_running_minutes_in_either_language():
    assert timetext.hours_minutes(12 * 3600 + 300, "en") == "12 h 05 min"
    assert timetext.hours_minutes(12 * 3600 + 300, "nl") == "12 u 05 min"
    assert [timetext.minutes(ms, lang) for ms, lang in ((720000, "en"), (750000, "en"), (750000, "nl"))] == [
        "12", "12.5", "12,5"]


def test_a_watch_clock_is_so_far_fast_or_slow_in_the_largest_unit_that_fits():
    assert [timetext.clock_offset(s) for s in (6 * 86400, -180, -2, 0, 3600 * 1.5)] == [
        "6 days fast", "3 min slow", "2 s slow", "right", "2 h fast"]
    assert timetext.clock_state(None) == "unset"


def test_clock_times_are_utc_in_the_archive_s_forms():
    t = 1714588200  # 2024-05-01 18:30:00 UTC
    assert timetext.utc(t) == "2024-05-01 18:30" and timetext.iso_utc(t) == "2024-05-01T18:30:00Z"
    assert timetext.utc(t, timetext.SECOND) == "2024-05-01 18:30:00"
    assert timetext.utc(t, timetext.DATE) == "2024-05-01" and timetext.utc(t, timetext.DAY_MONTH) == "01-05"
