"""Command line: ``riskml demo [--out DIR]``.

A thin client of :class:`riskml.Study`; everything it does can be done in a
notebook with the same calls.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

__all__ = ["main", "run_demo"]

# Published C statistics of Wu et al. 2020 (Hypertension 75:1271), for orientation.
WU_2020_REPORTED = {
    "xgboost": "0.757 (0.660 to 0.854)",
    "cox": "about 0.72",
    "framingham_recalibrated": "about 0.53",
}


def run_demo(out: Path, *, random_state: int = 0, n_boot: int = 2000, progress: bool = True):
    """Run the Wu 2020 design on the bundled synthetic young-hypertension cohort.

    Recursive feature elimination to 11 features inside each training fold, then
    XGBoost vs Cox vs the recalibrated D'Agostino 2008 Framingham score, compared
    by Harrell's C on out-of-fold predictions of stratified 10-fold
    cross-validation with percentile-bootstrap 95% CIs.

    Returns
    -------
    result : StudyResult
    report_path : pathlib.Path
    """
    import riskml as rk
    from riskml.features import RecursiveFeatureElimination

    cohort = rk.cohorts.make_young_hypertension(random_state=random_state)
    study = rk.Study(
        cohort,
        models=["xgboost", "cox", "framingham_recalibrated"],
        selection=RecursiveFeatureElimination(n_features_to_select=11, random_state=random_state),
        validation=10,
        random_state=random_state,
        n_boot=n_boot,
        n_jobs=-1,
        progress=progress,
    )
    result = study.run()
    out.mkdir(parents=True, exist_ok=True)
    report_path = result.report(out / "report.html")
    return result, Path(report_path)


def _short_warning(message, category, filename, lineno, line=None) -> str:
    return f"warning ({category.__name__}): {message}\n"


def _demo(args) -> int:
    import warnings

    out = Path(args.out)
    print(
        "riskml demo: Wu 2020 design (RFE to 11 features -> XGBoost vs Cox vs recalibrated "
        "Framingham)\non the synthetic young-hypertension cohort (508 patients, 58 candidate "
        "predictors).",
        flush=True,
    )
    default_format, warnings.formatwarning = warnings.formatwarning, _short_warning
    try:
        result, report_path = run_demo(out, random_state=args.random_state, n_boot=args.n_boot)
    finally:
        warnings.formatwarning = default_format
    summary = result.summary
    print()
    print("Out-of-fold C-statistics, stratified 10-fold CV, 95% percentile-bootstrap CIs:")
    print(result.format_summary())
    if result.comparison is not None:
        reference = result.comparison["reference"].iloc[0]
        print()
        print(f"Paired bootstrap difference in Harrell's C against {reference}:")
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


def main(argv=None) -> int:
    """Entry point of the ``riskml`` command."""
    from riskml import __version__

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
    args = parser.parse_args(argv)
    if args.command == "demo":
        return _demo(args)
    parser.print_help()
    return 1


if __name__ == "__main__":
    sys.exit(main())
