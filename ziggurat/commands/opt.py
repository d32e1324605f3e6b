"""`ziggurat opt FILE [--pipeline TEXT] [-o OUT]`: run a pass pipeline, like mlir-opt."""

from __future__ import annotations

import sys

from ir.errors import UserError
from ziggurat.loading import load_module, parse_input_shapes
from ziggurat.output import write_text_atomically


def register(sub) -> None:
    p = sub.add_parser("opt", help="run a pass pipeline over a model or IR file (like mlir-opt)")
    p.add_argument("file", help="a .onnx model or a .mlir file")
    p.add_argument("--pipeline", default=None, help='e.g. "builtin.module(canonicalize, dce)"')
    p.add_argument("-o", "--output", help="write the result here instead of stdout")
    p.add_argument("--elide-constants", action="store_true")
    p.add_argument("--input-shape", action="append", metavar="NAME=1x3x224x224")
    p.set_defaults(func=run)


def run(args) -> int:
    from ir.printer import PrintOptions, print_op

    module = load_module(args.file, parse_input_shapes(args.input_shape))
    if args.pipeline:
        raise UserError('pass pipelines are not available yet: use --pipeline "" for a round trip')
    text = print_op(module, PrintOptions(elide_constants=args.elide_constants))
    if args.output:
        write_text_atomically(args.output, text)
    else:
        sys.stdout.write(text)
    return 0
