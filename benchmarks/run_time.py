"""Wall-clock time of a fresh-process `riskline run` on the seed scenario, cold and warm.

Cold: an empty PyTensor compile directory and an empty numba cache (riskline's compiled
likelihood), so every compiled function is built anew (as on a new machine). Warm: the same
directories again, as on every later run. Each is a new
Python process, as when an analyst types the command. Reported as times and their ratio,
measured in one run; not a test (machines here are noisy).

    .venv/bin/python benchmarks/run_time.py [--repeats 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = ROOT / "scenarios" / "russia-nato-attack.yaml"


def timed_run(compiledir: Path, out: Path) -> float:
    env = os.environ | {"PYTENSOR_FLAGS": f"compiledir={compiledir}", "NUMBA_CACHE_DIR": str(compiledir / "numba")}
    command = [str(Path(sys.executable).parent / "riskline"), "run", str(SCENARIO), "--out", str(out)]
    start = time.perf_counter()
    subprocess.run(command, env=env, check=True, capture_output=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        cold, warm = [], []
        for i in range(args.repeats):
            compiledir = Path(scratch) / f"compile-{i}"
            cold.append(timed_run(compiledir, Path(scratch) / "out"))
            warm.append(timed_run(compiledir, Path(scratch) / "out"))
    cold_median, warm_median = statistics.median(cold), statistics.median(warm)
    print(f"fresh-process riskline run, seed scenario, {args.repeats} repeats (median):")
    print(f"  cold compile cache: {cold_median:6.1f} s   {[round(t, 1) for t in cold]}")
    print(f"  warm compile cache: {warm_median:6.1f} s   {[round(t, 1) for t in warm]}")
    print(f"  cold / warm: {cold_median / warm_median:.2f}")


if __name__ == "__main__":
    main()
