"""`ziggurat show FILE`: parse or import, verify, print the module."""

from __future__ import annotations

import sys

from ziggurat.loading import load_module, parse_input_shapes


def register(sub) -> None:
    p = sub.add_parser("show", help="print a model or IR file as graph-level (or lower) IR")
    p.add_argument("file", help="a .onnx model or a .mlir file")
    p.add_argument(
        "--level",
        choices=["graph", "tensor", "loop"],
        default="graph",
        help="run the build pipeline (compile-ON, default -O2 below graph) up to this IR level",
    )
    p.add_argument("-O0", dest="opt", action="store_const", const="-O0")
    p.add_argument("-O1", dest="opt", action="store_const", const="-O1")
    p.add_argument("-O2", dest="opt", action="store_const", const="-O2")
    p.add_argument(
        "--print-pipeline", action="store_true", help="print the pipeline this would run, and exit"
    )
    p.add_argument("--elide-constants", action="store_true", help="print large constants as __elided__")
    p.add_argument("--no-locations", action="store_true", help="leave out loc(...) provenance")
    p.add_argument(
        "--input-shape", action="append", metavar="NAME=1x3x224x224", help="fix a symbolic input shape"
    )
    p.set_defaults(func=run)


def run(args) -> int:
    from ir.printer import PrintOptions, print_op

    if args.print_pipeline:
        from passes.named_pipelines import DEFAULT_OPT
        from passes.pipeline import print_pipeline
        from ziggurat.pipelines import pipeline_for

        opt = args.opt or (DEFAULT_OPT if args.level != "graph" else None)
        sys.stdout.write(print_pipeline(pipeline_for(opt, args.level), all_options=True) + "\n")
        return 0
    module = load_module(args.file, parse_input_shapes(args.input_shape))
    if args.opt or args.level != "graph":
        from ziggurat.pipelines import lower_for_show

        module = lower_for_show(module, level=args.level, opt=args.opt)
    text = print_op(
        module, PrintOptions(elide_constants=args.elide_constants, locations=not args.no_locations)
    )
    sys.stdout.write(text)
    return 0
