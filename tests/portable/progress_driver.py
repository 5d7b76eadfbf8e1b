"""Plan progress vectors on either interpreter: sessions end at given times, the advice for a day."""

import json
import sys

from runcue import plan, program


def run(vectors):
    results = []
    for case in vectors:
        walk = program.make("", "en", [["walk", 300000]])
        p = plan.make("p", "en", case["per_week"], "repeat", [(w, walk) for w in case["weeks"]])
        progress = plan.Progress(p)
        got = []
        for step in case["steps"]:
            if step[0] == "end":
                progress.session_ended(step[1], step[2])
            else:
                why, day = progress.advice(step[1])
                got.append([why, plan.weekday(day) if day else None, day - plan.day_of(step[1]) if day else None])
        again = plan.Progress(p, json.loads(json.dumps(progress.state())))
        results.append({"advice": got, "state_kept": again.state() == progress.state()})
    return results


if __name__ == "__main__":
    with open(sys.argv[1]) as f:
        print(json.dumps(run(json.load(f))))
