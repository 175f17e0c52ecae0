"""Every benchmark in one run (``make bench``; docs/performance.md): the arrears import, the
analytics, the web load and the simulation, one after the other, each in its own process and
printing its own JSON lines; then one last line with the wall time of each step and of the
whole run, data preparation included (issue 11 asks for the national run on PostgreSQL to
finish in under 30 minutes on the development machine):

    {"measure": "bench", "seconds": ..., "steps": {"import": ..., "analytics": ..., "web": ...,
     "simulation": ...}, "scale": ..., "database": ..., "load_average": [...]}

A step that fails stops the run with its exit status (the steps after it would measure a
database or a machine in an unknown state).

    python benchmarks/all.py [--scale small|metropolis|national] [--import-lines 100000]
        [--pm4py-sizes 10000,50000,100000,250000,all]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", default="small", choices=["small", "metropolis", "national"])
    parser.add_argument("--import-lines", type=int, default=100_000)
    parser.add_argument("--pm4py-sizes", default="", help="passed on to analytics/run.py")
    args = parser.parse_args()
    analytics = [str(HERE / "analytics" / "run.py"), "--scale", args.scale]
    if args.pm4py_sizes:
        analytics += ["--pm4py-sizes", args.pm4py_sizes]
    steps = {
        "import": [str(HERE / "import_arrears.py"), "--lines", str(args.import_lines)],
        "analytics": analytics,
        "web": [str(HERE / "web.py"), "--scale", args.scale],
        "simulation": [str(HERE / "simulation.py")],
    }
    seconds: dict[str, float] = {}
    start = time.monotonic()
    for name, command in steps.items():
        begun = time.monotonic()
        sys.stderr.write(f"bench: {name} ({' '.join(command[1:]) or 'defaults'})\n")
        # The step's JSON lines go straight to our stdout, as it prints them.
        done = subprocess.run([sys.executable, *command], check=False)
        seconds[name] = round(time.monotonic() - begun, 1)
        if done.returncode:
            sys.stderr.write(f"bench: {name} failed (exit status {done.returncode})\n")
            raise SystemExit(done.returncode)
    database = os.environ.get("DATABASE_URL", "")
    print(
        json.dumps(
            {
                "measure": "bench",
                "seconds": round(time.monotonic() - start, 1),
                "steps": seconds,
                "scale": args.scale,
                "import_lines": args.import_lines,
                "database": "postgresql" if database.startswith("postgres") else "sqlite",
                "load_average": [round(x, 2) for x in os.getloadavg()],
            }
        ),
        flush=True,
    )


if __name__ == "__main__":
    main()
