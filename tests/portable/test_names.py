"""Names and client codes follow one rule at both ends: what the watch refuses, the laptop refuses
first, in the same words, so a therapist never pushes what the watch will turn down."""

import json

import pytest

from runcue_host import cli
from runcue_host.authoring import plan_file as plans
from runcue_host.authoring import program_file, shorthand

import mpy

# a C1 control (NEL; 0x9b is a terminal's CSI), DEL, a line break, a lone surrogate
BAD_NAMES = ["week\u0085one", "a\u009bb", "del\x7f", "line\nbreak", "x\ud800y"]
BAD_CODES = ["C 01", "C\u0085", "C\u00e9", "\u216b", "C" * 17, ""]


def on_the_watch(tmp_path, code):
    """What the watch's own code prints for ``code`` (a MicroPython script), one line per result."""
    out = mpy.run_code(code, tmp_path).stdout
    return [line for line in out.splitlines() if line]


def watch_refusals(tmp_path, names):
    """The watch's message for a pushed program named each of ``names``."""
    docs = ['{"v":1,"name":%s,"lang":"en","items":[["walk",5000]]}' % json.dumps(n) for n in names]
    return on_the_watch(tmp_path, "from runcue import program\n"
                                  "for doc in %r:\n"
                                  "    try:\n"
                                  "        program.loads(doc)\n"
                                  "        print('accepted')\n"
                                  "    except program.ProgramError as e:\n"
                                  "        print(e)\n" % docs)


def host_refusal(fn, *args, **kw):
    with pytest.raises(plans.ProgramError) as info:
        fn(*args, **kw)
    return str(info.value)


def test_a_name_the_watch_refuses_is_refused_by_the_laptop_in_the_same_words(tmp_path):
    watch = watch_refusals(tmp_path, BAD_NAMES)
    assert all(msg.startswith("name: ") for msg in watch), watch
    assert len(set(watch)) == 1, watch  # one rule, one message
    said = watch[0]
    for name in BAD_NAMES:
        assert host_refusal(shorthand.compile_shorthand, "5m walk", name=name) == said
        if "\ud800" in name:
            continue
        written = 'name = %s\nshorthand = "5m walk"\n' % json.dumps(name)
        assert host_refusal(program_file.loads_toml, written, "p.toml") == "p.toml: line 1: " + said
        plan = 'name = %s\nper_week = 1\n[[sessions]]\nweek = 1\nshorthand = "5m walk"\n' % json.dumps(name)
        assert host_refusal(plans.loads_plan, plan, "plan.toml") == "plan.toml: line 1: " + said
        session = 'per_week = 1\n[[sessions]]\nweek = 1\nname = %s\nshorthand = "5m walk"\n' % json.dumps(name)
        assert host_refusal(plans.loads_plan, session, "plan.toml") == "plan.toml: line 4: sessions[1]." + said


def test_a_file_name_the_watch_could_not_show_names_the_program_without_those_characters(tmp_path):
    path = tmp_path / "week\u0085one.toml"
    path.write_text('shorthand = "5m walk"\n')
    assert program_file.load_toml(path)[0].name == "weekone"


def test_a_client_code_the_watch_refuses_is_refused_by_the_laptop_in_the_same_words(tmp_path, capsys):
    watch = on_the_watch(tmp_path, "from runcue import syncsvc\nfor c in %r:\n    syncsvc.assign(c)\n" % BAD_CODES)
    assert len(watch) == len(BAD_CODES)
    rules = {json.loads(line[len("RC:"):])["error"].split(": ", 1)[1] for line in watch}
    assert len(rules) == 1, rules
    rule = rules.pop()
    for code in BAD_CODES:
        assert cli.main(["device", "assign", "--port", str(tmp_path / "none"), "--client", code]) == 2
        assert cli.main(["sessions", "--archive", str(tmp_path / "none.sqlite"), "--client", code]) == 2
        out, err = capsys.readouterr()
        lines = err.splitlines()
        assert len(lines) == 2 and all(line.endswith(": " + rule) for line in lines), (code, err)
