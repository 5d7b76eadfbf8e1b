"""Fuzzing plans: the TOML plan parser (runcue_host.authoring.plan_file) and the watch's plan validator
(runcue.plan.loads) fail only with their own one-line errors, never another exception or a hang.

Examples per property: RUNCUE_FUZZ_EXAMPLES (default 300; `make fuzz` sets it high),
derandomized; each example also runs under a hard time limit.
"""

import json
from datetime import timedelta
from importlib import resources

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from test_fuzz_program import EXAMPLES, SCALARS, clean_message, near_items, time_limit, toml_value

from runcue import plan, program
from runcue.program import ProgramError
from runcue_host.authoring import plan_file as plans
from runcue_host.authoring.plan_file import PlanFileError

FUZZ = settings(max_examples=EXAMPLES, deadline=timedelta(seconds=3), derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
BUILTIN = {name: resources.files("runcue_host.authoring").joinpath("builtin", name + ".toml").read_text()
           for name in plans.builtin_names()}
C25K_JSON = plans.load_builtin("c25k").to_json()


def check_plan(p):
    """A plan that came out of any path is whole and reads back the same on the watch."""
    assert 1 <= len(p.sessions) <= plan.MAX_SESSIONS
    text = p.to_json()
    assert len(text.encode()) <= plan.MAX_JSON_BYTES
    again = plan.loads(text)
    assert again.to_json() == text and again.id() == p.id()
    weeks = [w for w, _ in p.sessions]
    assert weeks == sorted(weeks) and 1 <= weeks[0] and weeks[-1] <= plan.MAX_WEEK


def load_or_error(data):
    with time_limit():
        try:
            pf = plans.loads_plan(data, "fuzz.toml", "fuzz")
        except PlanFileError as e:
            clean_message(e, "fuzz.toml")
            return None
    check_plan(pf.plan)
    return pf


# -- TOML plan files ----------------------------------------------------------------------------

@FUZZ
@given(st.binary(max_size=400))
@example(b"per_week = 3\n[[sessions]]\nweek = 1\nshorthand = \"5m walk\"\n")
@example(b"[[sessions]]\n" * 200)
@example(b"sessions = " + b"[" * 3000)
def test_plan_toml_random_bytes(data):
    load_or_error(data)


@FUZZ
@given(st.text(max_size=300))
def test_plan_toml_random_text(text):
    load_or_error(text)


@FUZZ
@given(st.sampled_from(sorted(BUILTIN)), st.data())
def test_plan_toml_mutations_of_the_builtin_plans(name, data):
    text = BUILTIN[name]
    lines = text.split("\n")
    for _ in range(data.draw(st.integers(1, 4))):
        op = data.draw(st.sampled_from(["char", "drop_line", "dup_line", "swap_lines", "number", "quote"]))
        if op == "char":
            pos = data.draw(st.integers(0, len(text)))
            ch = data.draw(st.sampled_from(list("=[]\"',.x0123456789 \n#") + ["", "\u00e9", "\x00", "\\"]))
            text = text[:pos] + ch + text[pos + data.draw(st.integers(0, 2)):]
            lines = text.split("\n")
        else:
            i = data.draw(st.integers(0, len(lines) - 1))
            j = data.draw(st.integers(0, len(lines) - 1))
            if op == "drop_line":
                del lines[i]
            elif op == "dup_line":
                lines.insert(j, lines[i])
            elif op == "swap_lines":
                lines[i], lines[j] = lines[j], lines[i]
            elif op == "number":
                lines[i] = lines[i].replace("1", str(data.draw(st.sampled_from([0, -1, 53, 8, 10 ** 20, 99]))), 1)
            else:
                lines[i] = lines[i].replace('"', data.draw(st.sampled_from(["'", "", '"""', '\\"'])), 1)
            text = "\n".join(lines)
    load_or_error(text)


SESSION_KEYS = ["week", "name", "notes", "shorthand", "segments", "weeek"]
SHORTHANDS = st.sampled_from(["5m walk", "5m walk, 8x(60s run, 90s walk), 5m walk", "", "2s run", "300x(1h run)",
                              "5m opwarmen, 3x(1m hardlopen, 2m wandelen)", "5m walk,, 1m run"])


@FUZZ
@given(st.dictionaries(st.sampled_from(["name", "lang", "notes", "source", "per_week", "rule", "rules"]),
                       SCALARS, max_size=5),
       st.lists(st.dictionaries(st.sampled_from(SESSION_KEYS),
                                st.one_of(SCALARS, SHORTHANDS, st.integers(0, 60),
                                          st.lists(st.dictionaries(st.sampled_from(["kind", "duration", "seconds",
                                                                                    "repeat", "segments"]),
                                                                   st.one_of(SCALARS, st.integers(1, 600)),
                                                                   max_size=3), max_size=3)),
                                max_size=4), max_size=6))
def test_plan_toml_structured(head, sessions):
    lines = ["%s = %s" % (k, toml_value(v)) for k, v in head.items() if v is not None]
    for s in sessions:
        lines.append("[[sessions]]")
        lines += ["%s = %s" % (k, toml_value(v)) for k, v in s.items() if v is not None]
    load_or_error("\n".join(lines) + "\n")


# -- the watch's plan validator (device JSON) ------------------------------------------------------

def device_load(data):
    with time_limit():
        try:
            p = plan.loads(data)
        except ProgramError as e:
            clean_message(e)
            return None
    check_plan(p)
    return p


@FUZZ
@given(st.binary(max_size=400))
@example(b'{"v":1,"sessions":' + b"[" * 3000)
@example(C25K_JSON.encode()[:-1])
def test_plan_json_random_bytes(data):
    device_load(data)


@FUZZ
@given(st.integers(0, len(C25K_JSON)), st.integers(0, 8), st.sampled_from(list('{}[]",:0123456789 ex-') + [""]))
def test_plan_json_mutations_of_a_real_plan(pos, length, ch):
    device_load(C25K_JSON[:pos] + ch + C25K_JSON[pos + length:])


@FUZZ
@given(st.lists(st.tuples(st.one_of(st.integers(-1, 60), st.none(), st.text(max_size=3), st.floats(0, 5)),
                          st.one_of(near_items(), st.none(), st.integers())), max_size=5),
       st.one_of(st.integers(-1, 9), st.booleans(), st.none()),
       st.one_of(st.sampled_from(["repeat", "next", "Repeat", ""]), st.integers()),
       st.one_of(st.text(max_size=45), st.integers()), st.sampled_from(["en", "nl", None, 3]))
def test_plan_json_near_valid(sessions, per_week, rule, name, lang):
    doc = {"v": 1, "name": name, "lang": lang, "per_week": per_week, "rule": rule,
           "sessions": [{"week": w, "program": {"items": items}} if items is not None else {"week": w}
                        for w, items in sessions]}
    device_load(json.dumps(doc))


def test_every_builtin_plan_loads_on_the_watch():
    for name in BUILTIN:
        check_plan(plans.load_builtin(name).plan)
    assert program.FORMAT_VERSION == 1
