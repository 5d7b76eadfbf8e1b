"""How the host tells the emulated Pico's screens apart: marks drawn from the firmware's own texts.

The Pico shows only pixels, so a button script's ``{"on": "home"}`` needs a mark per screen: a
text of that screen (read from ``firmware/ui.py``, not imported) drawn in the 8x8 font at its
place; the harness names a screen when the OLED's bytes hold its mark.
"""

import ast
import json
import subprocess

from runcue_host import shipped, sim
from runcue_host.watch import deploy


def _glyphs():
    """The 8x8 font every MicroPython port draws text with, from the unix port (cached in build/)."""
    cache = deploy.bundles_dir().parent / "rp2-font8x8.json"
    if cache.exists():
        return json.loads(cache.read_text())
    code = ("import framebuf, json\nb = bytearray(8)\nfb = framebuf.FrameBuffer(b, 8, 8, framebuf.MONO_HLSB)\n"
            "out = {}\nfor c in range(32, 127):\n fb.fill(0)\n fb.text(chr(c), 0, 0, 1)\n"
            " out[chr(c)] = [''.join('1' if fb.pixel(x, y) else '0' for x in range(8)) for y in range(8)]\n"
            "print(json.dumps(out))\n")
    proc = subprocess.run([str(sim.MICROPYTHON), "-c", code], capture_output=True, text=True, timeout=30)
    glyphs = json.loads(proc.stdout.strip().splitlines()[-1])
    cache.parent.mkdir(parents=True, exist_ok=True)
    cache.write_text(json.dumps(glyphs))
    return glyphs


def _texts():
    """firmware/ui.py's TEXTS, read (not imported: the host never imports firmware)."""
    tree = ast.parse((shipped.firmware_dir() / "ui.py").read_text(encoding="utf-8"))
    for node_ in tree.body:
        if isinstance(node_, ast.Assign) and [getattr(t, "id", "") for t in node_.targets] == ["TEXTS"]:
            return ast.literal_eval(node_.value)
    raise sim.SimError("firmware/ui.py has no TEXTS")


def _text_mark(name, text, x, y, glyphs):
    rows = ["".join(glyphs.get(c, glyphs["?"])[r] for c in text) for r in range(8)]
    return {"name": name, "x": x, "y": y, "rows": rows}


def marks():
    """How the harness tells the screens apart: for each, what it alone draws (firmware/screens.py)."""
    glyphs = _glyphs()
    out = []
    bar = ["1" * 128] + ["1" + "?" * 126 + "1"] * 4 + ["1" * 128]  # Running: the session's bar at y 57
    out.append({"name": "running", "x": 0, "y": 57, "rows": bar})

    def centred(s):
        return (128 - 8 * len(s)) // 2

    seen = set()
    for t in _texts().values():
        for name, key, x, y in (("home", "start", 0, 56), ("paused", "resume", 0, 56),
                                ("stop_confirm", "stop_yes", 0, 40), ("crash", "crash_wait", 0, 56),
                                ("crash", "crash_stuck", 0, 56), ("checkin_before", "mood_before", None, 0),
                                ("checkin_after", "mood_after", None, 0), ("checkin_talk", "talk", None, 0),
                                ("checkin_reason", "why", None, 0)):
            s = t[key]
            mark = (name, s, centred(s) if x is None else x, y)
            if mark not in seen:
                seen.add(mark)
                out.append(_text_mark(name, s, mark[2], y, glyphs))
    out.append(_text_mark("summary", "A: ok", 0, 56, glyphs))
    out.append(_text_mark("home", "runcue", centred("runcue"), 0, glyphs))  # no program yet
    return out
