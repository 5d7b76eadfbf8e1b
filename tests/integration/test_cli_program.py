"""`runcue program ...` through the real installed console script."""

import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

RUNCUE = Path(sys.executable).parent / "runcue"
C25K = "5m walk, 8x(60s run, 90s walk), 5m walk"
KEYS = {"id", "name", "segments", "total_s", "run_s", "walk_s"}


def runcue(*args, cwd=None):
    env = dict(os.environ, COLUMNS="100", NO_COLOR="1")
    return subprocess.run([str(RUNCUE)] + [os.fsencode(a) if isinstance(a, str) else a for a in args],
                          capture_output=True, env=env, timeout=60, cwd=cwd)


def out(proc):
    return proc.stdout.decode("utf-8"), proc.stderr.decode("utf-8", "replace")


def test_console_script_is_installed():
    assert RUNCUE.exists(), "run `make setup`"


def test_check_json_c25k_week1():
    proc = runcue("program", "check", C25K, "--json")
    stdout, stderr = out(proc)
    assert proc.returncode == 0, stderr
    doc = json.loads(stdout)  # exactly one document
    assert set(doc) == KEYS | {"lang"} and doc["lang"] == "en"
    assert (doc["segments"], doc["total_s"], doc["run_s"], doc["walk_s"]) == (18, 1800, 480, 1320)
    assert len(doc["id"]) == 16 and int(doc["id"], 16) >= 0
    assert doc["name"] == "8x 1:00/1:30 30m"
    assert stdout.count("\n") == 1 and stderr == ""


def test_check_readable():
    proc = runcue("program", "check", C25K)
    stdout, stderr = out(proc)
    assert proc.returncode == 0, stderr
    assert "30:00" in stdout and "8:00" in stdout and "22:00" in stdout and "18" in stdout


def test_check_toml_file(tmp_path):
    (tmp_path / "week1.toml").write_text(
        'name = "C25K week 1"\nlang = "nl"\nnotes = "Rustig."\n\n'
        '[[segments]]\nkind = "warm-up"\nduration = "5m"\n\n'
        '[[segments]]\nrepeat = 8\n  [[segments.segments]]\n  kind = "hardlopen"\n  duration = "1:00"\n'
        '  [[segments.segments]]\n  kind = "wandelen"\n  seconds = 90\n\n'
        '[[segments]]\nkind = "uitlopen"\nduration = "5m"\n', encoding="utf-8")
    proc = runcue("program", "check", "week1.toml", "--json", cwd=tmp_path)
    stdout, stderr = out(proc)
    assert proc.returncode == 0, stderr
    doc = json.loads(stdout)
    assert doc["name"] == "C25K week 1"
    assert (doc["segments"], doc["total_s"], doc["run_s"], doc["walk_s"]) == (18, 1800, 480, 1320)
    proc = runcue("program", "check", str(tmp_path / "week1.toml"))
    assert proc.returncode == 0 and "Rustig." in out(proc)[0]


DUTCH = "5m wandelen, 2x(1m hardlopen, 2m wandelen)"


def test_check_says_the_language_it_took_from_the_words():
    runs = {"nl": ("program", "check", DUTCH), "nl json": ("program", "check", DUTCH, "--json"),
            "en given": ("program", "check", DUTCH, "--lang", "en", "--json"),
            "mix": ("program", "check", "5m wandelen, 1m run"),
            "mix given": ("program", "check", "5m wandelen, 1m run", "--lang", "nl", "--json"),
            "bad lang": ("program", "check", DUTCH, "--lang", "fr")}
    with ThreadPoolExecutor(max_workers=4) as pool:
        procs = dict(zip(runs, pool.map(lambda a: runcue(*a), runs.values()), strict=True))
    stdout, stderr = out(procs["nl"])
    assert procs["nl"].returncode == 0, stderr
    assert "nl  (the words)" in stdout and DUTCH in stdout  # the program row is written in Dutch too
    assert json.loads(out(procs["nl json"])[0])["lang"] == "nl"
    assert json.loads(out(procs["en given"])[0])["lang"] == "en"
    stdout, _ = out(procs["mix"])
    assert "en  (the default: the words mix Dutch and English (write --lang nl for Dutch))" in stdout
    assert json.loads(out(procs["mix given"])[0])["lang"] == "nl"
    _, stderr = out(procs["bad lang"])
    assert procs["bad lang"].returncode == 2 and stderr == 'runcue: --lang: "fr" is not one of en, nl\n'


@pytest.mark.parametrize("args", [["--help"], ["program", "--help"], ["program", "check", "--help"],
                                  ["program", "check", "-h"]])
def test_help(args):
    proc = runcue(*args)
    stdout, stderr = out(proc)
    assert proc.returncode == 0, stderr
    assert "Usage" in stdout
    if args[-2:-1] == ["check"]:
        assert "SPEC" in stdout and "--json" in stdout


def test_no_subcommand_shows_help():
    proc = runcue("program")
    assert proc.returncode == 0 and "check" in out(proc)[0]


def _bad_inputs(tmp):
    (tmp / "bad.toml").write_text('name = "x"\nlang = \n')
    (tmp / "latin1.toml").write_bytes(b'name = "caf\xe9"\nshorthand = "5m walk"\n')
    (tmp / "huge.toml").write_bytes(b"#" * (300 * 1024))
    (tmp / "types.toml").write_text('[[segments]]\nkind = "walk"\nduration = 90\n')
    (tmp / "short.toml").write_text('shorthand = "5m walk, 8x(60s run, 2s walk)"\n')
    (tmp / "week1.txt").write_text(C25K)
    (tmp / "dir.toml").mkdir()
    return {
        "empty item": (["program", "check", "5m walk,, 3m run"], "item 2 is empty"),
        "empty spec": (["program", "check", ""], "shorthand: is empty"),
        "no kind": (["program", "check", "90s"], "what kind?"),
        "unknown kind": (["program", "check", "5m wlak"], "unknown kind"),
        "too short": (["program", "check", "5m walk, 2s run"], "segment 2: 2s is shorter"),
        "too long": (["program", "check", "3h walk"], "longer than the 2 h maximum"),
        "too many": (["program", "check", "200x(5s run, 5s walk)"], "more than 250 segments"),
        "too deep": (["program", "check", "2x(2x(2x(60s run)))"], "nested more than 2 levels"),
        "brackets": (["program", "check", "(" * 5000], "nested more than 2 levels"),
        "newlines": (["program", "check", "5m walk\n3m\nrun\n,,"], "comma may be missing"),
        "not utf-8 argv": (["program", "check", b"5m w\xffalk"], "unexpected character"),
        "missing file": (["program", "check", "missing.toml"], "missing.toml: no such file"),
        "bad toml": (["program", "check", str(tmp / "bad.toml")], "line 2, column 8: not valid TOML"),
        "not utf-8 file": (["program", "check", str(tmp / "latin1.toml")], "line 1: not UTF-8"),
        "huge file": (["program", "check", str(tmp / "huge.toml")], "larger than 256 KiB"),
        "wrong type": (["program", "check", str(tmp / "types.toml")], "segments[1].duration: must be text"),
        "limit in file": (["program", "check", str(tmp / "short.toml")], "segment 3: 2s is shorter"),
        "not .toml": (["program", "check", str(tmp / "week1.txt")], "must end in .toml"),
        "directory": (["program", "check", str(tmp / "dir.toml")], "is a directory"),
        "missing argument": (["program", "check"], "program check: missing argument 'SPEC'"),
        "bad option": (["program", "check", "--bogus", C25K], "no such option: --bogus"),
        "bad command": (["program", "nope"], "no such command 'nope'"),
        "bad group": (["nope"], "no such command 'nope'"),
    }


def test_user_mistakes_exit_2_with_one_line_and_no_traceback(tmp_path):
    cases = _bad_inputs(tmp_path)
    with ThreadPoolExecutor(max_workers=8) as pool:
        procs = dict(zip(cases, pool.map(lambda c: runcue(*c[0]), cases.values()), strict=True))
    failures = []
    for name, (_args, fragment) in cases.items():
        proc = procs[name]
        stdout, stderr = out(proc)
        lines = stderr.splitlines()
        ok = (proc.returncode == 2 and stdout == "" and len(lines) == 1 and lines[0].startswith("runcue: ")
              and "Traceback" not in stderr and fragment in stderr)
        if not ok:
            failures.append("%s: rc=%s stdout=%r stderr=%r" % (
                name, proc.returncode, stdout[:200], stderr[:500]))
    assert not failures, "\n".join(failures)
