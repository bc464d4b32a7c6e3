"""The ``lmns-desktop`` command: the window by default, and headless commands (DESIGN.md 5).

Heavy imports happen inside each command so ``--version`` and the window start fast.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

import lmns_desktop

COMMANDS = ("demo-data", "report", "register")


def _gui_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="lmns-desktop",
        description="LMNS Inclusion Health: Core20PLUS5 project register, cohort equity "
        "profiling and board reports. Commands: " + ", ".join(COMMANDS) + " (use COMMAND --help).",
    )
    parser.add_argument("register", nargs="?", type=Path, help="register workbook to open")
    parser.add_argument("--demo", action="store_true", help="open the bundled demo register and cohort")
    parser.add_argument("--self-test", action="store_true", help="check this installation works, then exit")
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    return parser


def _command_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="lmns-desktop")
    sub = parser.add_subparsers(dest="command", required=True)

    demo = sub.add_parser("demo-data", help="write the demo register and cohort workbooks")
    demo.add_argument("outdir", type=Path)
    demo.add_argument("--rows", type=int, default=5000, help="cohort rows (default 5,000)")
    demo.add_argument("--seed", type=int, default=None, help="random seed (default: the bundled demo's)")

    register = sub.add_parser("register", help="check or upgrade a register workbook")
    register_sub = register.add_subparsers(dest="register_command", required=True)
    check = register_sub.add_parser("check", help="list the register's validation problems")
    check.add_argument("register", type=Path)
    check.add_argument("--json", type=Path, default=None, help="write the result here (default: print)")
    upgrade = register_sub.add_parser("upgrade", help="save a register in the current schema")
    upgrade.add_argument("register", type=Path)
    upgrade.add_argument("--out", type=Path, required=True)

    report = sub.add_parser("report", help="make a report as PDF")
    report.add_argument("kind", choices=["board"])
    report.add_argument("--register", type=Path, required=True)
    report.add_argument("--out", type=Path, required=True, help="output .pdf")
    report.add_argument("--title", default="")
    report.add_argument("--author", default="")
    return parser


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
        if args.command == "report":
            from lmns_desktop.core.register_store import read_register
            from lmns_desktop.reports import templates
            from lmns_desktop.reports.pdf import render_pdf

            if args.out.suffix.lower() != ".pdf":
                return _fail(f"{args.out.name}: the output must end in .pdf")
            report = templates.board_summary(read_register(args.register), title=args.title, author=args.author)
            print(render_pdf(report, args.out))
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
    from lmns_desktop.paths import configure_runtime

    configure_runtime()
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
