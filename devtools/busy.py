"""Run a command several times in a row while other processes keep the machine busy.

Issue 13 asks for the whole suite to pass three times in a row on a machine kept busy by another
process: tests with real workers must wait on conditions, not on fixed sleeps. This is that run,
written down so that anyone can repeat it::

    .venv/bin/python devtools/busy.py --runs 3 --burners 1 -- make pytest

Each burner is a separate process spinning on the CPU (not niced: it competes with the tests on
equal terms). The command's runs are sequential; the first failure stops the loop and the exit
status is that run's. A line per run gives its duration and the load average at its end.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import subprocess
import sys
import time


def _burn() -> None:  # pragma: no cover - runs in a child process until terminated
    value = 0
    while True:
        value = (value * 1103515245 + 12345) % 2_147_483_648


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="how many times to run the command")
    parser.add_argument("--burners", type=int, default=1, help="CPU-bound processes beside it")
    parser.add_argument("command", nargs=argparse.REMAINDER, help="the command, after --")
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("give the command to run after --")
    if args.runs < 1 or args.burners < 0:
        parser.error("--runs must be at least 1 and --burners at least 0")

    burners = [multiprocessing.Process(target=_burn, daemon=True) for _ in range(args.burners)]
    for burner in burners:
        burner.start()
    print(f"{args.burners} burner(s) started on {os.cpu_count()} core(s)", flush=True)
    status = 0
    try:
        for run in range(1, args.runs + 1):
            started = time.monotonic()
            status = subprocess.call(command)  # noqa: S603 - the command line of the person running it
            elapsed = time.monotonic() - started
            load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
            verdict = "passed" if status == 0 else f"FAILED (exit {status})"
            print(f"run {run}/{args.runs}: {verdict} in {elapsed:.0f} s; load {load}", flush=True)
            if status != 0:
                break
    finally:
        for burner in burners:
            burner.terminate()
        for burner in burners:
            burner.join()
    return status


if __name__ == "__main__":
    sys.exit(main())
