import importlib
import json
import sqlite3
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "tests" / "portable"))

import mpy  # noqa: E402

VECTORS = ROOT / "tests" / "vectors"
# tests/<kind>/: each test is marked with its folder's kind (`pytest -m unit`); `make test-fast`
# runs the quick kinds, `make test` all of them.  The kinds are registered in pyproject.toml.
KINDS = ("unit", "portable", "firmware", "integration", "fuzz", "faults", "lint")
_mp_cache = {}


def pytest_collection_modifyitems(items):
    for item in items:
        kind = Path(item.path).relative_to(ROOT / "tests").parts[0]
        if kind in KINDS:
            item.add_marker(kind)


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


def damage(path, table):
    """Overwrite the first page of ``table`` (its b-tree root), as a failing disk would."""
    db = sqlite3.connect(str(path))
    page_size = db.execute("PRAGMA page_size").fetchone()[0]
    root = db.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (table,)).fetchone()[0]
    db.close()
    with open(path, "r+b") as f:
        f.seek((root - 1) * page_size)
        f.write(b"\xa5" * page_size)


@pytest.fixture(scope="session")
def pg_cluster():
    """One private PostgreSQL cluster for the whole test session (tests/pg_cluster.py), stopped at its end."""
    from pg_cluster import Cluster

    cluster = Cluster()
    try:
        yield cluster
    finally:
        cluster.stop()
