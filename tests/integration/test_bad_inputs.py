"""Every bad program or plan ends in one clear line and exit status 2, never a traceback.

The corpus is tests/vectors/bad/ (index.json says what each input must be told); a few
inputs are generated here (a 5 MB file, 101 sessions, a plan too big for the watch) and
some command-line mistakes are added.  Every input goes through every command that reads
it (``runcue_host.cli.main`` in this process: milliseconds each), and each input also goes
once through the REAL console script, the commands taking turns, in parallel: a process
costs about 0.5 s of start-up (typer, rich), so all of them would take minutes.
"""

import io
import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest

from runcue_host import cli

RUNCUE = Path(sys.executable).parent / "runcue"
BAD = Path(__file__).resolve().parents[1] / "vectors" / "bad"
INDEX = json.loads((BAD / "index.json").read_text(encoding="utf-8"))
PROGRAM_COMMANDS = (["program", "check"], ["program", "preview"])
PLAN_COMMANDS = (["plan", "check"], ["plan", "show"], ["program", "preview", "--session", "1"])


def _generated(tmp):
    """(file name, bytes, is a plan, piece of the message) made at run time."""
    session = b'\n[[sessions]]\nweek = 1\nshorthand = "5m walk"\n'
    items = ", ".join("%ds run, %ds walk" % (5 + i, 5 + i) for i in range(60))
    return [
        ("huge-program.toml", b"# " + b"x" * (5 * 1024 * 1024) + b"\n", False, "larger than 256 KiB"),
        ("huge-plan.toml", b'per_week = 3\n' + session * 100000, True, "larger than 256 KiB"),
        ("plan-101-sessions.toml", b"per_week = 7\n" + session * 101, True, "101 sessions, at most 100"),
        ("plan-too-big-for-the-watch.toml", b"per_week = 7\n" + b"".join(
            b'\n[[sessions]]\nweek = %d\nshorthand = "%s"\n' % (1 + i // 7, items.encode())
            for i in range(40)), True, "at most 24576"),
    ]


def _inputs(tmp):
    """(input id, [argv after 'runcue' for each command that reads it], piece of the message)."""
    def through(commands, arg):
        return [cmd[:2] + [arg] + cmd[2:] for cmd in commands]

    inputs = []
    for name, piece in INDEX["files"].items():
        inputs.append((name, through(PLAN_COMMANDS if name.startswith("plan-") else PROGRAM_COMMANDS,
                                     str(BAD / name)), piece))
    for spec, piece in INDEX["shorthand"]:
        inputs.append(("shorthand %r" % spec, through(PROGRAM_COMMANDS, spec), piece))
    for name, data, is_plan, piece in _generated(tmp):
        (tmp / name).write_bytes(data)
        inputs.append((name, through(PLAN_COMMANDS if is_plan else PROGRAM_COMMANDS, str(tmp / name)), piece))
    (tmp / "a-dir.toml").mkdir()
    week1 = "5m warmup, 8x(60s run, 90s walk), 5m cooldown"
    for name, argv, piece in [
        ("no such file", ["plan", "check", str(tmp / "nope.toml")], "nope.toml: no such file"),
        ("a directory", ["plan", "show", str(tmp / "a-dir.toml")], "is a directory"),
        ("unknown built-in", ["plan", "show", "c26k"], "not a built-in plan (c25k, runningtherapie)"),
        ("no argument", ["plan", "check"], "missing argument"),
        ("--lang fr", ["program", "preview", week1, "--lang", "fr"], '--lang: "fr" is not one of'),
        ("--session 0", ["program", "preview", "c25k", "--session", "0"], "not a session of"),
        ("--session 28", ["program", "preview", "c25k", "--session", "28"], "(1 to 27)"),
        ("--session of a shorthand", ["program", "preview", week1, "--session", "1"], "not a built-in plan"),
        ("--wav in a missing directory", ["program", "preview", week1, "--wav", str(tmp / "no" / "w.wav")],
         "cannot write the WAV"),
        ("--wav a directory", ["program", "preview", week1, "--wav", str(tmp)], "is a directory"),
    ]:
        inputs.append((name, [argv], piece))
    return inputs


def _in_process(argv):
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        try:
            code = cli.main(argv)
        except BaseException as e:  # noqa: B036 - a traceback is what this test looks for
            return -1, out.getvalue(), "Traceback: %r" % e
    return code, out.getvalue(), err.getvalue()


def _script(argv):
    env = dict(os.environ, COLUMNS="100", NO_COLOR="1")
    proc = subprocess.run([str(RUNCUE)] + [os.fsencode(a) for a in argv], capture_output=True, env=env,
                          timeout=120, stdin=subprocess.DEVNULL)
    return proc.returncode, proc.stdout.decode("utf-8", "replace"), proc.stderr.decode("utf-8", "replace")


def _problems(code, stdout, stderr, piece):
    problems = []
    if code != 2:
        problems.append("exit %d" % code)
    if stderr.count("\n") != 1 or not stderr.startswith("runcue: ") or not stderr.endswith("\n"):
        problems.append("stderr is not one 'runcue: ' line")
    if "Traceback" in stderr + stdout:
        problems.append("traceback")
    if stdout:
        problems.append("output on stdout")
    if piece not in stderr:
        problems.append("does not say %r" % piece)
    return problems


def _report(runs):
    failures = ["%s: %s\n    %s" % (" ".join(argv)[-90:], ", ".join(problems), stderr.strip()[:300])
                for argv, problems, stderr in runs if problems]
    assert not failures, "\n".join(failures)


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    return _inputs(tmp_path_factory.mktemp("bad"))


def test_every_corpus_file_is_listed_in_the_index():
    files = {p.name for p in BAD.iterdir() if p.name != "index.json"}
    assert files == set(INDEX["files"])


def test_every_bad_input_through_every_command_says_one_line_and_exits_2(inputs):
    runs = []
    for _name, argvs, piece in inputs:
        for argv in argvs:
            code, stdout, stderr = _in_process(argv)
            runs.append((argv, _problems(code, stdout, stderr, piece), stderr))
    _report(runs)
    assert len(runs) >= 150


def test_every_bad_input_through_the_real_console_script(inputs):
    # the commands take turns, so that each of them meets files of every kind
    chosen = [argvs[i % len(argvs)] for i, (_name, argvs, _piece) in enumerate(inputs)]
    pieces = [piece for _name, _argvs, piece in inputs]
    with ThreadPoolExecutor(max_workers=max(4, 2 * (os.cpu_count() or 2))) as pool:
        results = list(pool.map(_script, chosen))
    _report([(argv, _problems(code, stdout, stderr, piece), stderr)
             for argv, (code, stdout, stderr), piece in zip(chosen, results, pieces, strict=True)])
    assert {tuple(a[:2]) for a in chosen} == {("program", "check"), ("program", "preview"), ("plan", "check"),
                                              ("plan", "show")}


def _not_watch_images(tmp):
    """Files that a user may pass to --flash by mistake: none of them is a watch's flash."""
    from runcue_host import sim
    from runcue_host.archive import Archive

    archive = tmp / "archive.sqlite"
    with Archive(archive):
        pass
    size = sim.BLOCK_SIZE * sim.BLOCKS + sim.RTC_BYTES
    noise = tmp / "noise-of-image-size.img"
    noise.write_bytes(os.urandom(size))
    short = tmp / "random.bin"
    short.write_bytes(os.urandom(100000))
    return [archive, noise, short]


def _twin_script(argv, timeout=30):
    """The real console script; a twin that starts serving instead of refusing is stopped."""
    env = dict(os.environ, COLUMNS="100", NO_COLOR="1")
    proc = subprocess.Popen([str(RUNCUE)] + argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                            stdin=subprocess.DEVNULL)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.terminate()  # the twin stops its watch and removes its link on SIGTERM
        out, err = proc.communicate(timeout=30)
        return -1, out.decode(), "served instead of refusing: " + err.decode()
    return proc.returncode, out.decode("utf-8", "replace"), err.decode("utf-8", "replace")


def test_a_file_that_is_not_a_watch_image_is_refused_by_sim_run_and_twin_and_left_untouched(tmp_path):
    runs = []
    for path in _not_watch_images(tmp_path):
        before = path.read_bytes()
        argv = ["sim", "run", "--flash", str(path), "--program", "5m walk"]
        code, stdout, stderr = _in_process(argv)
        runs.append((argv, _problems(code, stdout, stderr, "%s: not a watch flash image" % path), stderr))
        assert path.read_bytes() == before, "sim run changed %s" % path.name
        argv = ["sim", "twin", "--flash", str(path), "--link", str(tmp_path / "ttyWATCH")]
        code, stdout, stderr = _twin_script(argv)
        runs.append((argv, _problems(code, stdout, stderr, "%s: not a watch flash image" % path), stderr))
        assert path.read_bytes() == before, "sim twin changed %s" % path.name
    _report(runs)


def test_a_flash_or_link_that_is_a_directory_or_in_a_missing_directory_says_one_line(tmp_path):
    image = tmp_path / "w.img"
    somefile = tmp_path / "notes.txt"
    somefile.write_text("keep me")
    cases = [
        (["sim", "run", "--flash", str(tmp_path), "--program", "5m walk"], "is a directory"),
        (["sim", "run", "--flash", str(tmp_path / "no" / "w.img"), "--program", "5m walk"], "no such directory"),
        (["sim", "twin", "--flash", str(tmp_path), "--link", str(tmp_path / "tty")], "is a directory"),
        (["sim", "twin", "--flash", str(tmp_path / "no" / "w.img"), "--link", str(tmp_path / "tty")],
         "no such directory"),
        (["sim", "twin", "--flash", str(image), "--link", str(tmp_path)], "is a directory"),
        (["sim", "twin", "--flash", str(image), "--link", str(tmp_path / "no" / "tty")], "no such directory"),
        (["sim", "twin", "--flash", str(image), "--link", str(somefile)], "not a link"),
    ]
    runs = []
    for argv, piece in cases:
        code, stdout, stderr = _twin_script(argv)
        runs.append((argv, _problems(code, stdout, stderr, piece), stderr))
    _report(runs)
    assert somefile.read_text() == "keep me"  # a --link never removes a file the twin did not make
    assert not image.exists()  # refused before anything was made
