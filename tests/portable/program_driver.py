"""Program vectors on either interpreter: check, expand, identify, or fail clearly."""

import json
import sys

from runcue import program


def run(vectors):
    results = []
    for case in vectors:
        try:
            if "json" in case:
                prog = program.loads(case["json"])
            else:
                prog = program.make(case.get("name", ""), case.get("lang", "en"), case["items"])
            exp = prog.expand()
            results.append({
                "canonical": prog.to_json(),
                "id": prog.id(),
                "segments": prog.segments,
                "total_ms": prog.total_ms,
                "run_ms": prog.run_ms,
                "kinds": list(exp.kind),
                "starts": list(exp.start_ms),
                "rounds": [[exp.round_no[i], exp.rounds[i]] for i in range(exp.n)],
                "generated_name": program.generated_name(prog.items, prog.lang),
            })
        except program.ProgramError as e:
            results.append({"error": str(e)})
    return results


if __name__ == "__main__":
    with open(sys.argv[1]) as f:
        print(json.dumps(run(json.load(f))))
