"""Authoring on the host: the shorthand grammar, TOML program files, SPECs and summaries."""

import os

import pytest

from runcue import program
from runcue.program import ProgramError
from runcue_host import UserError
from runcue_host.authoring import program_file, shorthand, toml_doc, words
from runcue_host.authoring.program_file import ProgramFileError
from runcue_host.authoring.shorthand import ShorthandError

from conftest import load_vectors

VECTORS = load_vectors("shorthand.json")
C25K = "5m walk, 8x(60s run, 90s walk), 5m walk"


def error_of(fn, *args, exc=ProgramError, **kw):
    with pytest.raises(exc) as info:
        fn(*args, **kw)
    msg = str(info.value)
    assert "\n" not in msg, msg
    assert isinstance(info.value, UserError)
    return msg


# -- shorthand grammar ---------------------------------------------------------------------

@pytest.mark.parametrize("case", VECTORS["valid"], ids=lambda c: c["text"][:40])
def test_shorthand_variants_compile_to_the_same_device_items(case):
    prog = shorthand.compile_shorthand(case["text"])
    assert prog.items == case["items"]
    for key, value in case.get("summary", {}).items():
        assert program_file.summary(prog)[key] == value, key


@pytest.mark.parametrize("case", VECTORS["errors"], ids=lambda c: c["text"][:40] or "(empty)")
def test_shorthand_mistakes_say_where_and_why(case):
    msg = error_of(shorthand.compile_shorthand, case["text"], exc=ShorthandError)
    assert msg.startswith("shorthand: ")
    for fragment in case["error"]:
        assert fragment in msg


def test_c25k_week1_totals():
    prog = shorthand.compile_shorthand(C25K)
    assert program_file.summary(prog) == {
        "id": prog.id(), "name": "8x 1:00/1:30 30m",
        "lang": "en", "segments": 18, "total_s": 1800, "run_s": 480, "walk_s": 1320,
    }
    assert len(prog.id()) == program.ID_HEX


def test_walk_counts_every_segment_that_is_not_run():
    prog = shorthand.compile_shorthand("5m warmup, 2x(1m run, 30s rest, 1m walk), 4m cooldown")
    s = program_file.summary(prog)
    assert (s["total_s"], s["run_s"], s["walk_s"]) == (300 + 2 * 150 + 240, 120, 300 + 2 * 90 + 240)


def test_spellings_of_one_program_share_name_and_id():
    ids = {shorthand.compile_shorthand(c["text"]).id() for c in VECTORS["valid"][:6]}
    assert len(ids) == 1
    # the same program in Dutch words: the same segments, a Dutch watch (the language is in the id)
    dutch = shorthand.compile_shorthand(VECTORS["valid"][6]["text"])
    assert dutch.lang == "nl" and dutch.items == VECTORS["valid"][0]["items"] and dutch.id() not in ids


def test_a_program_nobody_named_is_named_by_its_shape_within_the_watchs_width():
    for text, name in (("5m warmup, 8x(90s run, 2m30s walk), 5m cooldown", "8x 1:30/2:30 42m"),
                       ("5m walk, 2x(1m run, 30s rest, 1m walk), 5m walk", "2x, 15 min"),
                       ("30m walk", "30 min walk")):
        prog = shorthand.compile_shorthand(text)
        assert prog.name == name and len(prog.name) <= program.SHOWN_NAME
    assert shorthand.compile_shorthand("30m walk", lang="nl").name == "30 min wandelen"
    assert shorthand.compile_shorthand(C25K, name="Week 1", lang="nl").name == "Week 1"


def test_format_shorthand_round_trips():
    for case in VECTORS["valid"]:
        text = shorthand.format_shorthand(case["items"])
        assert shorthand.parse_shorthand(text) == case["items"]


@pytest.mark.parametrize("text, ms", [
    ("90s", 90000), ("5m", 300000), ("2m30s", 150000), ("2m 30s", 150000), ("1:30", 90000),
    ("0:05", 5000), ("1h", 3600000), ("1h30m", 5400000), ("1:02:03", 3723000), ("90 sec", 90000),
    ("5 min", 300000), ("5 MIN", 300000), ("1 uur", 3600000), ("3 minuten", 180000), ("10 seconden", 10000),
])
def test_durations(text, ms):
    assert shorthand.parse_duration(text) == ms


@pytest.mark.parametrize("text, fragment", [
    ("90", "needs a unit"), ("1.5m", "1m30s"), ("1:60", "not below 60"), ("", "not a duration"),
    ("5m walk", "unexpected \"walk\""), ("s", "not a duration"), ("30s 1m", "hours, then minutes"),
    ("1:2:3:4", "not a time"), ("9" * 20 + "s", "too large"), ("x" * 200, "too long"),
])
def test_duration_mistakes(text, fragment):
    msg = error_of(shorthand.parse_duration, text, exc=ShorthandError)
    assert msg.startswith("duration: ") and fragment in msg


def test_duration_text():
    assert [words.duration_text(s * 1000) for s in (0, 45, 60, 90, 3600, 5400, 3723)] == [
        "0s", "45s", "1m", "1m30s", "1h", "1h30m", "1h2m3s"]
    with pytest.raises(ValueError):
        words.duration_text(1500)


def test_every_alias_is_a_kind():
    assert set(words.KIND_ALIASES.values()) == set(program.KINDS)
    for alias, kind in words.KIND_ALIASES.items():
        assert shorthand.parse_shorthand("60s " + alias) == [[kind, 60000]]


def test_the_kinds_as_runcue_writes_them_read_back_as_those_kinds():
    # the core's table of kind names, in full for the preview, the report and written shorthand
    for lang, texts in words.KIND_TEXTS.items():
        for kind, text in zip(program.KINDS, texts, strict=True):
            assert shorthand.parse_shorthand("60s " + text) == [[kind, 60000]]
        line = shorthand.format_shorthand([[kind, 60000] for kind in program.KINDS], lang)
        assert shorthand.compile_shorthand(line).lang == lang
    for kind, word in zip(program.KINDS, program.KIND_WORDS["en"], strict=True):  # the watch's English words
        assert shorthand.parse_shorthand("60s " + word) == [[kind, 60000]]


def test_limits_are_checked_by_program_make():
    assert "segment 1: 4s is shorter than the 5 s minimum" in error_of(shorthand.compile_shorthand, "4s run")
    assert "more than 4 h" in error_of(shorthand.compile_shorthand, "2h walk, 2h walk, 5s run")
    assert "more than 250 segments" in error_of(shorthand.compile_shorthand, "126x(5s run, 5s walk)")
    shorthand.compile_shorthand("125x(5s run, 5s walk)")  # exactly 250
    shorthand.compile_shorthand("2x(2x(5s run))")  # nesting 2 deep is allowed
    assert "nested more than 2" in error_of(shorthand.compile_shorthand, "2x(2x(2x(5s run)))")


def test_errors_are_program_errors_and_user_errors():
    with pytest.raises(ProgramError):
        shorthand.parse_shorthand("5m walk,,")
    with pytest.raises(UserError):
        shorthand.parse_shorthand("5m walk,,")
    assert issubclass(ProgramFileError, ProgramError) and issubclass(ProgramFileError, UserError)


def test_huge_shorthand_is_refused_quickly():
    msg = error_of(shorthand.compile_shorthand, "5m walk, " * 5000)
    assert "characters, at most" in msg
    msg = error_of(shorthand.compile_shorthand, "(" * 9000)
    assert "nested more than 2 levels" in msg


def test_control_characters_are_shown_escaped():
    msg = error_of(shorthand.compile_shorthand, "5m walk\x07")
    assert "\\x07" in msg and "\x07" not in msg


# -- TOML files ----------------------------------------------------------------------------

SEGMENTS_TOML = """\
name = "C25K week 1"
lang = "NL"
notes = "Rustig tempo: praten moet kunnen."

[[segments]]
kind = "opwarmen"
duration = "5m"

[[segments]]
repeat = 8

  [[segments.segments]]
  kind = "run"
  duration = "1:00"

  [[segments.segments]]
  kind = "walk"
  seconds = 90

[[segments]]
kind = "cool-down"
duration = "5 min"
"""


def write(tmp_path, text, name="week1.toml"):
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return path


def test_toml_with_shorthand(tmp_path):
    path = write(tmp_path, 'name = "C25K week 1"\nnotes = "brisk"\nshorthand = "%s"\n' % C25K)
    prog, notes = program_file.load_toml(path)
    assert (prog.name, prog.lang, notes) == ("C25K week 1", "en", "brisk")
    assert prog.items == VECTORS["valid"][0]["items"]


def test_toml_with_segment_tables(tmp_path):
    prog, notes = program_file.load_toml(write(tmp_path, SEGMENTS_TOML))
    assert (prog.name, prog.lang) == ("C25K week 1", "nl")
    assert notes.startswith("Rustig")
    assert prog.items == [["warmup", 300000], ["x", 8, [["run", 60000], ["walk", 90000]]],
                          ["cooldown", 300000]]
    assert program_file.summary(prog)["total_s"] == 1800


def test_toml_inline_tables_bom_and_default_name(tmp_path):
    text = b'\xef\xbb\xbfsegments = [{kind = "walk", duration = "5m"}, ' \
           b'{repeat = 2, segments = [{kind = "run", seconds = 60}]}]\n'
    prog, notes = program_file.load_toml(write(tmp_path, text, "Easy start.TOML"))
    assert prog.name == "Easy start" and notes == ""
    assert prog.items == [["walk", 300000], ["x", 2, [["run", 60000]]]]


TOML_MISTAKES = [
    ('name = "x"\nlang = \n', ["line 2, column 8", "not valid TOML"]),
    ('name = "x"\nnmae = "y"\nshorthand = "5m walk"\n',
     ["line 2", "unknown field \"nmae\"", "did you mean name"]),
    ('name = 5\nshorthand = "5m walk"\n', ["line 1", "name: must be text", "not a number"]),
    ('name = "%s"\nshorthand = "5m walk"\n' % ("x" * 41), ["line 1", "name: 41 characters, at most 40"]),
    ('lang = "de"\nshorthand = "5m walk"\n', ["line 1", "lang: \"de\" is not one of en, nl"]),
    ('notes = ["a"]\nshorthand = "5m walk"\n', ["notes: must be text", "not a list"]),
    ('name = "x"\n', ["no program", "shorthand", "[[segments]]"]),
    ('shorthand = "5m walk"\n[[segments]]\nkind = "walk"\nseconds = 60\n',
     ["either shorthand or [[segments]]"]),
    ('name = "x"\n\nshorthand = "5m walk,, 3m run"\n', ["line 3", "shorthand: item 2 is empty", "column 9"]),
    ('shorthand = 5\n', ["shorthand: must be text"]),
    ('segments = "5m walk"\n', ["line 1", "segments: must be [[segments]] tables, not text"]),
    ('segments = []\n', ["segments: no segments"]),
    ('[[segments]]\nkind = "walk"\nduration = 90\n', ["line 3", "segments[1].duration", "not a number",
                                                      "seconds = 90"]),
    ('[[segments]]\nkind = "walk"\nduration = 00:01:30\n', ["segments[1].duration", "not a date/time"]),
    ('[[segments]]\nkind = "walk"\nseconds = 1.5\n',
     ["line 3", "segments[1].seconds: must be a whole number"]),
    ('[[segments]]\nkind = "walk"\nseconds = true\n', ["segments[1].seconds: must be a whole number"]),
    ('[[segments]]\nkind = "walk"\n', ["segments[1].duration: missing"]),
    ('[[segments]]\nkind = "walk"\nduration = "1m"\nseconds = 60\n', ["either duration", "or seconds"]),
    ('[[segments]]\nduration = "1m"\n', ["segments[1].kind: missing"]),
    ('[[segments]]\nkind = 1\nseconds = 60\n', ["segments[1].kind: must be text"]),
    ('[[segments]]\nkind = "wlak"\nseconds = 60\n', ["line 2", "segments[1].kind: unknown kind \"wlak\"",
                                                     "did you mean \"walk\""]),
    ('[[segments]]\nkind = "walk"\nseconds = 60\ncolour = "red"\n', ["line 4", "segments[1]: unknown field"]),
    ('[[segments]]\nrepeat = 3\n', ["segments[1].segments: missing"]),
    ('[[segments]]\nrepeat = "8"\nsegments = [{kind = "run", seconds = 60}]\n',
     ["line 2", "segments[1].repeat: must be a whole number, not text"]),
    ('[[segments]]\nrepeat = 0\nsegments = [{kind = "run", seconds = 60}]\n',
     ["segments[1].repeat: 0 is not between 1 and 250"]),
    ('[[segments]]\nrepeat = 2\nkind = "run"\nsegments = [{kind = "run", seconds = 60}]\n',
     ["segments[1].kind: a repeat table has only repeat and segments"]),
    ('[[segments]]\nrepeat = 2\n[[segments.segments]]\nrepeat = 2\n'
     '[[segments.segments.segments]]\nrepeat = 2\n'
     '[[segments.segments.segments.segments]]\nkind = "run"\nseconds = 60\n',
     ["line 6", "segments[1].segments[1].segments[1].repeat: repeats are nested more than 2 levels deep"]),
    ('[[segments]]\nkind = "walk"\nduration = "5m"\n\n[[segments]]\nrepeat = 8\n\n  [[segments.segments]]\n'
     '  kind = "run"\n  duration = "60"\n',
     ["line 10", "segments[2].segments[1].duration", "\"60\" needs a unit"]),
    ('[[segments]]\nkind = "walk"\nduration = "5m"\n\n[[segments]]\nrepeat = 8\n\n  [[segments.segments]]\n'
     '  kind = "run"\n  duration = "4s"\n', ["line 8", "segment 2: 4s is shorter than the 5 s minimum",
                                            "(segments[2].segments[1])"]),
    ('[[segments]]\nkind = "walk"\nduration = "2h"\n[[segments]]\nkind = "run"\nduration = "2h"\n'
     '[[segments]]\nkind = "run"\nseconds = 5\n', ["line 7", "segment 3: the program lasts more than 4 h"]),
    ('shorthand = "126x(5s run, 5s walk)"\n', ["line 1", "more than 250 segments"]),
    ('a = ' + '[' * 5000, ["not valid TOML: nested too deeply"]),
]


@pytest.mark.parametrize("text, fragments", TOML_MISTAKES, ids=range(len(TOML_MISTAKES)))
def test_toml_mistakes_name_file_field_and_line(tmp_path, text, fragments):
    msg = error_of(program_file.load_toml, write(tmp_path, text), exc=ProgramFileError)
    assert msg.startswith(str(tmp_path / "week1.toml") + ": "), msg
    for fragment in fragments:
        assert fragment in msg, msg


def test_toml_not_utf8(tmp_path):
    msg = error_of(program_file.load_toml, write(tmp_path, b'name = "ok"\nnotes = "caf\xe9"\n'))
    assert "line 2: not UTF-8 text (byte 0xe9)" in msg


def test_toml_huge_file(tmp_path):
    path = write(tmp_path, b"# " + b"x" * toml_doc.MAX_FILE_BYTES + b"\n")
    assert "larger than 256 KiB" in error_of(program_file.load_toml, path)
    assert "at most" in error_of(program_file.loads_toml, "#" * (toml_doc.MAX_FILE_BYTES + 1))


def test_toml_missing_file_and_directory(tmp_path):
    assert error_of(program_file.load_toml, tmp_path / "nope.toml").endswith("nope.toml: no such file")
    (tmp_path / "dir.toml").mkdir()
    assert "is a directory" in error_of(program_file.load_toml, tmp_path / "dir.toml")


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root reads any file")
def test_toml_unreadable(tmp_path):
    path = write(tmp_path, 'shorthand = "5m walk"\n')
    path.chmod(0)
    assert "permission denied" in error_of(program_file.load_toml, path)


# -- SPEC ----------------------------------------------------------------------------------

def test_load_spec_shorthand_or_file(tmp_path):
    prog, notes = program_file.load_spec(C25K)
    assert prog.segments == 18 and notes == ""
    path = write(tmp_path, SEGMENTS_TOML)
    prog, notes = program_file.load_spec(str(path))
    assert prog.name == "C25K week 1" and notes
    msg = error_of(program_file.load_spec, str(tmp_path / "missing.toml"))
    assert msg.endswith("missing.toml: no such file")


def test_load_spec_refuses_other_files(tmp_path):
    path = write(tmp_path, C25K, "week1.txt")
    assert "must end in .toml" in error_of(program_file.load_spec, str(path))
    assert "is a directory" in error_of(program_file.load_spec, str(tmp_path))
    # a shorthand with a stray slash is still read as shorthand
    assert "unexpected character \"/\"" in error_of(program_file.load_spec, "5m walk, 1m run / 1m walk")


# -- the language of a program: its kind words, or the lang the therapist gives ---------------

@pytest.mark.parametrize("text, lang", [
    ("5m wandelen, 2x(1m hardlopen, 2m wandelen)", "nl"),
    ("5m walk, 2x(1m run, 2m walk)", "en"),
    ("warming-up 5m, 20m hardlopen, 2m rust, cooling-down 5m", "nl"),  # warm-up, cool-down: both languages
    ("warm-up 5m, 8x(60s jog, 90s walk), cool-down 5m", "en"),
    ("5m warmup, 5m cooldown", "en"),  # no word of one language only: the default
    ("5m wandelen, 1m run", "en"),  # a mix: the default (program check says so)
])
def test_the_kind_words_say_the_language(text, lang):
    assert shorthand.compile_shorthand(text).lang == lang
    assert program_file.load_authored(text).program.lang == lang


def test_a_given_language_wins_and_says_where_it_came_from():
    mixed = program_file.load_authored("5m wandelen, 1m run")
    assert mixed.program.lang == "en" and "mix" in mixed.lang_from and "--lang nl" in mixed.lang_from
    dutch = program_file.load_authored("5m wandelen, 1m run", lang="NL")
    assert dutch.program.lang == "nl" and dutch.lang_from == "--lang"
    assert program_file.load_authored("5m wandelen").lang_from == "the words"
    assert "is not one of en, nl" in error_of(program_file.load_authored, "5m walk", lang="de", exc=UserError)


def test_a_toml_file_without_lang_takes_it_from_its_words(tmp_path):
    dutch = write(tmp_path, 'shorthand = "5m wandelen, 8x(1m hardlopen, 90s wandelen)"\n', "a.toml")
    assert program_file.load_toml(dutch)[0].lang == "nl"
    tables = write(tmp_path, '[[segments]]\nkind = "hardlopen"\nduration = "5m"\n', "b.toml")
    assert program_file.load_toml(tables)[0].lang == "nl"
    said = write(tmp_path, 'lang = "en"\nshorthand = "5m wandelen"\n', "c.toml")
    assert program_file.load_authored(str(said)).program.lang == "en"
    assert program_file.load_authored(str(said)).lang_from == "the file"
    assert program_file.load_authored(str(said), lang="nl").program.lang == "nl"


@pytest.mark.parametrize("text, shown, hint", [
    ("5m wandelen, 1,5 min hardlopen", '"1,5 min"', "write 1m30s or 90s"),
    ("1,5m run", '"1,5m"', "write 1m30s or 90s"),
    ("1.5 min run", '"1.5min"', "write 1m30s or 90s"),
    ("1,5 uur wandelen", '"1,5 uur"', "write 1h30m or 90m"),
])
def test_a_decimal_duration_says_how_to_write_it(text, shown, hint):
    msg = error_of(shorthand.compile_shorthand, text, exc=ShorthandError)
    assert shown in msg and "no decimals" in msg and hint in msg, msg


def test_a_decimal_comma_in_a_toml_duration_says_how_to_write_it(tmp_path):
    path = write(tmp_path, '[[segments]]\nkind = "walk"\nduration = "1,5 min"\n')
    msg = error_of(program_file.load_toml, path)
    assert "no decimals" in msg and "write 1m30s or 90s" in msg, msg
