"""Every command is documented: each command and group has help text that reads as written,
each option and argument says what it is, and the README names every command (a command
nobody can find is a command nobody uses).  The command tree is walked as click sees it, so
a command added to the table is checked without touching this file."""

import inspect
from pathlib import Path

from runcue_host import cli

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")


def _walk(command, path=()):
    yield path, command
    for name, sub in sorted(getattr(command, "commands", {}).items()):
        yield from _walk(sub, path + (name,))


COMMANDS = list(_walk(cli.click_command()))
LEAVES = [path for path, command in COMMANDS if path and not hasattr(command, "commands")]


def test_the_walk_sees_the_whole_command_table():
    assert len(LEAVES) == len(cli.COMMANDS) and len(COMMANDS) == 1 + len(cli.GROUPS) + len(cli.COMMANDS)


def test_every_command_and_group_has_help_text():
    missing = [" ".join(path) or "runcue" for path, command in COMMANDS if not (command.help or "").strip()]
    assert not missing, "no help text: %s" % ", ".join(missing)


def test_every_option_and_argument_says_what_it_is():
    missing = ["%s %s" % (" ".join(path) or "runcue", param.name) for path, command in COMMANDS
               for param in command.params if not (getattr(param, "help", None) or "").strip()]
    assert not missing, "no help text: %s" % ", ".join(missing)


def test_the_readme_names_every_command():
    missing = ["runcue " + " ".join(path) for path in LEAVES if "runcue %s" % " ".join(path) not in README]
    assert not missing, "README.md does not name: %s" % ", ".join(missing)


def test_the_readme_says_how_to_run_the_quick_tests():
    assert "make test-fast" in README


def test_every_help_paragraph_reads_on_one_line(monkeypatch, capsys):
    """The help's renderer keeps a docstring's single line breaks: a paragraph wrapped in the
    source came out broken mid-sentence (`preview --help`: "the cue of" / "each segment")."""
    monkeypatch.setenv("COLUMNS", "400")
    monkeypatch.setenv("NO_COLOR", "1")
    checked = 0
    for path, command in COMMANDS:
        assert cli.main(list(path) + ["--help"]) == 0, path
        lines = [" ".join(line.split()) for line in capsys.readouterr().out.splitlines()]
        for paragraph in inspect.cleandoc(command.help or "").split("\n\n"):
            assert " ".join(paragraph.split()) in lines, (path, paragraph)
            checked += 1
    assert checked > 20


def test_the_readme_layout_names_every_folder_of_the_host_package_and_every_kind_of_test():
    root = Path(__file__).resolve().parents[2]
    folders = sorted(p.parent.name for p in (root / "host_tools" / "runcue_host").glob("*/__init__.py"))
    kinds = sorted(p.name for p in (root / "tests").iterdir() if p.is_dir() and any(p.glob("test_*.py")))
    missing = ["host_tools/runcue_host/%s/" % f for f in folders if "`host_tools/runcue_host/%s/`" % f not in README]
    missing += ["tests/%s" % k for k in kinds if "`%s`" % k not in README]
    assert folders and kinds and not missing, "README.md's layout does not name: %s" % ", ".join(missing)
