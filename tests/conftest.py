import importlib
import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "tests" / "portable"))

import mpy  # noqa: E402

VECTORS = ROOT / "tests" / "vectors"
_mp_cache = {}


def load_vectors(name):
    return json.loads((VECTORS / name).read_text())


@pytest.fixture(params=["cpython", "micropython"])
def interpreter(request):
    return request.param


def run_driver(interpreter, driver, vectors_name):
    """Results of tests/portable/<driver>.py over tests/vectors/<vectors_name>.

    The same driver runs in-process on CPython and as a script on the real
    MicroPython unix port (once per session, then cached), so both
    interpreters answer the same vectors.
    """
    vectors = load_vectors(vectors_name)
    if interpreter == "cpython":
        return importlib.import_module(driver).run(vectors)
    key = (driver, vectors_name)
    if key not in _mp_cache:
        _mp_cache[key] = mpy.run_json(mpy.PORTABLE / (driver + ".py"), VECTORS / vectors_name)
    return _mp_cache[key]
