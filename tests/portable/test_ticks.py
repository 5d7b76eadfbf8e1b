"""Tick arithmetic wraps at 2**30 the same way on both interpreters."""

import json
import random

from runcue import ticks

import mpy

P = 2**30


def _cases(n=2000, seed=7):
    rnd = random.Random(seed)
    edges = [0, 1, P - 1, P - 2, P // 2, P // 2 - 1, P // 2 + 1]
    out = []
    for _ in range(n):
        t = rnd.choice(edges + [rnd.randrange(P)])
        d = rnd.choice([0, 1, -1, P // 2 - 1, -(P // 2 - 1), rnd.randrange(-P // 2 + 1, P // 2)])
        b = rnd.choice(edges + [rnd.randrange(P)])
        out.append([t, d, b])
    return out


def _expected(t, d, b):
    diff = (t - b) % P
    return [(t + d) % P, diff - P if diff > P // 2 else diff]


def test_add_and_diff_follow_modular_arithmetic_on_cpython():
    for t, d, b in _cases():
        assert [ticks.add(t, d), ticks.diff(t, b)] == _expected(t, d, b)


def test_add_and_diff_agree_on_micropython(tmp_path):
    cases = _cases()
    (tmp_path / "cases.json").write_text(json.dumps(cases))
    code = (
        "import json\nfrom runcue import ticks\n"
        "cases = json.load(open(%r))\n"
        "print(json.dumps([[ticks.add(t, d), ticks.diff(t, b)] for t, d, b in cases]))\n"
    ) % str(tmp_path / "cases.json")
    got = json.loads(mpy.run_code(code, tmp_path).stdout.splitlines()[-1])
    assert got == [_expected(*c) for c in cases]
