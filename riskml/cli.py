"""Command line: ``riskml demo``, ``riskml run``, ``riskml predict`` and ``riskml validate``.

A thin client: study files are read by :mod:`riskml.study_file`, saved models are used
by :mod:`riskml.deployment` (``predict``, ``validate_model``), and everything else is
:class:`riskml.Study`; whatever the commands do can be done in a notebook with the same
calls.

``riskml predict model.riskml patients.csv --out risks.csv`` writes one row per
input row: ``row`` (1 = the first data row of the input) and ``risk``; no column
of the input (identifiers included) is copied. ``riskml validate model.riskml
cohort.csv --outcome COL [--time COL --horizon DAYS] --out DIR [--export DIR]`` validates a
saved model on a new cohort (discrimination with its CI, calibration intercept,
slope and O:E, Brier score, recalibration advice) and writes
``validation_metrics.csv``, ``validation.md`` and ``validation-report.html`` (the HTML
report, with the same numbers) in DIR, never in the cohort file's folder. ``riskml run study.yaml [--out DIR]
[--overwrite]`` runs the study a YAML file describes and writes its report.

``predict`` and ``validate`` check the new rows against what the model saw in training
(values impossible for a column, a column in another unit, unseen levels, a horizon
beyond the training follow-up are refused; values outside the training range are
warned about, or refused with ``--strict``), and check the model file's signature
with the key in the environment variable ``RISKML_MODEL_KEY`` when it is set.

Every failure is one line on stderr, ``riskml COMMAND: error: ...`` (exit status 2
for a problem with the input, 1 for anything else), never a traceback; Ctrl-C stops
with one line saying what was written, and exit status 130. Outputs are written only
once complete, and never replace a file another run wrote meanwhile.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ._version import __version__
from .deployment import (
    comparison_heading,
    interval_heading,
    interval_method,
    predict,
    validate_model,
)
from .errors import CommandError
from .study_file import load_cohort_definition, load_study_file, run_study_file

__all__ = [
    "CommandError",
    "load_study_file",
    "main",
    "predict",
    "run_demo",
    "run_study_file",
    "validate_model",
]

# Published C statistics of Wu et al. 2020 (Hypertension 75:1271), for orientation.
WU_2020_REPORTED = {
    "xgboost": "0.757 (0.660 to 0.854)",
    "cox": "about 0.72",
    "framingham_recalibrated": "about 0.53",
}


def run_demo(
    out: Path,
    *,
    random_state: int = 0,
    n_boot: int = 2000,
    progress: bool = True,
    overwrite: bool = False,
):
    """Run the Wu 2020 design on the bundled synthetic young-hypertension cohort.

    Recursive feature elimination to 11 features inside each training fold, then
    XGBoost vs Cox vs the recalibrated D'Agostino 2008 Framingham score, compared
    by Harrell's C on out-of-fold predictions of stratified 10-fold
    cross-validation, with 95% CIs by the method each summary row names (a
    percentile bootstrap of patients, Wald for the calibration slope and O:E).

    Returns
    -------
    result : StudyResult
    report_path : pathlib.Path
    """
    from .cohorts import make_young_hypertension
    from .features import RecursiveFeatureElimination
    from .study import Study

    cohort = make_young_hypertension(random_state=random_state)
    study = Study(
        cohort,
        models=["xgboost", "cox", "framingham_recalibrated"],
        selection=RecursiveFeatureElimination(n_features_to_select=11, random_state=random_state),
        validation=10,
        random_state=random_state,
        n_boot=n_boot,
        n_jobs=-1,
        progress=progress,
    )
    from .persistence import check_output_path

    # the folder is made when the report is written (write_report), so a failed run
    # leaves no empty folder behind
    report_path = check_output_path(
        out / "report.html", overwrite=overwrite, what="report", create_parents=True
    )
    result = study.run()
    report_path = result.report(report_path, overwrite=overwrite)
    return result, Path(report_path)


def _short_warning(message, category, filename, lineno, line=None) -> str:
    return f"warning ({category.__name__}): {message}\n"


def _check_demo_folder(out: Path) -> None:
    """Fail before the study, not after it, when the output folder is unusable."""
    import os

    if out.exists() and not out.is_dir():
        raise CommandError(f"--out {str(out)!r} is a file; give a folder.")
    existing = out if out.exists() else out.parent
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        raise CommandError(
            f"--out {str(out)!r} cannot be created: {str(existing)!r} is a file; give a folder."
        )
    if not os.access(existing, os.W_OK | os.X_OK):
        raise CommandError(f"cannot write in {str(existing)!r}; choose another --out folder.")


def _demo(args) -> int:

    from .persistence import check_output_path

    out = Path(args.out)
    _check_demo_folder(out)
    if out.is_dir():
        check_output_path(out / "report.html", overwrite=args.overwrite, what="report")
    print(
        "riskml demo: Wu 2020 design (RFE to 11 features -> XGBoost vs Cox vs recalibrated "
        "Framingham)\non the synthetic young-hypertension cohort (508 patients, 58 candidate "
        "predictors).",
        flush=True,
    )
    result, report_path = run_demo(
        out, random_state=args.random_state, n_boot=args.n_boot, overwrite=args.overwrite
    )
    summary = result.summary
    print()
    validation = str(result.settings.get("validation", "cross-validation")).split(";")[0]
    print(f"Out-of-fold performance, {validation}; 95% CIs by {interval_heading(summary)}:")
    print(result.format_summary())
    if result.comparison is not None:
        print()
        print(f"{comparison_heading(result.comparison, result.outcome.kind)}:")
        for row in result.comparison.itertuples():
            print(
                f"  {row.model:>24}  {row.difference:+.3f} (95% CI {row.low:+.3f} to "
                f"{row.high:+.3f}; p = {row.p_value:.3f})"
            )
    print()
    print(
        "Wu et al. 2020 reported (real cohort): "
        + "; ".join(f"{k} {v}" for k, v in WU_2020_REPORTED.items() if k in set(summary["model"]))
    )
    print(f"\nReport written to {report_path}")
    return 0


# -- predict and validate -------------------------------------------------------------


def _run_command(args) -> int:
    result, report_path = run_study_file(args.study, args.out, overwrite=args.overwrite)
    print(result.format_summary())
    print(f"\nReport written to {report_path}")
    return 0


def _key():
    """The signing key from RISKML_MODEL_KEY (None when unset)."""
    import os

    from .persistence import KEY_ENVIRONMENT_VARIABLE

    key = os.environ.get(KEY_ENVIRONMENT_VARIABLE)
    if key is None:
        return None
    if not key.strip():
        raise CommandError(
            f"{KEY_ENVIRONMENT_VARIABLE} is set but empty; set it to the model's signing key, "
            f"or unset it (unset {KEY_ENVIRONMENT_VARIABLE}) to load unsigned files."
        )
    return key


def _predict_command(args) -> int:
    out, n, extra = predict(
        args.model,
        args.input,
        args.out,
        horizon=args.horizon,
        overwrite=args.overwrite,
        strict=args.strict,
        key=_key(),
    )
    note = f"; {len(extra)} other input column(s) ignored, none copied" if extra else ""
    print(f"riskml predict: {n} risks written to {out} (columns row, risk){note}.")
    return 0


def _cohort_definition(args, folder) -> tuple:
    """``(table, outcome column, time column, horizon)`` of a cohort definition: the
    ``cohort:`` block of a study file, built at this site from its own data (a folder of
    OMOP tables, a MIMIC extract, a registry file) and written as a table in ``folder``,
    a temporary folder (never the data's own)."""
    if args.outcome is not None or args.time is not None:
        raise CommandError(
            f"{args.cohort} is a cohort definition: it defines the outcome itself. Fix: "
            "leave --outcome and --time out."
        )
    if Path(args.out).resolve() == Path(args.cohort).resolve().parent:
        raise CommandError(
            f"--out is the folder of the cohort definition {Path(args.cohort).name!r}; "
            "riskml never writes results beside the input. Fix: choose another folder."
        )
    cohort = load_cohort_definition(args.cohort)
    outcome = cohort.outcome
    frame = cohort.features.copy()
    event, time = "riskml_outcome_event", None
    frame[event] = (outcome.event_type if outcome.is_competing else outcome.event).astype(int)
    if outcome.is_survival:
        time = "riskml_outcome_time"
        frame[time] = outcome.time
    table = Path(folder) / f"{Path(args.cohort).stem}.csv"
    frame.to_csv(table, index=False)
    return table, event, time, args.horizon


def _validate_command(args) -> int:
    import tempfile

    with tempfile.TemporaryDirectory(prefix="riskml-cohort-") as folder:
        if str(args.cohort).lower().endswith((".yaml", ".yml")):
            table, outcome, time, horizon = _cohort_definition(args, folder)
        elif args.outcome is None:
            raise CommandError(
                "riskml validate needs --outcome COLUMN (the 0/1 event column of the "
                f"table {args.cohort}), or a cohort definition (a study file's cohort: "
                "block, .yaml) in place of the table."
            )
        else:
            table, outcome, time, horizon = args.cohort, args.outcome, args.time, args.horizon
        return _validate_table(args, table, outcome, time, horizon)


def _validate_table(args, table, outcome, time, horizon) -> int:
    rows, advice, paths = validate_model(
        args.model,
        table,
        args.out,
        outcome=outcome,
        time=time,
        horizon=horizon,
        n_boot=args.n_boot,
        random_state=args.random_state,
        overwrite=args.overwrite,
        strict=args.strict,
        key=_key(),
        export=args.export,
        min_cell=args.min_cell,
    )
    for r in rows.to_dict("records"):
        ci = (
            ""
            if r["low"] != r["low"]
            else f" (95% CI {r['low']:.3f} to {r['high']:.3f}, {interval_method(r)})"
        )
        estimate = "undefined" if r["estimate"] != r["estimate"] else f"{r['estimate']:.3f}"
        print(f"  {r['metric']:>18}  {estimate}{ci}")
    print("Recalibration advice:")
    for line in advice:
        print(f"  - {line}")
    print(f"Written: {', '.join(str(p) for p in paths)}")
    return 0


def _input_errors() -> tuple:
    """Errors that mean "this input cannot be used" (exit status 2); anything else is
    reported on one line too, with exit status 1."""
    from .cohorts import SchemaError
    from .persistence import ModelFileError

    return (
        CommandError,
        ModelFileError,
        SchemaError,
        OSError,
        ValueError,
    )


def _outputs(args) -> list[Path]:
    """The files a command may write (to say, after Ctrl-C, whether any was written)."""
    if args.command == "predict":
        return [Path(args.out)]
    if args.command == "validate":
        from .deployment import EXPORT_FILES, VALIDATION_OUTPUTS

        export = getattr(args, "export", None)
        exported = [] if export is None else [Path(export) / n for n in EXPORT_FILES]
        return [Path(args.out) / name for name in VALIDATION_OUTPUTS] + exported
    if args.command == "demo":
        return [Path(args.out) / "report.html"]
    folder = _out_folder(args)  # run: the report's name is in the study file
    try:
        return sorted(p for p in folder.iterdir() if p.is_file()) if folder.is_dir() else []
    except OSError:
        return []


def _written(args, before: dict) -> list[str]:
    """Files written or changed since ``before`` (path -> stamp)."""
    now = {path: _stamp(path) for path in _outputs(args)} | {p: _stamp(p) for p in before}
    return [str(p) for p, stamp in now.items() if stamp is not None and stamp != before.get(p)]


def _out_folder(args) -> Path | None:
    """The folder a command may create (removed again, if empty, when the command fails)."""
    if args.command == "validate":
        return Path(args.out)
    if args.command == "demo":
        return Path(args.out)
    if args.command == "run":
        return Path(args.study).resolve().parent if args.out is None else Path(args.out)
    return None


def _stamp(path: Path):
    try:
        stat = path.stat()
    except OSError:
        return None
    return (stat.st_mtime_ns, stat.st_size, stat.st_ino)


def _missing_folders(folder: Path | None) -> list[Path]:
    missing = []
    while folder is not None and not folder.exists() and folder != folder.parent:
        missing.append(folder)
        folder = folder.parent
    return missing


def _remove_empty(folders: list[Path]) -> None:
    import contextlib

    for folder in folders:  # innermost first
        with contextlib.suppress(OSError):
            folder.rmdir()  # only if empty


def _one_line(error: BaseException) -> str:
    text = str(error).strip() or type(error).__name__
    return text


def _run(function, args) -> int:
    """Run a command: every failure is one riskml line (no traceback), Ctrl-C exits 130."""
    import os
    import warnings

    before = {path: _stamp(path) for path in _outputs(args)}
    created = _missing_folders(_out_folder(args))
    default_format, warnings.formatwarning = warnings.formatwarning, _short_warning
    try:
        return function(args)
    except KeyboardInterrupt:
        _remove_empty(created)
        written = _written(args, before)
        if written:
            note = f"interrupted after writing {', '.join(written)}"
        else:
            note = "interrupted; nothing was written"
        print(f"riskml {args.command}: {note}.", file=sys.stderr)
        return 130
    except SystemExit:
        _remove_empty(created)
        raise
    except MemoryError:
        _remove_empty(created)
        print(
            f"riskml {args.command}: error: out of memory; nothing was written. Fix: a smaller "
            "input, or a machine with more memory.",
            file=sys.stderr,
        )
        return 1
    except _input_errors() as error:
        _remove_empty(created)
        print(f"riskml {args.command}: error: {_one_line(error)}", file=sys.stderr)
        return 2
    except Exception as error:  # a bug or an unforeseen library error: still one line
        _remove_empty(created)
        if os.environ.get("RISKML_DEBUG"):
            raise
        print(
            f"riskml {args.command}: error: {type(error).__name__}: {_one_line(error)[:500]} "
            "(unexpected; nothing was written. Set RISKML_DEBUG=1 to see the traceback, and "
            "please report it.)",
            file=sys.stderr,
        )
        return 1
    finally:
        warnings.formatwarning = default_format


def _add_validate_parser(commands) -> None:
    """``riskml validate``'s arguments."""
    validate_parser = commands.add_parser(
        "validate", help="external validation of a saved model on a new cohort"
    )
    validate_parser.add_argument("model", help="model file written by riskml.save_model")
    validate_parser.add_argument(
        "cohort",
        help="CSV or Parquet cohort with inputs and outcome, or a cohort definition (.yaml: "
        "a study file's cohort: block, built here from this site's data)",
    )
    validate_parser.add_argument(
        "--outcome", default=None, help="0/1 event column (a table; not a cohort definition)"
    )
    validate_parser.add_argument("--time", default=None, help="follow-up time column (days)")
    validate_parser.add_argument(
        "--horizon", type=float, default=None, help="days (default: the model's horizon)"
    )
    validate_parser.add_argument(
        "--out",
        required=True,
        help="folder for the results (validation_metrics.csv, validation.md, "
        "validation-report.html); not the cohort file's folder",
    )
    validate_parser.add_argument("--n-boot", type=int, default=2000, help="bootstrap replicates")
    validate_parser.add_argument("--random-state", type=int, default=0, help="bootstrap seed")
    validate_parser.add_argument(
        "--export",
        default=None,
        help="also write the aggregate results, safe to share, into this folder (counts, "
        "metrics, calibration table, decision curve as CSV; small counts suppressed)",
    )
    validate_parser.add_argument(
        "--min-cell",
        type=int,
        default=5,
        help="the smallest count --export shows (default 5; smaller ones read '<5')",
    )
    validate_parser.add_argument(
        "--overwrite", action="store_true", help="replace earlier results in --out"
    )
    validate_parser.add_argument(
        "--strict",
        action="store_true",
        help="refuse rows outside the training range and unseen levels (default: warn)",
    )


def main(argv=None) -> int:
    """Entry point of the ``riskml`` command.

    Examples
    --------
    >>> from riskml.cli import main
    >>> main([])  # no command: prints the usage  # doctest: +ELLIPSIS
    usage: riskml ...
    1
    """
    parser = argparse.ArgumentParser(
        prog="riskml", description="Build, validate and explain clinical risk-prediction models."
    )
    parser.add_argument("--version", action="version", version=f"riskml {__version__}")
    commands = parser.add_subparsers(dest="command")
    demo = commands.add_parser(
        "demo", help="run the Wu 2020 design on bundled synthetic data and write a report"
    )
    demo.add_argument("--out", default="riskml-demo", help="output folder (default ./riskml-demo)")
    demo.add_argument(
        "--random-state",
        type=int,
        default=0,
        help="seed of the synthetic cohort, the folds, the models and the bootstrap (default 0)",
    )
    demo.add_argument(
        "--n-boot", type=int, default=2000, help="bootstrap replicates per CI (default 2000)"
    )
    demo.add_argument(
        "--overwrite", action="store_true", help="replace an earlier report.html in --out"
    )
    run_parser = commands.add_parser(
        "run", help="run the study described in a YAML file and write its report"
    )
    run_parser.add_argument("study", help="YAML study file (see the README)")
    run_parser.add_argument(
        "--out", default=None, help="folder for the report (default: the study file's folder)"
    )
    run_parser.add_argument(
        "--overwrite", action="store_true", help="replace an existing report file"
    )
    predict_parser = commands.add_parser(
        "predict", help="predict risks for a table of patients with a saved model"
    )
    predict_parser.add_argument("model", help="model file written by riskml.save_model")
    predict_parser.add_argument("input", help="CSV or Parquet table with the model's inputs")
    predict_parser.add_argument(
        "--out", required=True, help="CSV to write (columns row, risk; no identifiers)"
    )
    predict_parser.add_argument(
        "--horizon", type=float, default=None, help="days (default: the model's horizon)"
    )
    predict_parser.add_argument(
        "--overwrite", action="store_true", help="replace --out if it exists"
    )
    predict_parser.add_argument(
        "--strict",
        action="store_true",
        help="refuse rows outside the training range and unseen levels (default: warn)",
    )
    _add_validate_parser(commands)
    args = parser.parse_args(argv)
    if args.command == "demo":
        return _run(_demo, args)
    if args.command == "run":
        return _run(_run_command, args)
    if args.command == "predict":
        return _run(_predict_command, args)
    if args.command == "validate":
        return _run(_validate_command, args)
    parser.print_help()
    return 1


if __name__ == "__main__":
    sys.exit(main())
