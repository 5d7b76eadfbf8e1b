"""The program model answers the same on CPython and on MicroPython."""

import pytest

from conftest import load_vectors, run_driver

CASES = load_vectors("programs.json")


@pytest.mark.parametrize("index", range(len(CASES)))
def test_program_vectors_agree_on_both_interpreters(interpreter, index):
    case = CASES[index]
    got = run_driver(interpreter, "program_driver", "programs.json")[index]
    if "error" in case:
        assert "error" in got, got
        assert case["error"] in got["error"]
        return
    assert "error" not in got, got
    for key, value in case["expect"].items():
        assert got[key] == value, key


def test_program_id_is_the_same_on_both_interpreters():
    cp = run_driver("cpython", "program_driver", "programs.json")
    mp = run_driver("micropython", "program_driver", "programs.json")
    assert [r.get("id") for r in cp] == [r.get("id") for r in mp]
    assert [r.get("canonical") for r in cp] == [r.get("canonical") for r in mp]
    assert all(len(r["id"]) == 16 for r in cp if "id" in r)


def test_canonical_json_round_trips_to_the_same_id():
    from runcue import program

    for r in run_driver("cpython", "program_driver", "programs.json"):
        if "canonical" in r:
            again = program.loads(r["canonical"])
            assert again.to_json() == r["canonical"]
            assert again.id() == r["id"]
