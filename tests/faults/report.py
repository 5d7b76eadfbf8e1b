"""Print the fault campaigns' figures (JSON lines from RUNCUE_FAULTS_RESULTS) as a Markdown table."""

import json
import sys


def main(path):
    try:
        with open(path) as f:
            rows = [json.loads(line) for line in f if line.strip()]
    except OSError:
        print("no figures in %s" % path)
        return
    print("\n| campaign | tried | sessions checked | failures | seconds |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for r in rows:
        print("| %s | %d | %d | %d | %.0f |" % (r["campaign"], r["tried"], r["sessions_checked"], r["failures"],
                                              r["seconds"]))
    print("| total | %d | %d | %d | %.0f |" % (sum(r["tried"] for r in rows), sum(r["sessions_checked"] for r in rows),
                                             sum(r["failures"] for r in rows), sum(r["seconds"] for r in rows)))
    for r in rows:
        for note in r["notes"] + ["after a reboot: " + x for x in r.get("after_reboot", [])]:
            print("- %s: %s" % (r["campaign"], note))
        for fail in r["first_failures"]:
            print("- FAILED %s: %s" % (r["campaign"], fail))


main(sys.argv[1])
