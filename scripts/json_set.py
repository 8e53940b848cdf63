#!/usr/bin/env python3
"""json_set.py FILE KEY VALUE [KEY VALUE...]: edits a JSON config in place.

KEY is dotted (rollout.min_samples); VALUE is JSON (40, true, "median",
["a"]), or a plain string when it does not parse as JSON. Missing parents
are created. Shared by the integration tests, the screenshots and the
benches, which all set a sandbox's config this way.
"""
import json
import sys


def main(argv):
    if len(argv) < 4 or len(argv) % 2 != 0:
        print(__doc__.strip().splitlines()[0], file=sys.stderr)
        return 2
    path, args = argv[1], argv[2:]
    with open(path) as f:
        config = json.load(f)
    for key, value in zip(args[::2], args[1::2]):
        node = config
        *parents, last = key.split(".")
        for k in parents:
            node = node.setdefault(k, {})
        try:
            node[last] = json.loads(value)
        except ValueError:
            node[last] = value
    with open(path, "w") as f:
        json.dump(config, f, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
