"""The `ziggurat` command. Each verb lives in `ziggurat/commands/<verb>.py` and defines
`register(subparsers)`; user errors print as one line and exit with code 2 (`--debug` shows the traceback)."""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys

import ziggurat
from ir.errors import UserError

EXIT_OK, EXIT_CHECK_FAILED, EXIT_USER_ERROR = 0, 1, 2

VERB_ORDER = ["show", "opt", "run", "compile", "bench", "profile", "conformance", "fuzz", "demo", "target"]


class _Parser(argparse.ArgumentParser):
    """argparse that reports bad options as one line with exit code 2 (argparse's own code, kept)."""

    def error(self, message: str):  # type: ignore[override]
        sys.stderr.write(f"ziggurat: error: {message} (see '{self.prog} --help')\n")
        raise SystemExit(EXIT_USER_ERROR)


def build_parser() -> argparse.ArgumentParser:
    import ziggurat.commands as commands

    parser = _Parser(prog="ziggurat", description="Ziggurat: an open, inspectable inference compiler.")
    parser.add_argument("--version", action="version", version=f"ziggurat {ziggurat.__version__}")
    parser.add_argument("--debug", action="store_true", help="show Python tracebacks for errors")
    sub = parser.add_subparsers(dest="verb", metavar="VERB", parser_class=_Parser)
    names = [m.name for m in pkgutil.iter_modules(commands.__path__)]
    names.sort(key=lambda n: (VERB_ORDER.index(n) if n in VERB_ORDER else len(VERB_ORDER), n))
    for name in names:
        importlib.import_module(f"ziggurat.commands.{name}").register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.verb is None:
        parser.print_help()
        return EXIT_USER_ERROR
    try:
        return int(args.func(args) or 0)
    except UserError as e:
        if args.debug:
            raise
        sys.stderr.write(f"ziggurat: error: {_one_line(str(e))}\n")
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        sys.stderr.write("ziggurat: interrupted\n")
        return 130
    except BrokenPipeError:
        return 0


def _one_line(msg: str) -> str:
    return " ".join(msg.split("\n")) if msg else "unknown error"


if __name__ == "__main__":
    sys.exit(main())
