"""`ziggurat compile MODEL -o OUT.engine`: build an engine file (object code, weights, plan) for a target."""

from __future__ import annotations

import sys
from pathlib import Path

from ir.errors import UserError
from ziggurat.commands.opt import add_instrumentation_args, instrumentations, report_instrumentations
from ziggurat.loading import load_module, parse_input_shapes


def register(sub) -> None:
    p = sub.add_parser("compile", help="compile a model into an engine file")
    p.add_argument("file", help="a .onnx model or a graph-level .mlir file")
    p.add_argument("-o", "--output", metavar="OUT.engine", help="the engine file to write (required)")
    p.add_argument("--target", choices=["cpu"], default="cpu", help="what to compile for (the CPU)")
    p.add_argument("-O0", dest="opt", action="store_const", const="-O0")
    p.add_argument("-O1", dest="opt", action="store_const", const="-O1")
    p.add_argument("-O2", dest="opt", action="store_const", const="-O2")
    p.add_argument("--threads", type=int, default=1, help="threads the engine runs with by default")
    p.add_argument("--emit", choices=["llvm", "asm"], help="also write the generated LLVM IR or assembly")
    p.add_argument("--emit-dir", metavar="DIR", help="where --emit writes (default: next to the engine)")
    p.add_argument("--no-cache", action="store_true", help="do not reuse cached object code")
    p.add_argument("--input-shape", action="append", metavar="NAME=1x3x224x224")
    p.add_argument(
        "--print-pipeline",
        action="store_true",
        help="print the build's pass pipeline (expanded, every option) and exit without compiling",
    )
    add_instrumentation_args(p)
    p.set_defaults(func=run)


def run(args) -> int:
    from passes.instrumentation import SemanticsDrift
    from ziggurat.driver import compile_module
    from ziggurat.progress import stage_progress

    if args.print_pipeline:
        from passes.named_pipelines import compile_pipeline_text

        sys.stdout.write(compile_pipeline_text(args.opt or "-O2", args.target) + "\n")
        return 0
    if not args.output:
        raise UserError("compile needs -o OUT.engine")
    out = Path(args.output)
    if out.suffix != ".engine":
        raise UserError(f"{out}: engine files end in .engine")
    _check_output_path(out)
    if getattr(args, "ir_dump_dir", None):  # before any work, like the output path
        from passes.instrumentation import check_dump_dir

        check_dump_dir(args.ir_dump_dir)
    module = load_module(args.file, parse_input_shapes(args.input_shape))
    insts, timing, stats, check, repro = instrumentations(args)
    with stage_progress(f"compiling {Path(args.file).name}") as progress:
        try:
            engine, report = compile_module(
                module,
                target=args.target,
                opt=args.opt or "-O2",
                threads=args.threads,
                use_cache=not args.no_cache,
                progress=progress,
                instrumentations=insts,
                verify=not args.no_verify,
            )
        except SemanticsDrift as e:
            sys.stderr.write(f"ziggurat: {e}\n")
            return 1
        except UserError:
            raise
        except Exception as e:
            if not repro.written:
                raise
            raise UserError(
                f"pass crashed: {type(e).__name__}: {e}; reproducer: {repro.written} "
                "(run with --debug for the traceback)"
            ) from e
    report_instrumentations(timing, stats, check)
    try:
        engine.save(out)  # a temporary file in out's folder, renamed; removed on errors and signals
    except OSError as e:
        raise UserError(f"{out}: cannot write the engine: {e.strerror or e}") from None
    if args.emit:
        _emit(args, report, out)
    sys.stdout.write(f"wrote {out} ({out.stat().st_size / 2**20:.1f} MiB): {report.summary()}\n")
    return 0


def _check_output_path(out: Path) -> None:
    """Before any work: the engine's folder exists, is a folder, and can be written; `out` is not a folder."""
    import os

    parent = out.parent if str(out.parent) else Path(".")
    if out.is_dir():
        raise UserError(f"{out}: is a directory; give the engine file's name")
    if not parent.exists():
        raise UserError(f"{out}: directory {parent} does not exist")
    if not parent.is_dir():
        raise UserError(f"{out}: {parent} is not a directory")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise UserError(f"{out}: directory {parent} is not writable")
    if out.exists() and not os.access(out, os.W_OK) and not os.access(parent, os.W_OK):
        raise UserError(f"{out}: exists and cannot be replaced")


def _emit(args, report, out: Path) -> None:
    """Writes the generated LLVM IR (`--emit llvm`) or host assembly (`--emit asm`) next to the engine."""
    from ziggurat.output import write_text_atomically

    d = Path(args.emit_dir) if args.emit_dir else out.parent
    if not d.is_dir():
        raise UserError(f"--emit-dir {d}: no such directory")
    if args.emit == "llvm":
        path, text = d / f"{out.stem}.ll", report.llvm_ir
    else:
        from codegen.host_target import emit_assembly

        path, text = d / f"{out.stem}.s", emit_assembly(report.llvm_ir)
    write_text_atomically(path, text)
    sys.stdout.write(f"wrote {path}\n")
