"""Plans as TOML files and the built-in plans, in process and through `runcue plan ...`."""

import json
import os
import subprocess
import sys
import tomllib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from runcue import plan, program
from runcue.program import ProgramError
from runcue_host import UserError
from runcue_host.authoring import plan_file as plans
from runcue_host.authoring.shorthand import parse_shorthand

from conftest import load_vectors, run_driver

ROOT = Path(__file__).resolve().parents[2]
RUNCUE = Path(sys.executable).parent / "runcue"
PLAN_KEYS = {"id", "name", "sessions", "weeks", "per_week", "rule", "total_s", "run_s"}


def items(shorthand):
    return parse_shorthand(shorthand)


def weeks_of(pf):
    out = {}
    for week, prog in pf.plan.sessions:
        out.setdefault(week, []).append(prog)
    return out


# -- built-in plans ----------------------------------------------------------------------

def test_c25k_follows_the_nhs_weeks():
    pf = plans.load_builtin("c25k")
    p = pf.plan
    assert (p.name, p.lang, p.per_week, p.rule, len(p.sessions)) == ("Couch to 5K", "en", 3, "repeat", 27)
    weeks = weeks_of(pf)
    assert sorted(weeks) == list(range(1, 10)) and all(len(s) == 3 for s in weeks.values())
    assert [s.items for s in weeks[1]] == [items("5m warmup, 8x(60s run, 90s walk), 5m cooldown")] * 3
    assert weeks[1][0].total_ms == 1800000 and weeks[1][0].run_ms == 480000
    assert [s.items for s in weeks[9]] == [items("5m warmup, 30m run, 5m cooldown")] * 3
    assert [s.run_ms // 60000 for s in weeks[5]] == [15, 16, 20]
    assert [s.run_ms // 60000 for s in weeks[6]] == [18, 20, 25]
    assert [weeks[w][0].run_ms // 60000 for w in (7, 8, 9)] == [25, 28, 30]
    for prog in pf.plan.sessions:  # every session: a 5-minute warm-up walk and cool-down
        assert prog[1].items[0] == ["warmup", 300000] and prog[1].items[-1] == ["cooldown", 300000]


def test_runningtherapie_is_a_gentle_dutch_plan_of_twelve_weeks():
    pf = plans.load_builtin("runningtherapie")
    p = pf.plan
    assert (p.lang, p.per_week, len(p.sessions)) == ("nl", 3, 36)
    weeks = weeks_of(pf)
    assert sorted(weeks) == list(range(1, 13))
    assert all(prog.lang == "nl" for _w, prog in p.sessions)
    assert all(30 * 60000 <= prog.total_ms <= 41 * 60000 for _w, prog in p.sessions)  # about half an hour
    runs = [weeks[w][0].run_ms for w in range(1, 13)]
    assert runs == sorted(runs), "the running minutes never go down from week to week"
    assert weeks[1][0].run_ms * 3 < weeks[1][0].total_ms, "walking most at the start"
    assert weeks[12][0].items == items("5m opwarmen, 30m hardlopen, 5m uitlopen")


@pytest.mark.parametrize("name", ["c25k", "runningtherapie"])
def test_every_builtin_plan_cites_its_source(name):
    pf = plans.load_builtin(name)
    assert pf.source
    text = (ROOT / "host_tools/runcue_host/authoring/builtin" / (name + ".toml")).read_text(encoding="utf-8")
    comments = [line for line in text.splitlines() if line.startswith("#")]
    assert any("https://" in line for line in comments)
    if name == "runningtherapie":
        assert "no public schema found" in pf.source  # said honestly, in the plan itself


def test_builtin_plans_are_package_data():
    conf = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "builtin/*.toml" in conf["tool"]["setuptools"]["package-data"]["runcue_host.authoring"]
    assert plans.builtin_names() == ["c25k", "runningtherapie"]


@pytest.mark.parametrize("name", ["c25k", "runningtherapie"])
def test_builtin_plans_load_on_the_watch(name):
    p = plans.load_builtin(name).plan
    data = p.to_json().encode("utf-8")
    assert len(data) <= plan.MAX_JSON_BYTES
    again = plan.loads(data)  # the watch's own loader and checks
    assert again.id() == p.id() and len(again.sessions) == len(p.sessions)


# -- plan files --------------------------------------------------------------------------

PLAN = '''name = "Rustig"
lang = "nl"
notes = "Praattempo."
per_week = 2
rule = "next"

[[sessions]]
week = 1
shorthand = "5m wandelen, 4x(1m hardlopen, 2m wandelen)"

[[sessions]]
week = 1
notes = "Samen met de therapeut."

[[sessions.segments]]
kind = "opwarmen"
duration = "5m"

[[sessions.segments]]
repeat = 3
  [[sessions.segments.segments]]
  kind = "hardlopen"
  seconds = 90
  [[sessions.segments.segments]]
  kind = "wandelen"
  duration = "2:00"

[[sessions]]
week = 3
name = "Lange duurloop"
shorthand = "5m warmup, 20m run"
'''


def test_plan_file_compiles_to_the_device_form(tmp_path):
    path = tmp_path / "rustig.toml"
    path.write_text(PLAN, encoding="utf-8")
    pf = plans.load_plan(path)
    p = pf.plan
    assert (p.name, p.lang, p.per_week, p.rule) == ("Rustig", "nl", 2, "next")
    assert [(w, s.name, s.lang) for w, s in p.sessions] == [
        (1, "W1S1", "nl"), (1, "W1S2", "nl"), (3, "Lange duurloop", "nl")]
    assert p.sessions[1][1].items == items("5m warmup, 3x(90s run, 2m walk)")
    assert pf.notes == "Praattempo." and pf.session_notes == ["", "Samen met de therapeut.", ""]
    expected = plan.make("Rustig", "nl", 2, "next", [(w, program.make(s.name, "nl", s.items))
                                                     for w, s in p.sessions])
    assert p.to_json() == expected.to_json()
    # the name defaults to the file name; lang to en; rule to repeat
    pf = plans.loads_plan('per_week = 1\n[[sessions]]\nweek = 2\nshorthand = "5m walk"\n', "x.toml", "x")
    assert (pf.plan.name, pf.plan.lang, pf.plan.rule, pf.plan.sessions[0][1].name) == ("x", "en", "repeat",
                                                                                       "W2S1")


def test_a_utf8_bom_is_fine(tmp_path):
    path = tmp_path / "bom.toml"
    path.write_bytes(b"\xef\xbb\xbf" + PLAN.encode("utf-8"))
    assert plans.load_plan(path).plan.name == "Rustig"


GOOD_SESSION = '\n[[sessions]]\nweek = 1\nshorthand = "5m walk"\n'


@pytest.mark.parametrize("text, message", [
    ('per_week = 3\n' + GOOD_SESSION * 3 + '\n[[sessions]]\nweek = 2\nshorthand = "5m walk,, 1m run"\n',
     'week2.toml: line 17: sessions[4].shorthand: item 2 is empty (column 9): something may be missing'),
    ('per_week = 3\n' + GOOD_SESSION + '\n[[sessions]]\nweek = 3\nshorthand = "5m walk"\n'
     '\n[[sessions]]\nweek = 2\nshorthand = "5m walk"\n',
     'week2.toml: line 12: sessions[3].week: week 2 after week 3: sessions go in week order'),
    ('per_week = 0\n' + GOOD_SESSION, 'week2.toml: line 1: per_week: 0 is not between 1 and 7'),
    ('per_week = 3\nrule = "again"\n' + GOOD_SESSION,
     'week2.toml: line 2: rule: "again" is not repeat (a session stopped early is offered again) '
     'or next (move on)'),
    ('per_week = 3\nsessions = []\n', 'week2.toml: line 2: sessions: empty: a plan needs at least one session'),
    ('per_week = 3\n' + GOOD_SESSION + '\n[[sessions.segments]]\nkind = "run"\nseconds = 9000\n',
     'week2.toml: line 3: sessions[1]: use either shorthand or [[sessions.segments]], not both'),
    ('per_week = 3\n\n[[sessions]]\nweek = 1\n\n[[sessions.segments]]\nkind = "run"\nduration = 90\n',
     'week2.toml: line 8: sessions[1].segments[1].duration: must be text in quotes such as "90s" or "1:30", '
     'not a number (or use seconds = 90)'),
    ('per_week = 3\n\n[[sessions]]\nweek = 1\n\n[[sessions.segments]]\nkind = "run"\nseconds = 9000\n',
     'week2.toml: line 6: sessions[1]: segment 1: 2h30m is longer than the 2 h maximum '
     '(sessions[1].segments[1])'),
    ('per_week = 3\n' + GOOD_SESSION + 'nme = "x"\n',
     'week2.toml: line 6: sessions[1]: unknown field "nme": did you mean name? '
     '(a session has week, name, notes, shorthand, segments)'),
    ('per_week = 3\n' + GOOD_SESSION + 'name = "' + 'n' * 41 + '"\n',
     'week2.toml: line 6: sessions[1].name: 41 characters, at most 40'),
])
def test_errors_name_the_file_the_line_and_the_field(text, message):
    with pytest.raises(plans.PlanFileError) as info:
        plans.loads_plan(text, "week2.toml")
    assert str(info.value) == message
    assert isinstance(info.value, UserError) and isinstance(info.value, ProgramError)


def test_resolve_finds_builtins_and_files(tmp_path):
    assert plans.resolve(" c25k ").plan.name == "Couch to 5K"
    (tmp_path / "mine.toml").write_text(PLAN, encoding="utf-8")
    assert plans.resolve(str(tmp_path / "mine.toml")).plan.name == "Rustig"
    with pytest.raises(plans.PlanFileError, match="not a built-in plan"):
        plans.resolve("couch")


# -- `runcue plan ...` -------------------------------------------------------------------

def _runcue(argv):
    env = dict(os.environ, COLUMNS="120", NO_COLOR="1")
    proc = subprocess.run([str(RUNCUE)] + argv, capture_output=True, env=env, timeout=60)
    return proc.returncode, proc.stdout.decode("utf-8"), proc.stderr.decode("utf-8")


@pytest.fixture(scope="module")
def cli_runs(tmp_path_factory):
    path = tmp_path_factory.mktemp("plan") / "rustig.toml"
    path.write_text(PLAN, encoding="utf-8")
    argvs = {
        "check json": ["plan", "check", "c25k", "--json"],
        "check file": ["plan", "check", str(path)],
        "check file json": ["plan", "check", str(path), "--json"],
        "show": ["plan", "show", "c25k"],
        "show file": ["plan", "show", str(path)],
        "list": ["plan", "list-builtin"],
        "help": ["plan", "--help"],
    }
    with ThreadPoolExecutor(max_workers=4) as pool:
        return dict(zip(argvs, pool.map(_runcue, argvs.values()), strict=True))


def test_plan_check_json(cli_runs):
    code, stdout, stderr = cli_runs["check json"]
    assert code == 0 and stderr == "" and stdout.count("\n") == 1, stderr
    doc = json.loads(stdout)
    assert set(doc) == PLAN_KEYS | {"lang", "warnings"} and (doc["lang"], doc["warnings"]) == ("en", [])
    assert {k: doc[k] for k in PLAN_KEYS - {"id"}} == {
        "name": "Couch to 5K", "sessions": 27, "weeks": 9, "per_week": 3, "rule": "repeat",
        "total_s": 53670, "run_s": 29340}
    assert doc["id"] == plans.load_builtin("c25k").plan.id()
    code, stdout, _ = cli_runs["check file json"]
    doc = json.loads(stdout)
    assert (doc["sessions"], doc["weeks"], doc["rule"], doc["total_s"]) == (3, 3, "next", 3450)


def test_plan_check_readable(cli_runs):
    code, stdout, stderr = cli_runs["check file"]
    assert code == 0, stderr
    assert "ok: the plan fits the watch" in stdout and "Rustig" in stdout and "3 in 3 weeks, 2 a week" in stdout


def test_plan_show_lists_every_session(cli_runs):
    code, stdout, stderr = cli_runs["show"]
    assert code == 0, stderr
    for text in ("W1S1", "W9S3", "5m warmup, 8x(1m run, 1m30s walk), 5m cooldown", "30:00", "40:00",
                 "NHS Couch to 5K"):
        assert text in stdout
    code, stdout, stderr = cli_runs["show file"]
    assert code == 0 and "Lange duurloop" in stdout and "Samen met de therapeut." in stdout


def test_plan_list_builtin(cli_runs):
    code, stdout, stderr = cli_runs["list"]
    assert code == 0, stderr
    for text in ("c25k", "runningtherapie", "nhs.uk", "27", "36"):
        assert text in stdout
    code, stdout, _ = cli_runs["help"]
    assert code == 0 and all(c in stdout for c in ("check", "list-builtin", "show"))


def _sessions(week, n, shorthand="5m walk"):
    return '\n[[sessions]]\nweek = %d\nshorthand = "%s"\n' % (week, shorthand) * n


def test_week_warnings_name_short_missing_and_crowded_weeks():
    pf = plans.loads_plan("per_week = 3\n" + _sessions(1, 2) + _sessions(3, 4) + _sessions(4, 3), "gaps.toml")
    assert plans.week_warnings(pf) == [
        "gaps.toml: week 1 has 2 sessions, fewer than per_week = 3",
        "gaps.toml: week 2 has no sessions",
        "gaps.toml: week 3 has 4 sessions, more than per_week = 3"]
    for name in plans.builtin_names():
        assert plans.week_warnings(plans.load_builtin(name)) == [], name


def test_a_plan_without_lang_takes_it_from_its_words_and_lang_overrides():
    dutch = plans.loads_plan("per_week = 1\n" + _sessions(1, 1, "5m wandelen, 3x(1m hardlopen, 2m wandelen)")
                             + _sessions(2, 1, "5m opwarmen, 10m hardlopen"), "nl.toml")
    assert dutch.plan.lang == "nl" and all(prog.lang == "nl" for _w, prog in dutch.plan.sessions)
    assert dutch.lang_from == "the words"
    c25k = plans.resolve("c25k", lang="nl")
    assert c25k.plan.lang == "nl" and all(prog.lang == "nl" for _w, prog in c25k.plan.sessions)
    assert c25k.lang_from == "--lang" and c25k.plan.id() != plans.resolve("c25k").plan.id()
    assert plans.resolve("c25k").lang_from == "the file"


@pytest.mark.parametrize("at, pos", [("W1S1", 0), ("w3s2", 7), ("W3", 6), (" W9S3 ", 26)])
def test_a_place_in_a_plan_is_written_week_and_session(at, pos):
    assert plans.place(plans.load_builtin("c25k"), at) == pos


@pytest.mark.parametrize("at, message", [
    ("x", '--at: "x" is not a place in the plan: write W<week>S<session>, e.g. W3S1 (week 3, session 1)'),
    ("3.1", '--at: "3.1" is not a place in the plan: write W<week>S<session>, e.g. W3S1 (week 3, session 1)'),
    ("W0S1", "--at W0S1: the plan has weeks 1 to 9"),
    ("W99", "--at W99: the plan has weeks 1 to 9"),
    ("W3S4", "--at W3S4: week 3 has 3 sessions (W3S1 to W3S3)"),
    ("W3S0", "--at W3S0: sessions count from 1 (W3S1)"),
])
def test_a_place_that_is_not_in_the_plan_is_refused_in_one_line(at, message):
    with pytest.raises(UserError) as info:
        plans.place(plans.load_builtin("c25k"), at)
    assert str(info.value) == message


def test_a_missing_week_is_no_place():
    pf = plans.loads_plan("per_week = 1\n" + _sessions(1, 1) + _sessions(3, 1), "gaps.toml")
    with pytest.raises(UserError, match="--at W2: week 2 of the plan has no sessions"):
        plans.place(pf, "W2")


def test_plan_check_warns_on_stderr_and_in_json_but_passes(tmp_path):
    path = tmp_path / "gaps.toml"
    path.write_text("per_week = 3\n" + _sessions(1, 2) + _sessions(3, 3), encoding="utf-8")
    code, stdout, stderr = _runcue(["plan", "check", str(path)])
    assert code == 0 and "ok: the plan fits the watch" in stdout
    assert stderr.splitlines() == ["runcue: warning: %s: week 1 has 2 sessions, fewer than per_week = 3" % path,
                                   "runcue: warning: %s: week 2 has no sessions" % path]
    code, stdout, stderr = _runcue(["plan", "check", str(path), "--json"])
    assert code == 0 and json.loads(stdout)["warnings"] == [
        "%s: week 1 has 2 sessions, fewer than per_week = 3" % path, "%s: week 2 has no sessions" % path]


def test_plan_show_speaks_dutch_with_lang_nl():
    code, stdout, stderr = _runcue(["plan", "show", "c25k", "--lang", "nl"])
    assert code == 0, stderr
    for text in ("sessies", "27 in 9 weken, 3 per week", "opnieuw aangeboden", "waarvan",
                 "5m opwarmen, 8x(1m hardlopen, 1m30s wandelen), 5m uitlopen", "min hardlopen"):
        assert text in stdout, text
    ours = [line for line in stdout.splitlines() if not line.startswith(("bron", "notities", " " * 10))]
    for english in ("sessions", "weeks", "offered again", "running", "walk", "total"):  # the plan's notes aside
        assert all(english not in line for line in ours), english
    # the plan itself is Dutch now: the id shown is the id a push with --lang nl gives
    assert plans.resolve("c25k", lang="nl").plan.id() in stdout
    code, stdout, stderr = _runcue(["plan", "check", "--lang", "nl", "--json",
                                    str(ROOT / "host_tools" / "runcue_host" / "authoring" / "builtin" / "c25k.toml")])
    assert code == 0 and json.loads(stdout)["id"] == plans.resolve("c25k", lang="nl").plan.id()


@pytest.mark.parametrize("n, lang, text", [(1, "nl", "1 week"), (2, "nl", "2 weken"), (1, "en", "1 week"),
                                           (2, "en", "2 weeks")])
def test_weeks_have_their_plural(n, lang, text):
    assert plans.weeks_text(n, lang) == text


def test_a_plan_file_reads_like_its_plan():
    pf = plans.load_builtin("c25k")
    assert (pf.name, pf.per_week, pf.sessions, pf.to_json(), pf.id()) == (
        pf.plan.name, pf.plan.per_week, pf.plan.sessions, pf.plan.to_json(), pf.plan.id())


def test_plan_list_builtin_never_cuts_an_address_in_two():
    sources = [plans.load_builtin(name).source for name in plans.builtin_names()]
    addresses = [w.strip(",()") for s in sources for w in s.split() if "." in w.strip(",().")]
    assert "fysiotherapiedemeierij.nl" in addresses
    for columns in ("40", "60", "80"):
        proc = subprocess.run([str(RUNCUE), "plan", "list-builtin"], capture_output=True, timeout=60,
                              env=dict(os.environ, COLUMNS=columns, NO_COLOR="1"))
        out = proc.stdout.decode()
        assert proc.returncode == 0, proc.stderr
        for address in addresses:
            assert address in out, (columns, address, out)


# -- progress on the watch: rest days and a week's target (the same on both interpreters) --

PROGRESS = load_vectors("progress.json")


@pytest.mark.parametrize("index", range(len(PROGRESS)), ids=[c["about"] for c in PROGRESS])
def test_the_plan_advises_rest_days_and_waits_for_the_next_week(interpreter, index):
    case = PROGRESS[index]
    got = run_driver(interpreter, "progress_driver", "progress.json")[index]
    assert got["advice"] == case["expect"]  # [GO 0 | REST_DAY 1 | WEEK_DONE 2, weekday, days from today]
    assert got["state_kept"]  # the watch keeps the last session's day across a restart
