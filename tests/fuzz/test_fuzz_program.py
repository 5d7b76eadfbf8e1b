"""Fuzzing: the shorthand parser, the TOML loader and the device JSON validator fail only
with their own clean errors (never another exception, never a hang).

Each property runs a few hundred examples (RUNCUE_FUZZ_EXAMPLES, default 300: a few seconds
in all; set it to 10000 for a deeper run); every example also runs under a hard time limit,
so a hang fails the test instead of stalling the suite.
"""

import json
import math
import os
import signal
from contextlib import contextmanager
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from runcue import program
from runcue.program import ProgramError
from runcue_host.authoring import program_file, shorthand, words
from runcue_host.authoring.program_file import ProgramFileError
from runcue_host.authoring.shorthand import ShorthandError

EXAMPLES = int(os.environ.get("RUNCUE_FUZZ_EXAMPLES", "300"))
FUZZ = settings(max_examples=EXAMPLES, deadline=timedelta(seconds=2),
                suppress_health_check=[HealthCheck.too_slow])
HANG_S = 5.0


class Hang(BaseException):
    """Raised by the alarm: a BaseException, so no `except Exception` can swallow it."""


@contextmanager
def time_limit(seconds=HANG_S):
    if not hasattr(signal, "setitimer"):
        yield
        return

    def on_alarm(signum, frame):
        raise Hang("no answer within %.1f s" % seconds)

    old = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def clean_message(err, prefix=None):
    msg = str(err)
    assert msg and "\n" not in msg, repr(msg)
    if prefix:
        assert msg.startswith(prefix), msg
    return msg


def check_program(prog):
    """A Program that came out of any path is whole: totals, JSON, id, round trip."""
    assert 1 <= prog.segments <= program.MAX_SEGMENTS
    assert 0 <= prog.run_ms <= prog.total_ms <= program.MAX_TOTAL_MS
    text = prog.to_json()
    again = program.loads(text)
    assert again.to_json() == text and again.id() == prog.id()
    summary = program_file.summary(prog)
    assert summary["run_s"] + summary["walk_s"] == summary["total_s"]


def compile_or_error(text):
    with time_limit():
        try:
            prog = shorthand.compile_shorthand(text)
        except ShorthandError as e:
            clean_message(e, "shorthand: ")
            return None
    check_program(prog)
    # what the shorthand meant can be written back and read again
    assert shorthand.parse_shorthand(shorthand.format_shorthand(prog.items)) == prog.items
    return prog


# -- shorthand -----------------------------------------------------------------------------

@FUZZ
@given(st.text(max_size=120))
@example("5m walk, 8x(60s run, 90s walk), 5m walk")
@example("(" * 3000)
@example("8x" * 2000)
@example("1:" * 500)
def test_shorthand_random_text(text):
    compile_or_error(text)


VOCAB = ["5m", "90s", "60s", "1:30", "2m30s", "0s", "4s", "999h", "1h", "90", "1.5m", "1:", "1:75",
         " ", "  ", "\n", ",", ", ", ";", ",,", "(", ")", "8x", "2x", "300x", "0x", "x", "X", "\u00d7", "*",
         "walk", "run", "rest", "warm-up", "cool down", "jog", "wandelen", "lopen", "wlak", "min", "sec",
         "s", "m", "h", "uur", "#", "[", "'", "\u00a0", "\t", "2", "10"]


@FUZZ
@given(st.lists(st.sampled_from(VOCAB), max_size=40).map("".join))
@example("5m walk,, 3m run")
@example("2x(2x(2x(60s run)))")
def test_shorthand_near_valid(text):
    compile_or_error(text)


KINDS = st.sampled_from(program.KINDS)


def items_strategy(max_seconds=7200):
    segment = st.builds(lambda k, s: [k, s * 1000], KINDS, st.integers(5, max_seconds))

    def block(inner):
        return st.builds(lambda n, it: ["x", n, it], st.integers(1, 20),
                         st.lists(inner, min_size=1, max_size=3))

    level2 = st.one_of(segment, block(segment))
    level1 = st.one_of(segment, block(level2))
    return st.lists(level1, min_size=1, max_size=4)


@FUZZ
@given(items_strategy(max_seconds=900))
def test_shorthand_round_trip_matches_program_make(items):
    """Writing items as shorthand and compiling them again gives the same program, or the
    same limit error that program.make gives for the items themselves."""
    text = shorthand.format_shorthand(items)
    try:
        expected = program.make("n", "en", items)
    except ProgramError as e:
        with pytest.raises(ShorthandError) as info:
            shorthand.compile_shorthand(text, name="n")
        assert clean_message(info.value).startswith("shorthand: " + str(e))
        return
    prog = shorthand.compile_shorthand(text, name="n")
    assert prog.items == items and prog.id() == expected.id()


@FUZZ
@given(items_strategy(max_seconds=600), st.data())
def test_shorthand_mutations(items, data):
    text = shorthand.format_shorthand(items)
    pos = data.draw(st.integers(0, len(text)))
    op = data.draw(st.sampled_from(["delete", "insert", "replace", "duplicate"]))
    ch = data.draw(st.sampled_from(list(",;()x0123456789:. smhwalkrun\n") + [""]))
    if op == "delete":
        text = text[:pos] + text[pos + 1:]
    elif op == "insert":
        text = text[:pos] + ch + text[pos:]
    elif op == "replace":
        text = text[:pos] + ch + text[pos + 1:]
    else:
        text = text[:pos] + text[pos:pos + 8] + text[pos:]
    compile_or_error(text)


# -- TOML ----------------------------------------------------------------------------------

def load_toml_or_error(data):
    with time_limit():
        try:
            prog, notes = program_file.loads_toml(data, "fuzz.toml", "fuzz")
        except ProgramFileError as e:
            clean_message(e, "fuzz.toml")
            return None
    assert isinstance(notes, str)
    check_program(prog)
    return prog


@FUZZ
@given(st.binary(max_size=300))
@example(b'shorthand = "5m walk"\n')
@example(b"\xef\xbb\xbf\xff\xfe")
@example(b"a = " + b"[" * 3000)
@example(b"a = " + b"{b = " * 1000)
def test_toml_random_bytes(data):
    load_toml_or_error(data)


@FUZZ
@given(st.text(max_size=200))
def test_toml_random_text(text):
    load_toml_or_error(text)


def toml_value(value):
    """A tiny TOML writer for fuzzing (inline forms only); may write invalid TOML on purpose."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):  # TOML has no null: leave None out
        return "[" + ", ".join(toml_value(v) for v in value if v is not None) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join("%s = %s" % (json.dumps(k), toml_value(v))
                               for k, v in value.items() if v is not None) + "}"
    raise TypeError(value)


SCALARS = st.one_of(
    st.sampled_from(["walk", "run", "Warm-Up", "rust", "90s", "1:30", "5m", "60", "", "2s", "3h",
                     "nl", "EN", "de"]),
    st.text(max_size=12), st.integers(-5, 300), st.integers(), st.booleans(), st.floats(), st.none(),
)
SEG_KEYS = ["kind", "duration", "seconds", "repeat", "segments", "colour"]


def segment_tables():
    def extend(children):
        return st.dictionaries(st.sampled_from(SEG_KEYS), st.one_of(SCALARS, st.lists(children, max_size=3)),
                               max_size=4)
    leaf = st.dictionaries(st.sampled_from(SEG_KEYS), SCALARS, max_size=4)
    return st.recursive(leaf, extend, max_leaves=6)


@FUZZ
@given(st.dictionaries(st.sampled_from(["name", "notes", "lang", "shorthand", "segments", "nmae"]),
                       st.one_of(SCALARS, st.lists(segment_tables(), max_size=3)), max_size=4))
def test_toml_structured(doc):
    lines = []
    for key, value in doc.items():
        if value is None:
            continue
        lines.append("%s = %s" % (key, toml_value(value)))
    load_toml_or_error("\n".join(lines) + "\n")


@FUZZ
@given(items_strategy(max_seconds=900), st.sampled_from(["en", "nl"]))
def test_toml_segment_tables_from_valid_items(items, lang):
    def tables(its):
        out = []
        for it in its:
            if it[0] == "x":
                out.append({"repeat": it[1], "segments": tables(it[2])})
            elif it[1] % 60000 == 0:
                out.append({"kind": it[0], "duration": words.duration_text(it[1])})
            else:
                out.append({"kind": it[0], "seconds": it[1] // 1000})
        return out

    text = 'name = "x"\nlang = "%s"\nsegments = %s\n' % (lang, toml_value(tables(items)))
    prog = load_toml_or_error(text)
    try:
        expected = program.make("x", lang, items)
    except ProgramError:
        assert prog is None
        return
    assert prog is not None and prog.items == items and prog.id() == expected.id()


# -- device JSON (program.loads) -----------------------------------------------------------

def device_load(data):
    with time_limit():
        try:
            prog = program.loads(data)
        except ProgramError as e:
            clean_message(e)
            return None
    check_program(prog)
    return prog


@FUZZ
@given(st.binary(max_size=400))
@example(b"[" * 5000)
@example(b'{"v":1,"items":' + b"[" * 3000)
@example(b'{"v":1,"name":"' + b"\xc3" + b'","items":[["walk",5000]]}')
def test_device_json_random_bytes(data):
    device_load(data)


@FUZZ
@given(st.text(max_size=300))
def test_device_json_random_text(text):
    device_load(text)


JSONISH = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=8),
              st.sampled_from(list(program.KINDS) + ["x", "en", "nl"]), st.integers(-1, 300000)),
    lambda children: st.one_of(st.lists(children, max_size=4),
                               st.dictionaries(st.text(max_size=6), children, max_size=4)),
    max_leaves=10,
)


@FUZZ
@given(JSONISH)
def test_device_json_random_structures(obj):
    device_load(json.dumps(obj))


def near_items():
    """Items in device form, right or slightly wrong."""
    count = st.one_of(st.integers(0, 300), st.booleans(), st.floats(0, 10), st.just("8"))
    ms = st.one_of(st.integers(0, 8000000), st.integers(4990, 5010), st.floats(0, 10000), st.none(),
                   st.just("60s"))
    kind = st.one_of(st.sampled_from(program.KINDS), st.sampled_from(["x", "Walk", "", "jog"]), st.integers())
    segment = st.one_of(st.tuples(kind, ms).map(list), st.lists(st.integers(0, 9000), max_size=3))

    def block(inner):
        return st.one_of(st.tuples(st.just("x"), count, st.lists(inner, max_size=4)).map(list),
                         st.tuples(st.just("x"), count).map(list))

    return st.recursive(segment, lambda inner: st.one_of(block(inner), st.lists(inner, max_size=3)),
                        max_leaves=12).map(lambda it: [it] if it and it[0] == "x" else it)


@FUZZ
@given(near_items(), st.one_of(st.text(max_size=45), st.integers()),
       st.one_of(st.sampled_from(["en", "nl", "de", None]), st.integers()),
       st.sampled_from([1, 1, 1, 2, True, "1", None]))
def test_device_json_near_valid(items, name, lang, version):
    doc = {"v": version, "name": name, "lang": lang, "items": items}
    if version is None:
        del doc["v"]
    device_load(json.dumps(doc))


def test_device_json_lone_surrogate_in_name_is_refused():
    with pytest.raises(program.ProgramError, match="control characters"):
        program.loads('{"v":1,"name":"\\ud800","items":[["walk",5000]]}')


def test_device_json_version_must_be_the_integer_one():
    for v in ("true", "1.0", '"1"'):
        with pytest.raises(program.ProgramError, match="format version"):
            program.loads('{"v":%s,"name":"a","items":[["walk",5000]]}' % v)
