"""Loading a model for the CLI and the Python API: `.onnx` through the importer, `.mlir` through the parser."""

from __future__ import annotations

from pathlib import Path

from ir.errors import UserError


def parse_input_shapes(specs: list[str] | None) -> dict[str, tuple[int, ...]]:
    """`["input=1x3x224x224"]` -> {"input": (1, 3, 224, 224)}."""
    out: dict[str, tuple[int, ...]] = {}
    for spec in specs or []:
        name, sep, dims = spec.rpartition("=")
        try:
            if not sep or not name:
                raise ValueError
            out[name] = tuple(int(d) for d in dims.lower().split("x"))
        except ValueError:
            raise UserError(f"bad --input-shape '{spec}': expected NAME=1x3x224x224") from None
    return out


def load_module(
    path: str | Path, input_shapes: dict[str, tuple[int, ...]] | None = None, verify: bool = True
):
    """Reads a model or IR file into a verified `builtin.module`."""
    import ir.dialects  # noqa: F401  (registers every dialect)
    from ir.verifier import verify as run_verifier

    p = Path(path)
    if not p.exists():
        raise UserError(f"{p}: no such file")
    if p.is_dir():
        raise UserError(f"{p}: is a directory, expected a .onnx or .mlir file")
    if p.suffix == ".onnx":
        from ir.onnx_import import import_onnx_file

        module = import_onnx_file(p, input_shapes=input_shapes or {})
    elif p.suffix == ".mlir":
        from ir.parser import parse_file

        if input_shapes:
            raise UserError("--input-shape applies to .onnx models only")
        module = parse_file(p)
    else:
        raise UserError(f"{p}: unknown file type '{p.suffix}' (expected .onnx or .mlir)")
    if verify:
        run_verifier(module)
    return module
