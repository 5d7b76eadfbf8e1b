"""The watch's program and plan validator on MicroPython: ``micropython mp_validate.py CASES.jsonl``.

Each line of CASES.jsonl is {"kind": "program" | "plan", "hex": bytes}.  For each
case prints one line: ``ok <id>`` when ``runcue.program.loads`` / ``runcue.plan.loads``
accepts it, else only the exception's type name (the host expects ProgramError).
"""

import gc
import json
import sys
from binascii import unhexlify

from runcue import plan, program


def check(kind, data):
    try:
        obj = (plan.loads if kind == "plan" else program.loads)(data)
        return "ok " + obj.id()
    except Exception as e:  # noqa: BLE001 - the host checks that it is ProgramError
        return type(e).__name__


def main(path):
    with open(path) as f:
        for line in f:  # one at a time: the heap of a watch
            if line.strip():
                case = json.loads(line)
                print(check(case["kind"], unhexlify(case["hex"])))
                case = None
                gc.collect()


main(sys.argv[1])
