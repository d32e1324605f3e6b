"""`ziggurat opt FILE [--pipeline TEXT | -O0|-O1|-O2] [-o OUT]`: run a pass pipeline, like mlir-opt,
with instrumentation (IR printing and dumps, timing, statistics, crash reproducers, semantic checks,
rewrite bisection)."""

from __future__ import annotations

import sys
from pathlib import Path

from ir.errors import UserError
from ziggurat.loading import load_module, parse_input_shapes
from ziggurat.output import write_bytes_atomically, write_text_atomically


def register(sub) -> None:
    p = sub.add_parser("opt", help="run a pass pipeline over a model or IR file (like mlir-opt)")
    p.add_argument("file", nargs="?", help="a .onnx model or a .mlir file (a crash reproducer replays)")
    p.add_argument(
        "--pipeline",
        "--pass-pipeline",
        dest="pipeline",
        default=None,
        help='e.g. "builtin.module(canonicalize, fold-constants, fuse{max-ops=8}, dce)"',
    )
    for level in ("-O0", "-O1", "-O2"):
        p.add_argument(
            level, dest="opt", action="store_const", const=level, help=f"the {level} build pipeline"
        )
    p.add_argument(
        "--level",
        choices=["graph", "tensor", "loop"],
        default="graph",
        help="with -O: run the build pipeline up to this IR level (default graph)",
    )
    p.add_argument(
        "--print-pipeline",
        action="store_true",
        help="print the pipeline (expanded, every option) this would run, and exit",
    )
    p.add_argument("-o", "--output", help="write the result here instead of stdout")
    p.add_argument("--emit-onnx", metavar="OUT.onnx", help="also export the result as an ONNX model")
    p.add_argument("--elide-constants", action="store_true")
    p.add_argument(
        "--emit-llvm",
        nargs="?",
        const="raw",
        choices=["raw", "opt"],
        default=None,
        help="print the LLVM IR of the module's loop kernels after the pipeline instead of the module "
        "(=opt: after LLVM's O3 pipeline for the host)",
    )
    p.add_argument("--input-shape", action="append", metavar="NAME=1x3x224x224")
    add_instrumentation_args(p)
    p.add_argument(
        "--rewrite-limit", type=int, default=None, metavar="N", help="apply only the first N rewrites"
    )
    p.add_argument("--trace-rewrites", action="store_true", help="print each applied pattern to stderr")
    p.add_argument(
        "--precision-report",
        action="store_true",
        help="print the mixed-precision table (each op's precision and why) to stderr",
    )
    p.add_argument("--list-passes", action="store_true", help="describe every pass and named pipeline")
    p.add_argument("--list-patterns", action="store_true", help="describe every registered pattern")
    p.set_defaults(func=run)


def add_instrumentation_args(p) -> None:
    """The instrumentation flags `opt` and `compile` share (they cover every pass of the pipeline)."""
    p.add_argument("--print-ir-before", action="append", default=[], metavar="PASS")
    p.add_argument("--print-ir-after", action="append", default=[], metavar="PASS")
    p.add_argument("--print-ir-before-all", action="store_true")
    p.add_argument("--print-ir-after-all", action="store_true")
    p.add_argument("--print-ir-after-change", action="store_true")
    p.add_argument("--ir-dump-dir", metavar="DIR", help="write printed IR to numbered files in DIR")
    p.add_argument("--timing", action="store_true", help="print a pass timing table to stderr")
    p.add_argument("--statistics", action="store_true", help="print per-pass and per-pattern statistics")
    p.add_argument(
        "--check-semantics",
        action="store_true",
        help="interpret before/after each pass on random inputs; name the first pass that drifts",
    )
    p.add_argument("--seed", type=int, default=0, help="seed of --check-semantics inputs")
    p.add_argument("--crash-reproducer", metavar="FILE", help="where to write a reproducer if a pass crashes")
    p.add_argument("--no-verify", action="store_true", help="do not verify after each pass")


def instrumentations(args, limit: int | None = None) -> tuple[list, object, object, object, object]:
    """(instrumentations, timing, statistics, check-semantics, crash reproducer) from the flags of
    `add_instrumentation_args` (the middle three None when not asked for; the reproducer always exists)."""
    from passes import CheckSemantics, CrashReproducer, PrintIR, Statistics, Timing

    insts = []
    if (
        args.print_ir_before
        or args.print_ir_after
        or args.print_ir_after_all
        or args.print_ir_after_change
        or args.print_ir_before_all
        or args.ir_dump_dir
    ):
        insts.append(
            PrintIR(
                before=tuple(args.print_ir_before),
                after=tuple(args.print_ir_after),
                after_all=args.print_ir_after_all
                or (
                    bool(args.ir_dump_dir)
                    and not (
                        args.print_ir_before
                        or args.print_ir_after
                        or args.print_ir_after_change
                        or args.print_ir_before_all
                    )
                ),
                after_change=args.print_ir_after_change,
                before_all=args.print_ir_before_all,
                stream=sys.stderr,
                dump_dir=args.ir_dump_dir,
                elide_constants=True,
            )
        )
    timing = Timing() if args.timing else None
    stats = Statistics() if args.statistics or limit is not None else None
    check = CheckSemantics(seed=args.seed) if args.check_semantics else None
    repro = CrashReproducer(args.crash_reproducer)
    insts += [i for i in (timing, stats, check) if i is not None] + [repro]
    return insts, timing, stats, check, repro


def report_instrumentations(timing, stats, check) -> None:
    """Writes what the instrumentations measured to stderr."""
    if check is not None:
        if check.skipped:
            sys.stderr.write(f"ziggurat: {check.skipped}\n")
        else:
            sys.stderr.write(f"check-semantics: results unchanged after {len(check.checked)} passes\n")
    if timing is not None:
        sys.stderr.write(timing.report())
    if stats is not None:
        sys.stderr.write(stats.report())


def list_passes() -> str:
    import dataclasses

    from passes import all_passes, all_pipelines
    from passes.pass_base import option_name
    from passes.registry import lookup_pipeline_options

    lines = ["Passes:"]
    for name, cls in all_passes().items():
        lines.append(f"  {name:<22} {cls.summary}")
        for f in cls.options():
            default = f.default if f.default is not dataclasses.MISSING else ""
            lines.append(f"      {option_name(f.name)}={default}")
    lines.append("Named pipelines:")
    for name, (text, summary) in all_pipelines().items():
        opts = lookup_pipeline_options(name)
        label = (
            ("-" if name.startswith("O") else "")
            + name
            + ("{" + " ".join(f"{o}=..." for o in opts) + "}" if opts else "")
        )
        lines.append(f"  {label:<22} {summary}: {text}")
    return "\n".join(lines) + "\n"


def list_patterns() -> str:
    from passes import all_pattern_sets

    lines = []
    for owner, pats in all_pattern_sets().items():
        lines.append(f"{owner}:")
        for p in pats:
            lines.append(f"  {p.name:<34} benefit {p.effective_benefit}  {p.summary or p.describe()}")
    return "\n".join(lines) + "\n"


def emit_llvm_text(module, optimized: bool = False) -> str:
    """The LLVM IR of the module's loop kernels (one LLVM module), optionally after LLVM's O3 for the host."""
    from codegen.compile import emit_llvm_module, kernels_of

    if not kernels_of(module):
        raise UserError("--emit-llvm: the module has no loop.kernel (lower it to the loop level first)")
    try:
        llmod, _ = emit_llvm_module(module)
        text = str(llmod)
        if optimized:
            from codegen.host_target import optimized_ir

            text = optimized_ir(text)
    except UserError:
        raise
    except Exception as e:
        raise UserError(f"--emit-llvm: codegen failed: {type(e).__name__}: {e}") from e
    return text if text.endswith("\n") else text + "\n"


def run(args) -> int:
    from ir.printer import PrintOptions, print_op
    from passes import PassManager, SemanticsDrift, parse_pipeline, print_pipeline
    from passes.instrumentation import read_repro_header
    from ziggurat.pipelines import pipeline_for

    if args.list_passes:
        sys.stdout.write(list_passes())
        return 0
    if args.list_patterns:
        sys.stdout.write(list_patterns())
        return 0
    if args.level != "graph" and args.opt is None:
        raise UserError("--level needs -O0, -O1 or -O2 (it cuts that build pipeline)")
    if args.pipeline is not None and args.opt is not None:
        raise UserError("give either --pipeline or -O0/-O1/-O2, not both")
    if args.print_pipeline and (args.pipeline is not None or args.opt is not None or not args.file):
        pl = parse_pipeline(args.pipeline or "") if args.opt is None else pipeline_for(args.opt, args.level)
        sys.stdout.write(print_pipeline(pl, all_options=True) + "\n")
        return 0
    if not args.file:
        raise UserError("opt needs a FILE (or --list-passes / --list-patterns)")
    if args.ir_dump_dir:  # before any work
        from passes.instrumentation import check_dump_dir

        check_dump_dir(args.ir_dump_dir)
    limit = args.rewrite_limit
    text = args.pipeline
    if text is None and args.opt is None and args.file.endswith(".mlir") and Path(args.file).is_file():
        text, repro_limit = read_repro_header(
            Path(args.file).read_text(errors="replace")
        )  # the parser reports bad bytes
        if text is not None and limit is None:
            limit = repro_limit
    if text is not None and args.opt is not None:
        raise UserError("give either --pipeline or -O0/-O1/-O2, not both")
    if text is None:
        text = pipeline_for(args.opt, args.level) if args.opt else ""
    if args.print_pipeline:  # the pipeline of a crash reproducer
        pl = parse_pipeline(text) if isinstance(text, str) else text
        sys.stdout.write(print_pipeline(pl, all_options=True) + "\n")
        return 0
    module = load_module(args.file, parse_input_shapes(args.input_shape))

    insts, timing, stats, check, repro = instrumentations(args, limit)
    trace = (lambda msg: sys.stderr.write(msg + "\n")) if args.trace_rewrites else None
    pm = PassManager(text, insts, verify=not args.no_verify, rewrite_limit=limit, trace=trace)
    status = 0
    try:
        result = pm.run(module)
    except SemanticsDrift as e:
        sys.stderr.write(f"ziggurat: {e}\n")
        return 1
    except UserError:
        raise
    except Exception as e:
        where = f"; reproducer: {repro.written}" if repro.written else ""
        raise UserError(
            f"pass crashed: {type(e).__name__}: {e}{where} (run with --debug for the traceback)"
        ) from e
    report_instrumentations(timing, stats, check)
    if args.precision_report or args.statistics:
        from passes.graph.mixed_precision import precision_report

        sys.stderr.write(precision_report(module))
    if limit is not None:
        b = result.ctx.budget
        sys.stderr.write(f"rewrite-limit {limit}: applied {b.used}, refused {b.refused}; last {b.last}\n")
    if args.emit_llvm is not None:
        out = emit_llvm_text(module, optimized=args.emit_llvm == "opt")
    else:
        out = print_op(module, PrintOptions(elide_constants=args.elide_constants))
    if args.output:
        write_text_atomically(args.output, out)
    else:
        sys.stdout.write(out)
    if args.emit_onnx:
        try:
            from ir.onnx_export import export_onnx
        except ImportError:
            raise UserError("--emit-onnx: the ONNX exporter (ir.onnx_export) is not available yet") from None
        import onnx

        from ir.parser import parse_module

        copy = parse_module(print_op(module))  # export a copy with fused subgraphs inlined
        PassManager("builtin.module(unfuse)").run(copy)
        write_bytes_atomically(args.emit_onnx, export_onnx(copy).SerializeToString())
        del onnx
    return status
