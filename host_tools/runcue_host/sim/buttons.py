"""Button scripts for the simulated watch: a JSON list of presses, checked before the watch starts.

A press is at a time, ``{"t_ms": 61000, "button": "A", "long": false}``, or when a screen
appears, ``{"on": "running", "presses": ["A", "B", "A+"], "delay_ms": 500}`` (``A+``: a long
press); simulator/simhw.py plays them.  ``runcue sim run`` and ``sim twin`` read them here.
"""

import json
from pathlib import Path

from runcue_host import UserError
from runcue_host.sim import screen_names


def load(path):
    """A button script: a JSON list of presses (see simulator/simhw.py); checked here."""
    try:
        script = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as e:
        raise UserError("%s: cannot read the button script (%s)" % (path, e.strerror)) from None
    except (UnicodeError, ValueError) as e:
        raise UserError("%s: not a JSON button script (%s)" % (path, e)) from None
    if not isinstance(script, list):
        raise UserError("%s: a button script is a JSON list of presses" % path)
    screens = screen_names()
    for i, p in enumerate(script, 1):
        where = "%s: press %d" % (path, i)
        if not isinstance(p, dict):
            raise UserError("%s: must be an object" % where)
        if "t_ms" in p:
            if not isinstance(p["t_ms"], int) or isinstance(p["t_ms"], bool) or p["t_ms"] < 0:
                raise UserError("%s: t_ms must be a whole number of ms >= 0" % where)
            if p.get("button") not in ("A", "B"):
                raise UserError("%s: button must be \"A\" or \"B\"" % where)
            if not isinstance(p.get("long", False), bool):
                raise UserError("%s: long must be true or false" % where)
        elif "on" in p:
            presses = p.get("presses")
            if not isinstance(p["on"], str) or not isinstance(presses, list) or not all(
                    b in ("A", "B", "A+", "B+") for b in presses):
                raise UserError("%s: {\"on\": screen, \"presses\": [\"A\", \"B\", \"A+\"...]}" % where)
            if p["on"] not in screens:  # a typo would wait for ever for a screen that never comes
                raise UserError("%s: the watch has no screen %s (its screens: %s)" % (
                    where, json.dumps(p["on"]), ", ".join(screens)))
            delay = p.get("delay_ms", 500)
            if not isinstance(delay, int) or isinstance(delay, bool) or delay < 0:
                raise UserError("%s: delay_ms must be a whole number of ms >= 0" % where)
        else:
            raise UserError("%s: needs \"t_ms\" (a time) or \"on\" (a screen)" % where)
    return script
