"""The formats page (`runcue help formats`): every example on it is a program or plan runcue
accepts (the help of every command is checked in test_docs.py)."""

import io
import json
import os
import re
import subprocess
import sys
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest

from runcue_host import cli
from runcue_host.cli import help as cli_help

RUNCUE = Path(sys.executable).parent / "runcue"
PAGE = cli_help.formats_text()
BLOCKS = re.findall(r"^```(shorthand|toml program|toml plan)\n(.*?)^```$", PAGE, re.M | re.S)


def _run(argv):
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = cli.main(argv)
    return code, out.getvalue(), err.getvalue()


def test_the_page_has_examples_of_every_format():
    kinds = [kind for kind, _text in BLOCKS]
    assert kinds.count("shorthand") == 1 and kinds.count("toml program") >= 2 and kinds.count("toml plan") >= 1
    assert len(PAGE.split("```")) == 2 * len(BLOCKS) + 1  # no example block the test would not see


@pytest.mark.parametrize("line", [ln for kind, text in BLOCKS if kind == "shorthand" for ln in text.splitlines()])
def test_every_shorthand_example_is_a_program(line):
    code, stdout, stderr = _run(["program", "check", line, "--json"])
    assert code == 0 and stderr == "", stderr
    dutch = any(w in line for w in ("wandelen", "hardlopen"))
    assert json.loads(stdout)["lang"] == ("nl" if dutch else "en")  # as the page says: the words decide


@pytest.mark.parametrize("i", [i for i, (kind, _t) in enumerate(BLOCKS) if kind.startswith("toml")])
def test_every_toml_example_is_a_program_or_plan(i, tmp_path):
    kind, text = BLOCKS[i]
    path = tmp_path / "example.toml"
    path.write_text(text, encoding="utf-8")
    command = "plan" if kind == "toml plan" else "program"
    code, stdout, stderr = _run([command, "check", str(path), "--json"])
    assert code == 0 and stderr == "", stderr
    if command == "plan":
        assert json.loads(stdout)["warnings"] == []


def test_help_formats_prints_the_page():
    proc = subprocess.run([str(RUNCUE), "help", "formats"], capture_output=True, timeout=60)
    assert proc.returncode == 0 and proc.stdout.decode("utf-8") == PAGE
    top = subprocess.run([str(RUNCUE), "--help"], capture_output=True, timeout=60, env=dict(os.environ, COLUMNS="200"))
    assert "runcue help formats" in top.stdout.decode("utf-8")
