"""The watch's own program/plan validator, fuzzed ON MICROPYTHON: only ProgramError, never a crash.

The watch checks every pushed program or plan again (it trusts nothing).  Here cases are
generated on the host from real programs and plans (byte edits, truncation, JSON nodes
replaced by hostile values, unknown keys, deep nesting, bad UTF-8, huge numbers), written
to a file, and one MicroPython process (the real unix port) loads each with
``runcue.program.loads`` / ``runcue.plan.loads`` and prints only the exception's type
name.  Every refusal must be ProgramError; what both interpreters accept must be the same
program (same id).  RUNCUE_FUZZ_MPY_CASES cases (default 2000; `make fuzz` sets more),
from a fixed seed.
"""

import copy
import json
import os
import random

import pytest

from runcue import plan, program
from runcue_host.authoring import plan_file as plans

import mpy

CASES = int(os.environ.get("RUNCUE_FUZZ_MPY_CASES", "2000"))
SEED = 20261125
MP_VALIDATE = os.path.join(os.path.dirname(os.path.dirname(__file__)), "faults", "mp_validate.py")

BASES = [
    ("program", program.make("C25K week 1", "en", [["walk", 300000], ["x", 8, [["run", 60000], ["walk", 90000]]],
                                                   ["walk", 300000]]).to_json()),
    ("program", program.make("Rustig \u00e9\u00e9n", "nl", [["warmup", 5000],
                                                         ["x", 3, [["run", 7200000 // 4], ["x", 2, [["rest", 5000]]]]],
                                                         ["cooldown", 60000]]).to_json()),
    ("program", program.make("long", "en", [["x", 125, [["run", 30000], ["walk", 30000]]]]).to_json()),
    ("plan", plans.load_builtin("c25k").to_json()),
    ("plan", plans.load_builtin("runningtherapie").to_json()),
]

HOSTILE = [None, True, False, 0, -1, 1, 4999, 5000, 5001, 7200000, 7200001, 14400001, 2 ** 31, 2 ** 63, 2 ** 70,
           -(2 ** 70), 1.5, 1e308, -0.0, "", "x", "run", "walk", "x" * 41, "\u0000", "\ud800", "\u00e9" * 20,
           [], [[]], {}, {"": None}, ["x", 2], ["x", 0, []], ["run"], ["run", 5000, 1],
           [["x", 2, [["x", 2, [["x", 2, [["run", 5000]]]]]]]]]


def _hostile(rnd):
    return copy.deepcopy(rnd.choice(HOSTILE))  # a copy: later mutations must not change the constants


def _paths(obj):
    """Every path into ``obj`` (no recursion: some cases are nested hundreds deep)."""
    out = []
    stack = [((), obj)]
    while stack:
        path, node = stack.pop()
        out.append(path)
        if isinstance(node, dict):
            stack += [(path + (k,), v) for k, v in node.items()]
        elif isinstance(node, list):
            stack += [(path + (i,), v) for i, v in enumerate(node)]
    return out


def _set(obj, path, value):
    if not path:
        return value
    parent = obj
    for p in path[:-1]:
        parent = parent[p]
    parent[path[-1]] = value
    return obj


def _mutate_json(rnd, text):
    obj = json.loads(text)
    paths = _paths(obj)
    for _ in range(rnd.randint(1, 3)):
        path = rnd.choice(paths)
        op = rnd.random()
        try:
            if op < 0.6:
                obj = _set(obj, path, _hostile(rnd))
            elif op < 0.75 and path:
                parent = obj
                for p in path[:-1]:
                    parent = parent[p]
                del parent[path[-1]]
            elif op < 0.9:
                parent = obj
                for p in path[:-1]:
                    parent = parent[p]
                if isinstance(parent, dict):
                    parent[rnd.choice(["V", "items ", "naam", "v2", ""])] = _hostile(rnd)
                elif isinstance(parent, list):
                    parent.insert(rnd.randint(0, len(parent)), _hostile(rnd))
            else:
                depth = rnd.choice([10, 100, 500])  # deeper: the raw cases below
                obj = _set(obj, path, json.loads("[" * depth + "]" * depth))
        except (KeyError, IndexError, TypeError):
            pass
        paths = _paths(obj)
    return json.dumps(obj, ensure_ascii=rnd.random() < 0.5).encode("utf-8", "surrogatepass")


def _mutate_bytes(rnd, data):
    data = bytearray(data)
    for _ in range(rnd.randint(1, 4)):
        op = rnd.random()
        pos = rnd.randint(0, len(data))
        if op < 0.3:
            del data[pos:pos + rnd.randint(1, 6)]
        elif op < 0.6:
            data[pos:pos] = rnd.choice([b"[", b"]", b"{", b"}", b'"', b",", b":", b"9", b"-", b"e", b" ", b"\\",
                                        b"\xff", b"\xc3", b"\x00", b"\\u00", b"1e999", b"nan", b"null"])
        elif op < 0.8 and data:
            data[min(pos, len(data) - 1)] = rnd.randrange(256)
        else:
            del data[pos:]
    return bytes(data)


def generate(n, seed=SEED):
    rnd = random.Random(seed)
    out = []
    for i in range(n):
        kind, text = rnd.choice(BASES)
        if rnd.random() < 0.1:  # sometimes the other validator: a plan as a program and back
            kind = "plan" if kind == "program" else "program"
        r = rnd.random()
        if r < 0.45:
            data = _mutate_json(rnd, text)
        elif r < 0.9:
            data = _mutate_bytes(rnd, text.encode())
        elif r < 0.95:
            data = _mutate_bytes(rnd, _mutate_json(rnd, text))
        else:
            data = rnd.choice([b"[" * 5000, b'{"v":1,"items":' + b"[" * 4000, b"\xef\xbb\xbf" + text.encode(),
                               text.encode() * 3, b"", b" ", b"1", b'"x"', text.encode() + b"\x00"])
        out.append((kind, data if i else text.encode()))  # case 0: unchanged (accepted on both)
    return out


def host_answer(kind, data):
    try:
        return "ok " + (plan.loads if kind == "plan" else program.loads)(data).id()
    except program.ProgramError:
        return "ProgramError"


@pytest.mark.skipif(CASES <= 0, reason="RUNCUE_FUZZ_MPY_CASES=0")
def test_the_watch_validator_refuses_only_with_program_error_on_micropython(tmp_path):
    cases = generate(CASES)
    path = tmp_path / "cases.jsonl"
    path.write_text("".join(json.dumps({"kind": k, "hex": d.hex()}) + "\n" for k, d in cases))
    out = mpy.run(MP_VALIDATE, path, timeout=1800).stdout.splitlines()
    assert len(out) == len(cases), out[-5:]
    kinds = {}
    for answer in out:
        kinds[answer.split()[0]] = kinds.get(answer.split()[0], 0) + 1
    assert set(kinds) <= {"ok", "ProgramError"}, kinds
    assert kinds.get("ok", 0) > 0 and kinds.get("ProgramError", 0) > CASES // 2, kinds
    differ = [(i, k, d[:80], mp, host_answer(k, d)) for i, ((k, d), mp) in enumerate(zip(cases, out, strict=True))
              if mp != host_answer(k, d)]
    assert not differ, "the two interpreters disagree on %d cases: %s" % (len(differ), differ[:5])
