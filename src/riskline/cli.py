"""The `riskline` command: a thin layer over the public functions.

Exit codes: 0 success, 2 bad input (the message names file, line and field), 1 anything
unexpected.
"""

from __future__ import annotations

import argparse
import shlex
import sys
from datetime import date
from pathlib import Path

from riskline.errors import RisklineError

__all__ = ["main"]

DEFAULT_SEED = 20251203
"""Fixed so that two runs of the same command give the same numbers (the seed's date)."""


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `riskline` console script."""
    argv = sys.argv[1:] if argv is None else argv
    args = _parser().parse_args(argv)
    try:
        return args.handler(args, argv)
    except RisklineError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="riskline", description="Bayesian risk timelines from verbal estimates.")
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    run = commands.add_parser("run", help="fit a scenario and write its risk timeline")
    run.add_argument("scenario", type=Path, help="scenario YAML file")
    run.add_argument("--as-of", type=_iso_date, help="forecast as of this date (later statements are left out)")
    run.add_argument("--out", type=Path, help="output directory (default: out/<scenario name>/)")
    run.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default {DEFAULT_SEED})")
    run.add_argument("--draws", type=_positive, help="posterior draws per chain (default: priors/model.yaml)")
    run.add_argument("--tune", type=_positive, help="tuning steps per chain (default: priors/model.yaml)")
    run.add_argument("--chains", type=_positive, help="number of chains (default: priors/model.yaml)")
    run.add_argument("--priors", type=Path, help="priors directory (default: the nearest priors/ above the scenario)")
    run.set_defaults(handler=_run)

    check = commands.add_parser("check", help="validate scenario files without sampling")
    check.add_argument("scenarios", type=Path, nargs="+", help="scenario YAML files")
    check.add_argument(
        "--priors", type=Path, help="priors directory (default: the nearest priors/ above each scenario)"
    )
    check.set_defaults(handler=_check)
    return parser


def _iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date like 2025-12-03, got {text!r}") from None


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) == 0:
        raise argparse.ArgumentTypeError(f"expected a positive whole number, got {text!r}")
    return int(text)


def _run(args: argparse.Namespace, argv: list[str]) -> int:
    from riskline.config import load_scenario
    from riskline.export import write_run
    from riskline.model.fit import fit

    scenario = load_scenario(args.scenario, args.priors)
    extra = {}
    if args.as_of is not None:
        scenario, left_out = scenario.at(args.as_of)
        if left_out:
            names = ", ".join(f"{e.id} ({e.spec.issued})" for e in left_out)
            print(f"note: {len(left_out)} estimate(s) issued after {args.as_of} left out: {names}", file=sys.stderr)
        extra["estimates_left_out"] = [e.id for e in left_out]
    out_dir = args.out or Path("out") / scenario.name
    forecast = fit(scenario, random_seed=args.seed, draws=args.draws, tune=args.tune, chains=args.chains)
    command = shlex.join(["riskline", *argv])
    write_run(forecast, out_dir, command=command, extra=extra)
    print(_headline_table(forecast))
    print(f"\nwrote {out_dir}/: timeline.csv summary.json forecast.nc timeline.png timeline.svg timeline.pdf")
    return 0


def _check(args: argparse.Namespace, argv: list[str]) -> int:
    from riskline.config import load_scenario

    failed = 0
    for path in args.scenarios:
        try:
            scenario = load_scenario(path, args.priors)
        except RisklineError as exc:
            print(f"error: {exc}", file=sys.stderr)
            failed += 1
        else:
            print(f"ok: {path} ({len(scenario.events)} events, {len(scenario.estimates)} estimates)")
    return 2 if failed else 0


def _headline_table(forecast) -> str:
    """P(event by the end of each year), mean and 90% interval, one column per event."""
    table = forecast.year_ends()
    events = [e.id for e in forecast.scenario.events]
    width = 22
    scenario = forecast.scenario
    lines = [
        f"{scenario.spec.title}: P(event by end of year | none by {scenario.as_of}), mean [90% interval]",
        "year  " + "".join(f"{e:<{width}}" for e in events),
    ]
    for year in sorted(set(table["year"])):
        cells = []
        for event in events:
            row = table[(table["year"] == year) & (table["event"] == event)].iloc[0]
            cells.append(f"{row.p_mean:6.1%} [{row.p_q05:.1%}–{row.p_q95:.1%}]".ljust(width))
        lines.append(f"{year}  " + "".join(cells))
    return "\n".join(lines)
