"""Record vectors on either interpreter: encode fields, decode bytes, reject damage."""

import json
import sys
from binascii import hexlify, unhexlify

from runcue import records


def run(vectors):
    results = []
    for case in vectors:
        if "fields" in case:
            rtype = records.TYPE_NAMES.index(case["type"])
            frame = records.encode(rtype, *case["fields"])
            results.append({"hex": hexlify(frame).decode()})
        else:
            try:
                got = records.decode_all(unhexlify(case["hex"]))
                results.append({"frames": [[records.TYPE_NAMES[t], list(f)] for t, f in got]})
            except records.RecordError as e:
                results.append({"error": str(e)})
    return results


if __name__ == "__main__":
    with open(sys.argv[1]) as f:
        print(json.dumps(run(json.load(f))))
