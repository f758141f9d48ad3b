"""The `riskline` command: a thin layer over the public functions.

Exit codes: 0 success, 2 bad input (the message names file, line and field), 130 stopped
by Ctrl-C (nothing written, or with `run --keep-partial` a run marked partial), 1 anything
unexpected.
"""

from __future__ import annotations

import argparse
import shlex
import sys
from datetime import date
from pathlib import Path
from typing import Any

from riskline.errors import ForecastFileError, LexiconError, RisklineError, SamplingInterrupted
from riskline.random_seed import DEFAULT_SEED

__all__ = ["main"]

INTERRUPTED = 130
"""Exit code of a run stopped by Ctrl-C (128 + SIGINT, as shells report it)."""
FLAGS_PRINTED = 20
"""Most flagged statements a run prints (the furthest from the combined view); the rest are counted."""


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `riskline` console script."""
    argv = sys.argv[1:] if argv is None else argv
    args = _parser().parse_args(argv)
    try:
        return args.handler(args, argv)
    except SamplingInterrupted as exc:
        print(f"interrupted: {exc}", file=sys.stderr)
        return INTERRUPTED
    except KeyboardInterrupt:
        print("interrupted: nothing was written, and an earlier output is untouched", file=sys.stderr)
        return INTERRUPTED
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
    run.add_argument("--lexicon", help="read every phrase in this lexicon instead of the scenario's")
    run.add_argument("--no-influence", action="store_true",
                     help="skip each statement's influence (the forecast without it, reweighted or refit)")  # fmt: skip
    run.add_argument("--keep-partial", action="store_true",
                     help="on Ctrl-C while sampling, write the draws taken, marked partial (exit 130)")  # fmt: skip
    run.add_argument("--fresh", action="store_true",
                     help="sample anew even when the previous run's draws in --out cover the scenario")  # fmt: skip
    run.set_defaults(handler=_run)

    compare = commands.add_parser(
        "compare", help="fit variants (lexicons, prior folders, scenario files, as_of dates) and overlay them"
    )
    compare.add_argument("scenarios", type=Path, nargs="+", help="scenario YAML file(s)")
    compare.add_argument("--lexicons", nargs="+", default=[], metavar="NAME", help="lexicons to read the phrases in")
    compare.add_argument("--priors", nargs="+", type=Path, default=[], metavar="DIR", help="priors directories")
    compare.add_argument("--as-of", nargs="+", type=_iso_date, default=[], metavar="DATE", help="as_of dates")
    compare.add_argument("--out", type=Path, help="output directory (default: out/<scenario name>-compare/)")
    compare.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default {DEFAULT_SEED})")
    compare.add_argument("--draws", type=_positive, help="posterior draws per chain (default: priors/model.yaml)")
    compare.add_argument("--tune", type=_positive, help="tuning steps per chain (default: priors/model.yaml)")
    compare.add_argument("--chains", type=_positive, help="number of chains (default: priors/model.yaml)")
    compare.set_defaults(handler=_compare)

    backtest = commands.add_parser("backtest", help="score forecasts of resolved questions against what happened")
    backtest.add_argument("questions", type=Path, help="folder of question files (scenarios with an outcome)")
    backtest.add_argument(
        "--out", type=Path, default=Path("out/backtest"), help="output directory (default out/backtest)"
    )
    backtest.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default {DEFAULT_SEED})")
    backtest.add_argument("--draws", type=_positive, help="posterior draws per chain (default: priors/model.yaml)")
    backtest.add_argument("--tune", type=_positive, help="tuning steps per chain (default: priors/model.yaml)")
    backtest.add_argument("--chains", type=_positive, help="number of chains (default: priors/model.yaml)")
    backtest.add_argument(
        "--priors", type=Path, help="priors directory (default: the nearest priors/ above the questions)"
    )
    backtest.add_argument("--no-learning", action="store_true",
                          help="score the priors as given only, without the candidate settings the learned priors "
                               "are chosen from (one fit per origin, no updates)")  # fmt: skip
    backtest.set_defaults(handler=_backtest)

    sweep = commands.add_parser("sweep", help="fit hundreds of variants on Dask and rank what moves the forecast")
    sweep.add_argument("sweep", type=Path, help="sweep YAML file (docs/sweeps.md)")
    sweep.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="a running Dask scheduler, e.g. tcp://host:8786 (default: start one here)",
    )
    sweep.add_argument("--workers", type=_positive, help="worker processes on this machine (default: one per core)")
    sweep.add_argument("--out", type=Path, help="output directory (default: out/<sweep name>/)")
    sweep.set_defaults(handler=_sweep)

    check = commands.add_parser("check", help="validate scenario files without sampling")
    check.add_argument("scenarios", type=Path, nargs="+", help="scenario YAML files")
    check.add_argument(
        "--priors", type=Path, help="priors directory (default: the nearest priors/ above each scenario)"
    )
    check.add_argument("--no-priors", action="store_true",
                       help="skip what the priors alone imply (it compiles the hazard: a few seconds)")  # fmt: skip
    check.set_defaults(handler=_check)

    parse = commands.add_parser("parse", help="read one statement: window, probability, kind, confidence")
    parse.add_argument("text", help='the statement, e.g. "Russia could attack NATO before 2030"')
    parse.add_argument("--issued", type=_iso_date, required=True, help="the date the statement was made")
    parse.add_argument("--lexicon", default="icd-203", help="lexicon in priors/lexicons/ (default icd-203)")
    parse.add_argument("--horizons", help="horizon vocabulary in priors/time-horizons/ (default: time-conventions)")
    parse.add_argument("--json", action="store_true", help="print JSON")
    parse.add_argument("--priors", type=Path, help="priors directory (default: the nearest priors/ above here)")
    parse.set_defaults(handler=_parse)

    extract = commands.add_parser("extract", help="propose candidate estimates from a seed document")
    extract.add_argument("seed", type=Path, help="seed file (Markdown with front matter, see seeds/README.md)")
    extract.add_argument("--lexicon", default="icd-203", help="lexicon in priors/lexicons/ (default icd-203)")
    extract.add_argument("--min-score", type=float, default=0.0, help="leave out candidates scoring below this")
    extract.add_argument("--json", action="store_true", help="print JSON instead of scenario YAML")
    extract.add_argument("--priors", type=Path, help="priors directory (default: the nearest priors/ above the seed)")
    extract.set_defaults(handler=_extract)

    new = commands.add_parser("new", help="write a scenario skeleton from seed documents (TODOs for riskline check)")
    new.add_argument("seeds", type=Path, nargs="+", metavar="SEED", help="seed files (see seeds/README.md)")
    new.add_argument("--name", required=True, help="the scenario's name: lowercase letters, digits, '-' and '_'")
    new.add_argument("--out", type=Path, help="where to write it (default: scenarios/NAME.yaml)")
    new.add_argument("--force", action="store_true", help="replace --out if it exists")
    new.add_argument("--as-of", type=_iso_date, default=None, help="the forecast's date (default: today)")
    new.add_argument("--lexicon", default="icd-203", help="lexicon in priors/lexicons/ (default icd-203)")
    new.add_argument("--priors", type=Path, help="priors directory (default: the nearest priors/ above the first seed)")
    new.set_defaults(handler=_new)

    lexicon = commands.add_parser("lexicon", help="show lexicons, a phrase across lexicons, or compare them")
    lexicon.add_argument("name", nargs="?", help="lexicon to show (default: list them all)")
    lexicon.add_argument("--phrase", help="show this phrase in every lexicon that defines it")
    lexicon.add_argument("--compare", nargs="+", default=[], metavar="NAME", help="other lexicons to compare with")
    lexicon.add_argument("--plot", type=Path, help="write the comparison chart (.png, .svg or .pdf)")
    lexicon.add_argument("--priors", type=Path, help="priors directory (default: the nearest priors/ above here)")
    lexicon.set_defaults(handler=_lexicon)
    return parser


def _priors_dir(explicit: Path | None, near: Path) -> Path:
    """--priors, or the nearest priors/ above `near`; ConfigError if there is none."""
    from riskline.config.priors import find_priors_dir
    from riskline.errors import ConfigError, ConfigIssue

    found = explicit or find_priors_dir(near.resolve())
    if found is None:
        raise ConfigError([ConfigIssue(None, None, "--priors", f"no priors/ folder above {near}; pass --priors DIR")])
    return found


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
    from riskline.export import RUN_FILES, write_run
    from riskline.influence import statement_influence
    from riskline.model.fit import fit
    from riskline.output_folder import check_output_dir

    scenario = load_scenario(args.scenario, args.priors, lexicon=args.lexicon)
    extra = {}
    if args.as_of is not None:
        scenario, left_out = scenario.at(args.as_of)
        if left_out:
            names = ", ".join(f"{e.id} ({e.spec.issued})" for e in left_out)
            print(f"note: {len(left_out)} estimate(s) issued after {args.as_of} left out: {names}", file=sys.stderr)
        extra["estimates_left_out"] = [e.id for e in left_out]
    if scenario.as_of > date.today():
        print(f"note: as_of {scenario.as_of} is after today ({date.today()}): the forecast assumes that nothing in "
              "a chain happens before then", file=sys.stderr)  # fmt: skip
    out_dir = args.out or Path("out") / scenario.name
    check_output_dir(out_dir, RUN_FILES)  # before the fit, not after it
    forecast = None if args.fresh else _reweight_previous(out_dir / "forecast.nc", scenario, args)
    if forecast is None:
        forecast = fit(scenario, random_seed=args.seed, draws=args.draws, tune=args.tune, chains=args.chains,
                       keep_partial=args.keep_partial)  # fmt: skip
    partial = forecast.partial
    if partial is not None:
        print(f"note: {partial}; each statement's influence is left out (it may need new fits)", file=sys.stderr)
    influence = None if args.no_influence or partial else statement_influence(forecast, random_seed=args.seed)
    command = shlex.join(["riskline", *argv])
    write_run(forecast, out_dir, command=command, extra=extra, influence=influence)
    print(_headline_table(forecast))
    _print_flags(forecast.reconciliation())
    print(f"\nwrote {out_dir}/: report.html report.md, tables (csv, json, nc), figures (png, svg, pdf)")
    if partial is not None:
        print(f"interrupted: {partial}, written to {out_dir}/ marked as such", file=sys.stderr)
        return INTERRUPTED
    return 0


def _print_flags(reconciliation) -> None:
    """A line per flagged statement, at most FLAGS_PRINTED (the furthest from the combined view); the rest counted."""
    from riskline.plots.selection import furthest

    flagged = reconciliation.query("flag")
    row: Any  # a table's row: its fields have the columns' types, which pandas' stubs do not know
    for row in furthest(flagged, FLAGS_PRINTED).itertuples():
        inside = f"{row.posterior_in_range:.1%}" if row.posterior_in_range >= 0.001 else "under 0.1%"
        view = f"only {inside} of the combined view lies in that range (its median: {row.posterior_median:.0%})"
        print(f"flag: {row.estimate} says {row.stated}; {view}")
    if len(flagged) > FLAGS_PRINTED:
        print(f"flag: {len(flagged) - FLAGS_PRINTED} more flagged, not printed (those above are the furthest from the "
              "combined view): the flag column of estimates.csv, and the report")  # fmt: skip


def _reweight_previous(previous: Path, scenario, args: argparse.Namespace):
    """The previous run's draws in the output folder reweighted to `scenario`, or None (saying why) to sample anew.

    Only draws sampled with the sampler settings asked for now are reused.
    """
    from riskline.model.provenance import FitBehind
    from riskline.model.update import DrawsDoNotCover, reweight

    if not previous.is_file():
        return None
    settings = scenario.priors.model.sampler
    asked = (args.chains or settings.chains, args.draws or settings.draws, args.tune or settings.tune)
    try:
        behind = FitBehind.read(previous)
        if not behind.sampled_as(*asked):
            raise DrawsDoNotCover("they were sampled with other --chains, --draws or --tune")
        forecast = reweight(behind, scenario, random_seed=args.seed)
    except (ForecastFileError, DrawsDoNotCover) as exc:
        print(f"note: sampling anew: the previous run's draws in {previous.parent} cannot be reused ({exc})",
              file=sys.stderr)  # fmt: skip
        return None
    diagnostics = forecast.diagnostics()
    print(f"note: the previous run's draws in {previous.parent} cover this scenario: reweighted (Pareto k "
          f"{diagnostics.pareto_k:.2f}, {diagnostics.min_ess_bulk:,.0f} effective draws); --fresh samples anew",
          file=sys.stderr)  # fmt: skip
    return forecast


def _compare(args: argparse.Namespace, argv: list[str]) -> int:
    from riskline.compare import COMPARISON_FILES, aliases_used, load_variants, readings, write_comparison
    from riskline.model.fit import fit
    from riskline.output_folder import check_output_dir

    variants = load_variants(args.scenarios, lexicons=args.lexicons, priors_dirs=args.priors, as_ofs=args.as_of)
    out_dir = args.out or Path("out") / f"{variants[0].scenario.name}-compare"
    check_output_dir(out_dir, COMPARISON_FILES)  # before the fits, not after them
    forecasts = {}
    for variant in variants:
        print(f"fitting {variant.label} ...", file=sys.stderr)
        forecasts[variant.label] = fit(variant.scenario, random_seed=args.seed, draws=args.draws, tune=args.tune,
                                       chains=args.chains, prior=False)  # fmt: skip
    write_comparison(forecasts, variants[0].varies, out_dir, shlex.join(["riskline", *argv]))
    for label, forecast in forecasts.items():
        print(f"\n[{label}]\n{_headline_table(forecast)}")
    for row in aliases_used(readings(forecasts)).itertuples():
        print(f"alias: {row.lexicon} reads '{row.stated}' as '{row.read_as}' ({row.alias_reason})")
    print(f"\nwrote {out_dir}/: comparison.png comparison.svg comparison.pdf comparison.csv comparison.json "
          "readings.csv")  # fmt: skip
    return 0


def _sweep(args: argparse.Namespace, argv: list[str]) -> int:
    from riskline.errors import ConfigError, ConfigIssue
    from riskline.sweeps import load_sweep, sweep

    if args.scheduler is not None and args.workers is not None:
        message = "--workers starts a cluster on this machine; a --scheduler's cluster has its own workers"
        raise ConfigError([ConfigIssue(None, None, "--workers", message)])
    out_dir = args.out or Path("out") / load_sweep(args.sweep).name
    dataset = sweep(args.sweep, scheduler=args.scheduler, workers=args.workers, out=out_dir, progress=True,
                    command=shlex.join(["riskline", *argv]))  # fmt: skip
    print((out_dir / "sweep.md").read_text(encoding="utf-8").split("![")[0].rstrip())
    failed = int((dataset["status"] == "failed").sum())
    print(f"\nwrote {out_dir}/: sweep.nc sweep.csv sweep.json sweep.md sweep.html and the figures"
          + (f" ({failed} variants failed: sweep.csv says why)" if failed else ""))  # fmt: skip
    return 0


def _backtest(args: argparse.Namespace, argv: list[str]) -> int:
    from rich.progress import Progress

    from riskline.backtest import (
        BACKTEST_FILES,
        CANDIDATES,
        JUDGEMENT,
        FitSettings,
        load_corpus,
        run_backtest,
        write_backtest,
    )
    from riskline.output_folder import check_output_dir

    questions = load_corpus(args.questions, args.priors)
    check_output_dir(args.out, BACKTEST_FILES)  # before the fits, not after them
    sampler = FitSettings(args.draws, args.tune, args.chains, args.seed)
    settings = (JUDGEMENT,) if args.no_learning else CANDIDATES
    origins = sum(len(q.origins()) for q in questions)
    with Progress(transient=True) as bar:
        task = bar.add_task("fitting", total=origins)

        def advance(what: str) -> None:
            bar.update(task, description=what)
            bar.advance(task)

        result = run_backtest(questions, sampler, settings, progress=advance)
    write_backtest(result, args.out, shlex.join(["riskline", *argv]))
    scores = result.scores()
    for horizon, rows in scores.groupby("horizon", sort=False):
        best = rows.iloc[0]
        ours = rows[rows["method"] == "riskline"].iloc[0]
        print(
            f"{horizon}: best {best.method} ({best.log_score:.3f}); riskline {ours.log_score:.3f}, {ours.n} questions"
        )
    print(f"\nwrote {args.out}/: report.html report.md, scores.csv questions.csv dates.csv, figures (png, svg, pdf)")
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
            outcome = scenario.spec.outcome
            resolved = ""
            if outcome is not None:
                said = f"happened {outcome.happened}" if outcome.happened else f"not by {outcome.not_by}"
                resolved = f"; outcome {said}, for `riskline backtest` only (a forecast never reads it)"
            print(f"ok: {path} ({len(scenario.events)} events, {len(scenario.estimates)} estimates{resolved})")
            print("\n".join(f"  {e.id}: {scenario.what_is_known(e)}" for e in scenario.events))
            if not args.no_priors:
                print(_priors_alone(scenario))
    return 2 if failed else 0


def _priors_alone(scenario) -> str:
    """What the base rates and their spread already say, before any statement: P by the headline years."""
    from riskline.forecast import describe_risk, year_row
    from riskline.model.fit import prior_forecast

    forecast = prior_forecast(scenario, DEFAULT_SEED)
    table = forecast.year_ends("prior")
    lines = [f"  the priors alone (base rates, no statements, nothing sampled), P(event by end of year | none by "
             f"{scenario.as_of}), mean (median) [90% interval]:"]  # fmt: skip
    for event in scenario.events:
        cells = [f"{y}: {describe_risk(year_row(table, event.id, y), 1)}" for y in forecast.summary_years()]
        lines.append(f"    {event.id}: " + "; ".join(cells))
    return "\n".join(lines)


def _parse(args: argparse.Namespace, argv: list[str]) -> int:
    import json

    from riskline.language.statements import load_reader

    reader = load_reader(_priors_dir(args.priors, Path.cwd()), args.lexicon, args.horizons)
    parsed = reader.parse(args.text, args.issued)
    if args.json:
        print(json.dumps(parsed.as_dict(), indent=2, ensure_ascii=False))
        return 0
    for line in _parsed_lines(parsed):
        print(line)
    return 0


def _parsed_lines(parsed) -> list[str]:
    """`riskline parse` in words: what the estimate rests on, what else was found, and why."""
    window, probability, why = parsed.window, parsed.probability, parsed.why
    lines = [f"window:      {_window_words(window) if window else 'no time expression found'}"]
    if window:
        lines.append(f"             ({window.reasoning})")
    if window and (len(parsed.windows) > 1 or not why["window"].endswith("the only time expression")):
        found = ", ".join(f"'{w.expression}'" for w in parsed.windows)
        lines.append(f"             found {found}; used {why['window']}")
    if probability:
        lines.append(f"probability: {probability.describe()}")
    elif parsed.unresolved:
        where = ", ".join(parsed.unresolved.defined_in) or "no lexicon"
        lines.append(f"probability: unresolved: {parsed.unresolved.message}; defined in: {where}")
    elif parsed.phrases or parsed.windows:
        lines.append(f"probability: none: {why['phrase']}")
    else:
        lines.append("probability: no probability phrase found")
    if parsed.phrases and (probability or parsed.unresolved):
        found = ", ".join(f"'{p.text}'" for p in parsed.phrases)
        lines.append(f"             found {found}; used {why['phrase']}")
    if parsed.negations:
        said = ", ".join(f"'{n}'" for n in parsed.negations)
        lines.append(f"check:       the statement negates {said}, not the phrase: which event does it assert?")
    lines.append(f"kind:        {parsed.kind}")
    confidence = parsed.confidence or "not stated"
    lines.append(f"confidence:  {confidence}" + (f"  ({why['confidence']})" if parsed.hunches else ""))
    return lines


def _window_words(window) -> str:
    from riskline.language.time_expressions import describe_span

    if window.relative_to:
        span = f"{describe_span(window.after_start)} to {describe_span(window.after_end)}"
        return f"{span} after '{window.relative_to}'  ['{window.expression}']"
    end = "open" if window.end is None else window.end.isoformat()
    fuzzy = f" (end between {window.end_earliest} and {window.end_latest})" if window.fuzzy else ""
    return f"{window.start} to {end}{fuzzy}  ['{window.expression}']"


def _extract(args: argparse.Namespace, argv: list[str]) -> int:
    import json

    from riskline.files.seeds import read_seed
    from riskline.language.extract import extract, render_yaml
    from riskline.language.statements import load_reader

    seed = read_seed(args.seed)
    reader = load_reader(_priors_dir(args.priors, args.seed.parent), args.lexicon)
    extraction = extract(seed, reader, args.min_score)
    if args.json:
        print(json.dumps(extraction.as_dict(str(args.seed)), indent=2, ensure_ascii=False))
    else:
        print(render_yaml(extraction, str(args.seed)), end="")
    if extraction.dropped:
        print(
            f"note: {len(extraction.dropped)} piece(s) of text read but not proposed; each is listed with why "
            f"({'under "dropped"' if args.json else 'at the end, as comments'})",
            file=sys.stderr,
        )
    return 0


def _new(args: argparse.Namespace, argv: list[str]) -> int:
    from riskline.files.seeds import read_seed
    from riskline.language.statements import load_reader
    from riskline.scaffold import scenario_skeleton, seed_path_for, write_new

    out = args.out or Path("scenarios") / f"{args.name}.yaml"
    reader = load_reader(_priors_dir(args.priors, args.seeds[0].parent), args.lexicon)
    seeds = [(read_seed(path), seed_path_for(path, out)) for path in args.seeds]
    skeleton = scenario_skeleton(seeds, reader, args.name, args.as_of or date.today())
    write_new(out, skeleton.text, args.force)
    print(f"wrote {out}: {skeleton.events} event(s), {skeleton.sources} source(s), {skeleton.estimates} candidate "
          f"estimate(s); {skeleton.dropped} piece(s) of text read but not proposed are listed at its end")  # fmt: skip
    for guess in skeleton.guesses:
        print(f"  guessed: {guess}")
    print(f"next: settle its {skeleton.todos} TODO(s), which `riskline check {out}` lists with their lines, "
          f"then `riskline run {out}`")  # fmt: skip
    return 0


def _lexicon(args: argparse.Namespace, argv: list[str]) -> int:
    from riskline.files.yamlfile import closest
    from riskline.language.lexicon import available_lexicons, load_lexicon, load_official_words, normalize_phrase

    priors = _priors_dir(args.priors, Path.cwd())
    names = available_lexicons(priors)
    official = load_official_words(priors)
    if args.phrase:
        lexicons = [load_lexicon(priors, name) for name in names]
        having = [
            x for x in [*lexicons, *([official] if official else [])] if normalize_phrase(args.phrase) in x.phrases
        ]
        if not having:
            known = sorted({phrase for x in lexicons for phrase in x.phrases})
            raise LexiconError(f"no lexicon in {priors} has the phrase '{args.phrase}'; {closest(args.phrase, known)}")
        for lexicon in having:
            print(f"{lexicon.name:14} {_entry_words(lexicon.lookup(args.phrase))}")
        for lexicon in lexicons:  # the lexicons that lack it, but read it as one of their own
            if alias := lexicon.alias_of(args.phrase):
                print(f"{lexicon.name:14} as '{alias.to}' (alias): {_entry_words(lexicon.lookup(alias.to))}")
        return 0
    if args.name is None and not args.compare:
        for name in names:
            lexicon = load_lexicon(priors, name)
            print(f"{name:14} {len(lexicon.entries):3} phrases  {lexicon.title}")
        if official:
            print(
                f"{official.name:14} {len(official.entries):3} phrases  {official.title} (priors/official-words.yaml)"
            )
        return 0
    chosen = [load_lexicon(priors, name) for name in [args.name, *args.compare] if name]
    for lexicon in chosen:
        print(f"{lexicon.name}: {lexicon.title}\n  source: {' '.join(lexicon.source.split())}")
        for entry in sorted(lexicon.entries, key=lambda e: -sum(e.interval)):
            names_ = ", ".join([entry.phrase, *entry.aliases])
            print(f"  {names_:48} {_entry_words(entry)}")
        for alias in lexicon.aliases:
            print(f"  {alias.phrase + ' -> ' + alias.to:48} alias: {alias.reason}")
        print()
    if args.plot:
        from riskline.plots import plot_lexicons

        figure = plot_lexicons(chosen)
        args.plot.parent.mkdir(parents=True, exist_ok=True)
        figure.savefig(args.plot, dpi=200)
        print(f"wrote {args.plot}")
    return 0


def _entry_words(entry) -> str:
    low, high = entry.interval
    if entry.logit_normal is None:
        return f"{100 * low:.0f}–{100 * high:.0f}%" + (f"  [{entry.source}]" if entry.source else "")
    median = entry.logit_normal.quantile(0.5)
    return f"readers: median {100 * median:.0f}%, 90% of readers {100 * low:.0f}–{100 * high:.0f}%"


def _headline_table(forecast) -> str:
    """P(event by the end of each year), mean, median and 90% interval, one column per event."""
    from riskline.forecast import describe_risk, year_row

    table = forecast.year_ends()
    events = [e.id for e in forecast.scenario.events]
    width = 38
    scenario = forecast.scenario
    lines = [
        f"{forecast.title()}: P(event by end of year | none by {scenario.as_of}), mean (median) [90% interval]",
        "year  " + "".join(f"{e:<{width}}" for e in events),
    ]
    for year in sorted(set(table["year"])):
        cells = []
        for event in events:
            row = year_row(table, event, year)
            cells.append((describe_risk(row, 1) + (" *" if row.extrapolated else "")).ljust(width))
        lines.append(f"{year}  " + "".join(cells).rstrip())
    return "\n".join([*lines, *(f"* {note}" for note in forecast.extrapolation_notes())])
