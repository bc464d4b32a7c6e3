"""The ``lmns-desktop`` command: the window by default, and headless commands (DESIGN.md 5).

Heavy imports happen inside each command so ``--version`` and the window start fast.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

import lmns_desktop

COMMANDS = ("demo-data", "report", "register", "profile", "check")


def _gui_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="lmns-desktop",
        description="LMNS Inclusion Health: Core20PLUS5 project register, cohort equity "
        "profiling and board reports. Commands: " + ", ".join(COMMANDS) + " (use COMMAND --help).",
    )
    parser.add_argument("register", nargs="?", type=Path, help="register workbook to open")
    parser.add_argument(
        "--demo", action="store_true", help="open the bundled demo register and cohort"
    )
    parser.add_argument(
        "--self-test", action="store_true", help="check this installation works, then exit"
    )
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    return parser


def _command_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="lmns-desktop")
    sub = parser.add_subparsers(dest="command", required=True)

    demo = sub.add_parser("demo-data", help="write the demo register and cohort workbooks")
    demo.add_argument("outdir", type=Path)
    demo.add_argument("--rows", type=int, default=5000, help="cohort rows (default 5,000)")
    demo.add_argument(
        "--seed", type=int, default=None, help="random seed (default: the bundled demo's)"
    )

    register = sub.add_parser("register", help="check or upgrade a register workbook")
    register_sub = register.add_subparsers(dest="register_command", required=True)
    check = register_sub.add_parser("check", help="list the register's validation problems")
    check.add_argument("register", type=Path)
    check.add_argument(
        "--json", type=Path, default=None, help="write the result here (default: print)"
    )
    upgrade = register_sub.add_parser("upgrade", help="save a register in the current schema")
    upgrade.add_argument("register", type=Path)
    upgrade.add_argument("--out", type=Path, required=True)

    for name, text in (
        ("profile", "profile a cohort and print or write the profile JSON"),
        ("check", "write a cohort's data-quality report as JSON"),
    ):
        cohort = sub.add_parser(name, help=text)
        cohort.add_argument("cohort", type=Path)
        _cohort_options(cohort)
        cohort.add_argument(
            "--json", type=Path, default=None, help="write the JSON here (default: print)"
        )

    report = sub.add_parser("report", help="make a report as PDF, Excel or Word")
    report.add_argument("kind", choices=["board", "project", "cohort"])
    report.add_argument("--register", type=Path, default=None)
    report.add_argument("--cohort", type=Path, default=None)
    _cohort_options(report, sheet_flag="--cohort-sheet")
    report.add_argument("--out", type=Path, required=True, help="output .pdf, .xlsx or .docx")
    report.add_argument("--title", default="")
    report.add_argument("--author", default="")
    report.add_argument(
        "--project", default=None, help="project ID for the one-pager (default: all)"
    )
    report.add_argument("--from", dest="period_from", default=None, help="period start, dd/mm/yyyy")
    report.add_argument("--to", dest="period_to", default=None, help="period end, dd/mm/yyyy")
    report.add_argument(
        "--trust", action="append", default=[], help="include this trust (repeatable)"
    )
    report.add_argument(
        "--unsuppressed",
        action="store_true",
        help="switch disclosure control off (every page is marked for internal use)",
    )
    return parser


def _cohort_options(parser: argparse.ArgumentParser, sheet_flag: str = "--sheet") -> None:
    parser.add_argument(
        sheet_flag, dest="sheet", default=None, help="sheet to read (default: found)"
    )
    parser.add_argument("--mapping", type=Path, default=None, help="a saved mapping profile (JSON)")
    parser.add_argument(
        "--imd-lookup",
        type=Path,
        default=None,
        help="the IoD file (2019 or 2025) to derive IMD deciles from LSOA codes",
    )
    parser.add_argument(
        "--postcode-lookup",
        type=Path,
        default=None,
        help="a postcode-to-LSOA lookup (ONSPD/NSPL or an extract)",
    )
    parser.add_argument(
        "--ask-password",
        action="store_true",
        help="the cohort workbook has a password: ask for it (typed unseen, never stored)",
    )


def _import_cohort(args: argparse.Namespace, path: Path):  # noqa: ANN202
    """Import a cohort as the window would: saved mappings, cached and given reference files."""
    from lmns_desktop import paths
    from lmns_desktop.core.cohort.xlsx_read import read_ahead

    with read_ahead(path, args.sheet):  # the file is read while pandas and the rest load
        from lmns_desktop.core.cohort.deprivation import import_reference_file, load_reference
        from lmns_desktop.core.cohort.pipeline import import_cohort
        from lmns_desktop.core.cohort.readers import PasswordRequired

        data = paths.user_data_dir()
        reference = load_reference(data / "reference")
        if args.imd_lookup is not None:  # given on the command line: used for this run only
            table = import_reference_file(args.imd_lookup)
            reference.imd[table.edition] = table
        if args.postcode_lookup is not None:
            reference.postcodes = import_reference_file(args.postcode_lookup)
        try:
            return import_cohort(
                path,
                sheet=args.sheet,
                password=_ask_password(path) if args.ask_password else None,
                mapping=args.mapping,
                profiles_dir=data / "mapping-profiles",
                reference=reference,
            )
        except PasswordRequired:
            if args.ask_password:
                raise
            raise PasswordRequired(
                f"'{path.name}' is protected with a password; run the command again with "
                f"--ask-password to type it (it is not shown or stored)."
            ) from None


def _ask_password(path: Path) -> str:
    """The password, typed at the terminal without echo: never an argument (shell history)."""
    import getpass

    return getpass.getpass(f"Password for {path.name}: ")


def _profile(imported):  # noqa: ANN001, ANN202
    from lmns_desktop.core.profiling import prepare_cohort, profile_cohort

    return profile_cohort(prepare_cohort(imported.frame))


def _imd_source(imported) -> str:  # noqa: ANN001
    if imported.imd is not None and imported.imd_edition:
        return f"{imported.imd_edition} (derived from LSOA or postcode where not given)"
    return "IMD decile column of the file" if "imd_decile" in imported.fields_mapped else "none"


def _date_arg(text: str | None):  # noqa: ANN202
    from datetime import datetime

    if text is None:
        return None
    for fmt in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    from lmns_desktop.core.errors import UserError

    raise UserError(f"'{text}' is not a date; write it as dd/mm/yyyy.")


def _write_json(data: object, out: Path | None) -> None:
    import json

    text = json.dumps(data, indent=2, ensure_ascii=False, default=str)
    if out is None:
        print(text)
    else:
        out.write_text(text + "\n", encoding="utf-8")


def _fail(message: str) -> int:
    print(f"lmns-desktop: {message}", file=sys.stderr)
    return 2


def _run_command(args: argparse.Namespace) -> int:
    from lmns_desktop.applog import setup_logging
    from lmns_desktop.core.errors import UserError, user_message

    setup_logging()
    try:
        if args.command == "demo-data":
            from lmns_desktop.core import demo_data

            seed = demo_data.DEFAULT_SEED if args.seed is None else args.seed
            register, cohort = demo_data.write_demo_files(args.outdir, rows=args.rows, seed=seed)
            print(register)
            print(cohort)
            return 0
        if args.command == "register":
            from lmns_desktop.core.register_store import check_register, upgrade_register

            if args.register_command == "check":
                _write_json(check_register(args.register), args.json)
                return 0
            print(upgrade_register(args.register, args.out))
            return 0
        if args.command == "check":
            imported = _import_cohort(args, args.cohort)
            _write_json(imported.quality.to_dict(), args.json)
            return 0
        if args.command == "profile":
            from lmns_desktop.core.profiling import profile_to_json

            imported = _import_cohort(args, args.cohort)
            data = profile_to_json(
                _profile(imported),
                fields_mapped=imported.fields_mapped,
                imd_source=_imd_source(imported),
            )
            _write_json(data, args.json)
            return 0
        if args.command == "report":
            from lmns_desktop.core.register_store import read_register
            from lmns_desktop.reports.build import ReportRequest, build_report
            from lmns_desktop.reports.render import save_report

            register = read_register(args.register) if args.register else None
            profile = cohort_info = None
            if args.cohort is not None:
                imported = _import_cohort(args, args.cohort)
                profile = _profile(imported)
                cohort_info = {
                    "source": imported.source.file,
                    "sheet": imported.source.sheet,
                    "rows": len(imported.frame),
                    "quality": imported.quality.summary(),
                    "mapping": imported.fields_mapped,
                    "iod_edition": _imd_source(imported),
                }
            request = ReportRequest(
                kind=args.kind,
                title=args.title,
                author=args.author,
                period_start=_date_arg(args.period_from),
                period_end=_date_arg(args.period_to),
                trusts=args.trust,
                project_id=args.project,
                cohort_name=cohort_info["source"] if cohort_info else "",
                unsuppressed=args.unsuppressed,
            )
            report = build_report(
                request, register=register, profile=profile, cohort_info=cohort_info
            )
            print(save_report(report, args.out))
            return 0
    except UserError as exc:
        return _fail(str(exc))
    except Exception as exc:  # logged in full, reported in a sentence
        import logging

        logging.getLogger("lmns_desktop.cli").exception("Command %s failed", args.command)
        return _fail(user_message(exc))
    return _fail(f"unknown command {args.command}")


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    from lmns_desktop.core.errors import UserError
    from lmns_desktop.paths import configure_runtime

    try:
        configure_runtime()
    except UserError as exc:
        return _fail(str(exc))
    if not argv:  # the common case: straight to the window, without argparse (~8 ms)
        from lmns_desktop.gui.app import run_gui

        return run_gui(None)
    if argv[0] in COMMANDS:
        return _run_command(_command_parser().parse_args(argv))
    args = _gui_parser().parse_args(argv)
    if args.version:
        print(f"lmns-desktop {lmns_desktop.__version__}")
        return 0
    if args.self_test:
        from lmns_desktop.gui.self_test import run_self_test

        return run_self_test()
    from lmns_desktop.gui.app import run_gui

    return run_gui(args.register, demo=args.demo)
