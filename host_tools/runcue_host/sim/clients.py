"""Scripted clients for the simulated watch: the button scripts of whole sessions.

A script is a list of presses, each fired when a screen shows (simulator/simhw.py);
``client_session`` writes one session as a client plays it (moods, talk test,
pauses, skips, stopping early), ``default_client`` the client of ``sim run``
without ``--buttons``.  The screen names come from the firmware itself.
"""

import ast

from runcue_host import shipped

DAY_MS = 86400000


def screen_names():
    """The watch's screen names, read from where the firmware defines them (each screen's NAME)."""
    tree = ast.parse((shipped.firmware_dir() / "screens.py").read_text(encoding="utf-8"))
    names = []
    for cls in tree.body:
        if isinstance(cls, ast.ClassDef):
            for node in cls.body:
                if (isinstance(node, ast.Assign) and [getattr(t, "id", "") for t in node.targets] == ["NAME"]
                        and isinstance(node.value, ast.Constant) and node.value.value):
                    names.append(node.value.value)
    return names


MOOD = {None: [], 1: ["B"], 2: ["B", "B"], 3: ["B"] * 3, 4: ["B"] * 4, 5: ["B"] * 5}  # presses to each answer
TALK = {"yes": [], "no": ["B"], None: ["B", "B"]}
REASON = {"tired": [], "pain": ["B"], "unwell": ["B", "B"], "other": ["B"] * 3}


def client_session(gap_ms, before=3, after=4, talk="yes", runs=(((), 0),), pause_for=120000, reason=None):
    """The presses of one session, started ``gap_ms`` after the home screen shows.

    Screen-triggered presses fire on the first unused trigger for a screen, so every
    showing of the running screen gets its own: ``runs`` holds (presses, delay_ms)
    for each (presses ``delay_ms`` apart).  "A" pauses (resumed after
    ``pause_for``, and the running screen shows again), "B" skips, "A+" (a long
    press) asks to stop, confirmed with A.  Moods 1-5 or None (skipped).
    """
    script = [{"on": "home", "presses": ["A"], "delay_ms": gap_ms},
              {"on": "checkin_before", "presses": MOOD[before] + ["A"], "delay_ms": 300}]
    for presses, delay in runs:
        script.append({"on": "running", "presses": list(presses), "delay_ms": delay})
        if presses and presses[-1] == "A":
            script.append({"on": "paused", "presses": ["A"], "delay_ms": pause_for})
    stopped = any("A+" in presses for presses, _ in runs)
    if stopped:
        script.append({"on": "stop_confirm", "presses": ["A"], "delay_ms": 400})
    script += [{"on": "checkin_after", "presses": MOOD[after] + ["A"], "delay_ms": 300},
               {"on": "checkin_talk", "presses": TALK[talk] + ["A"], "delay_ms": 300}]
    if stopped:
        script.append({"on": "checkin_reason", "presses": REASON[reason or "tired"] + ["A"], "delay_ms": 300})
    script.append({"on": "summary", "presses": ["A"], "delay_ms": 300})
    return script


def default_client(sessions, gap_ms, first_gap_ms=1000):
    """The client who starts, follows the whole program and answers the check-in (mood 3, then 4)."""
    script = []
    for i in range(sessions):
        script += client_session(first_gap_ms if i == 0 else gap_ms)
    return script
