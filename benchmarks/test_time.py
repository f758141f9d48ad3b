"""Wall-clock time of the test command from a fresh clone: install, lint and tests, with warm or empty caches.

The README's test command (`.ci/run`: `make lint`, then `make test`) is run in a fresh
clone of this repository's committed state, in three timed steps: building the
environment (`make .venv/.installed`, which `make lint` would do first), `make lint` and
`make test`. With `--cold`, PyTensor's compile folder (which holds numba's cache of
riskline's code and riskline's store of compiled functions), numba's own cache,
matplotlib's font cache, uv's download cache and mypy's cache are new and empty, as on a
machine that never ran riskline; without it they are this machine's own. The test run's
slowest tests and the notebooks' times are kept with the times. Not a test: the machines
are noisy, so the numbers are recorded (results/test_time.json, or
results/test_time-cold.json), not asserted. A step that fails is printed and exits 1,
leaving the last record as it was.

    .venv/bin/python benchmarks/test_time.py [--cold]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STEPS = {"install": ["make", ".venv/.installed"], "lint": ["make", "lint"], "test": ["make", "test"]}
SLOWEST = 25
"""How many of the slowest tests' durations to keep."""
DURATION = re.compile(r"^\d+\.\d+s (setup|call|teardown) ")
"""A line of pytest's --durations report."""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cold", action="store_true", help="new, empty caches (compile, font, uv, mypy)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="riskline-test-time-") as scratch:
        clone = Path(scratch) / "riskline"
        subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True)
        env = os.environ | {"PYTEST_ADDOPTS": f"{os.environ.get('PYTEST_ADDOPTS', '')} --durations={SLOWEST}"}
        if args.cold:
            caches = Path(scratch) / "caches"
            flags = filter(None, [os.environ.get("PYTENSOR_FLAGS"), f"base_compiledir={caches / 'pytensor'}"])
            env |= {"PYTENSOR_FLAGS": ",".join(flags), "NUMBA_CACHE_DIR": str(caches / "numba"),
                    "MPLCONFIGDIR": str(caches / "mpl"), "UV_CACHE_DIR": str(caches / "uv"),
                    "MYPY_CACHE_DIR": str(caches / "mypy")}  # fmt: skip
        record: dict = {
            "started": datetime.now().isoformat(timespec="seconds"),
            "commit": subprocess.run(
                ["git", "rev-parse", "HEAD"], cwd=clone, capture_output=True, text=True
            ).stdout.strip(),
            "caches": "empty" if args.cold else "this machine's",
            "load_average_before": os.getloadavg(),
            "seconds": {},
        }
        for name, command in STEPS.items():
            started = time.perf_counter()
            done = subprocess.run(command, cwd=clone, env=env, capture_output=True, text=True)
            record["seconds"][name] = round(time.perf_counter() - started, 1)
            if name == "test":
                lines = done.stdout.splitlines()
                record["summary"] = lines[-1] if lines else ""
                record["slowest"] = [line for line in lines if DURATION.match(line)]
                record["notebooks"] = [line for line in lines if line.startswith("notebook ")]
            if done.returncode != 0:
                output = f"{done.stdout[-4000:]}\n---\n{done.stderr[-4000:]}"
                print(f"{name} failed after {record['seconds'][name]} s (the record is left as it was):\n{output}")
                sys.exit(1)
        record["seconds"]["total"] = round(sum(record["seconds"].values()), 1)
        record["load_average_after"] = os.getloadavg()
    name = "test_time-cold.json" if args.cold else "test_time.json"
    (ROOT / "benchmarks" / "results" / name).write_text(json.dumps(record, indent=2) + "\n")
    print(json.dumps({key: record[key] for key in ("caches", "seconds")} | {"summary": record.get("summary")}))


if __name__ == "__main__":
    main()
