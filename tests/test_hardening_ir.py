"""Hardening (issue 15, item 5): hostile IR text, pipelines and pass options give one-line user errors
(exit 2, no traceback), and the verifier refuses invalid types and literals built through the API."""

from __future__ import annotations

import dataclasses
import typing
from pathlib import Path

import pytest

import ir.dialects  # noqa: F401
from ir.attributes import ArrayAttr, DenseArrayAttr, IntegerAttr
from ir.dialects.builtin import FuncOp, ReturnOp, new_module
from ir.dialects.graph.ops_core import Relu
from ir.errors import ParseError, UserError, VerifyError
from ir.parser import MAX_NESTING, parse_attribute, parse_module, parse_type
from ir.types import DYNAMIC, f32, i8, i64, memref, tensor
from ir.verifier import verify
from passes.pass_base import OptionError, option_name, option_range
from passes.pipeline import MAX_PIPELINE_NESTING, PipelineError, parse_pipeline
from passes.registry import all_passes
from ziggurat.cli import main

MLIR = Path(__file__).parent / "mlir"
GRAPH = MLIR / "graph.mlir"


def cli_user_error(capsys, argv: list[str]) -> str:
    """Runs the CLI; asserts exit 2 with exactly one line on stderr and no traceback; returns it."""
    try:
        rc = main(argv)
    except SystemExit as e:  # argparse
        rc = e.code
    err = capsys.readouterr().err
    assert rc == 2, err
    assert "Traceback" not in err
    lines = err.strip("\n").split("\n")
    assert len(lines) == 1, err
    return lines[0]


def func_module(t):
    m = new_module()
    f = FuncOp.create("main", [t], [t])
    m.body.append(f)
    r = f.body.append(Relu.build(f.args[0]))
    f.body.append(ReturnOp.build([r.result]))
    return m, f, r


# ----------------------------------------------------------------------------- the IR parser

DEEP_TEXTS = {
    "types": "tensor<" * 1000 + "f32" + ">" * 1000,
    "function types": "(" * 10000,
    "arrays": "[" * 10000,
    "closed arrays": "[" * 10000 + "]" * 10000,
    "dense": "dense<" + "[" * 10000 + "1" + "]" * 10000 + "> : tensor<1xf32>",
    "affine": "affine_map<(d0) -> (" + "(" * 5000 + "d0" + ")" * 5000 + ")>",
    "affine minus": "affine_map<(d0) -> (" + "-" * 5000 + "d0)>",
}


@pytest.mark.parametrize("kind", sorted(DEEP_TEXTS))
def test_deep_nesting_is_a_parse_error(kind):
    with pytest.raises(ParseError, match=f"nesting deeper than {MAX_NESTING}"):
        parse_attribute(DEEP_TEXTS[kind])


def test_deep_types_and_regions_in_a_file(tmp_path, capsys):
    f = tmp_path / "deep.mlir"
    ty = "tensor<" * 1000 + "f32" + ">" * 1000
    f.write_text(f'"func.func"() ({{\n^bb0(%a: {ty}):\n}}) : () -> ()\n')
    assert f"nesting deeper than {MAX_NESTING}" in cli_user_error(capsys, ["opt", str(f)])
    regions = '"test.op"() ({\n' * 1000 + "}) : () -> ()\n" * 1000
    f.write_text(regions)
    with pytest.raises(ParseError, match="nesting deeper than"):
        parse_module(regions, allow_unregistered=True)
    f.write_text("[" * 10000)
    cli_user_error(capsys, ["opt", str(f)])


def test_nesting_within_the_limit_parses():
    depth = MAX_NESTING // 2
    assert parse_attribute("[" * depth + "]" * depth) is not None


@pytest.mark.parametrize(
    "text, message",
    [
        ("array<i64: 1.5>", "float literal 1.5 in array<i64>"),
        ("array<i8: 1, 300>", "out of range for i8"),
        ("9223372036854775808 : i64", "out of range for i64"),
        ("-9223372036854775809 : i64", "out of range for i64"),
        ("128 : i8", "out of range for i8"),
        ("256 : ui8", "out of range for ui8"),
        ("-1 : ui8", "out of range for ui8"),
    ],
)
def test_bad_literals_are_parse_errors(text, message):
    with pytest.raises(ParseError, match=message):
        parse_attribute(text)


def test_literals_at_the_edges_parse():
    assert parse_attribute("9223372036854775807 : i64") == IntegerAttr(2**63 - 1, i64)
    assert parse_attribute("-9223372036854775808 : i64") == IntegerAttr(-(2**63), i64)
    assert parse_attribute("255 : ui8").value == 255
    assert parse_attribute("array<i8: -128, 127>") == DenseArrayAttr(i8, (-128, 127))
    assert parse_attribute("true").value == 1


@pytest.mark.parametrize("text", ["tensor<-3x4xf32>", "memref<-1xf32>", "vector<2x-4xf32>"])
def test_negative_dims_are_parse_errors(text):
    with pytest.raises(ParseError, match="negative dimension"):
        parse_type(text)


def test_bad_ir_from_the_cli(tmp_path, capsys):
    cases = {
        "array": '"test.op"() {a = array<i64: 1.5>} : () -> ()',
        "literal": '"test.op"() {a = 9223372036854775808 : i64} : () -> ()',
        "dims": '"func.func"() ({\n^bb0(%a: tensor<-3x4xf32>):\n}) : () -> ()',
    }
    for name, text in cases.items():
        f = tmp_path / f"{name}.mlir"
        f.write_text(text + "\n")
        line = cli_user_error(capsys, ["opt", str(f)])
        assert f"{name}.mlir:" in line


@pytest.mark.parametrize("command", ["run", "opt"])
@pytest.mark.parametrize("content", ["", "  \n// only a comment\n"])
def test_empty_mlir_file_is_no_module(tmp_path, capsys, command, content):
    f = tmp_path / "empty.mlir"
    f.write_text(content)
    assert "no module" in cli_user_error(capsys, [command, str(f)])


# ----------------------------------------------------------------------------- the verifier


@pytest.mark.parametrize("shape", [(-3, 4), (2, -2)])
def test_verifier_rejects_negative_dims_built_through_the_api(shape):
    m, _, _ = func_module(tensor(shape, f32))
    with pytest.raises(VerifyError, match="negative dimension"):
        verify(m)


def test_verifier_accepts_dynamic_dims():
    m, _, _ = func_module(tensor((DYNAMIC, 4), f32))
    verify(m)


@pytest.mark.parametrize(
    "attr",
    [
        IntegerAttr(2**63, i64),
        IntegerAttr(200, i8),
        DenseArrayAttr(i8, (1, 999)),
        ArrayAttr((IntegerAttr(1, i64), ArrayAttr((IntegerAttr(-(2**64), i64),)))),
    ],
)
def test_verifier_rejects_out_of_range_literals_built_through_the_api(attr):
    m, _, relu = func_module(tensor((2, 3), f32))
    relu.attributes["zg.test"] = attr
    with pytest.raises(VerifyError, match="out of range"):
        verify(m)


def test_verifier_rejects_negative_dims_of_memref_block_args():
    m, f, _ = func_module(tensor((2, 3), f32))
    f.body.add_argument(memref((-5,), f32))
    with pytest.raises(VerifyError, match="negative dimension -5"):
        verify(m)


# ----------------------------------------------------------------------------- the pipeline parser


def test_deep_pipeline_is_a_pipeline_error(capsys):
    text = "builtin.module(" * 500 + "cse" + ")" * 500
    with pytest.raises(PipelineError, match=f"nesting deeper than {MAX_PIPELINE_NESTING}") as e:
        parse_pipeline(text)
    assert len(str(e.value)) < 400  # a long pipeline is shown as an excerpt
    line = cli_user_error(capsys, ["opt", str(GRAPH), "--pipeline", text])
    assert "nesting deeper than" in line


def test_pipeline_within_the_limit_parses():
    n = MAX_PIPELINE_NESTING - 1
    pl = parse_pipeline("builtin.module(" * n + "cse" + ")" * n)
    assert [p.name for p in pl.passes()] == ["cse"]


@pytest.mark.parametrize(
    "text", ["builtin.module(foo.bar(cse))", "nope(cse)", "builtin.module(func.fun(cse))"]
)
def test_unknown_anchor_is_a_pipeline_error(text, capsys):
    with pytest.raises(PipelineError, match="unknown anchor"):
        parse_pipeline(text)
    assert "unknown anchor" in cli_user_error(capsys, ["opt", str(GRAPH), "--pipeline", text])


# ----------------------------------------------------------------------------- pass options

BAD_OPTIONS = [
    ("unroll{factor=0}", "factor"),
    ("vectorize{width=-8}", "width"),
    ("tile{sizes=-4}", "sizes"),
    ("tile{sizes=32,-4}", "sizes"),
    ("interchange{perm=1,-1}", "perm"),
    ("canonicalize{max-iterations=-5}", "max-iterations"),
    ("apply-patterns{max-iterations=0}", "max-iterations"),
    ("mixed-precision{max-rounds=-1}", "max-rounds"),
    ("mixed-precision{calibration=0}", "calibration"),
    ("fold-constants{max-elements=-1}", "max-elements"),
    ("fuse{max-ops=0}", "max-ops"),
    ("plan-memory{alignment=0}", "alignment"),
]


@pytest.mark.parametrize("text, option", BAD_OPTIONS)
def test_out_of_range_options_are_pipeline_errors(text, option, capsys):
    with pytest.raises(PipelineError, match=f"option '{option}' must be"):
        parse_pipeline(text)
    line = cli_user_error(capsys, ["opt", str(GRAPH), "--pipeline", f"builtin.module({text})"])
    assert f"'{option}'" in line


def test_out_of_range_options_through_the_python_api():
    from passes.loop.unroll import Unroll

    with pytest.raises(OptionError, match="'factor'"):
        Unroll(factor=0)
    assert isinstance(OptionError("x"), UserError) and isinstance(OptionError("x"), ValueError)
    assert Unroll(factor=1).factor == 1


def _is_int_option(hint) -> bool:
    return hint is int or (typing.get_origin(hint) in (list, tuple) and typing.get_args(hint)[:1] == (int,))


def _hints(cls) -> dict:
    try:
        return typing.get_type_hints(cls)
    except TypeError:  # a class built at run time
        return {}


def test_every_int_option_has_a_declared_range():
    missing = []
    for name, cls in sorted(all_passes().items()):
        hints = _hints(cls)
        for f in cls.options():
            hint = hints.get(f.name, f.type)
            if (_is_int_option(hint) or f.type in ("int", "list[int]")) and f.name not in ("seed",):
                if option_range(cls, f) is None:
                    missing.append(f"{name}.{option_name(f.name)}")
    assert not missing, f"int options without a declared range: {missing}"


def test_every_declared_range_rejects_values_outside_it():
    checked = 0
    for name, cls in sorted(all_passes().items()):
        for f in cls.options():
            r = option_range(cls, f)
            if r is None:
                continue
            lo, hi = r
            is_list = f.default is dataclasses.MISSING and f.default_factory is not dataclasses.MISSING
            for bad in ([lo - 1] if lo is not None else []) + ([hi + 1] if hi is not None else []):
                value = ",".join([str(bad)] * 2) if is_list else str(bad)
                text = f"{name}{{{option_name(f.name)}={value}}}"
                with pytest.raises(PipelineError, match=f"'{option_name(f.name)}'"):
                    parse_pipeline(text)
                checked += 1
    assert checked >= 10


# ----------------------------------------------------------------------------- --ir-dump-dir


def test_ir_dump_dir_naming_a_file(tmp_path, capsys):
    f = tmp_path / "a_file"
    f.write_text("x")
    line = cli_user_error(capsys, ["opt", str(GRAPH), "--pipeline", "cse", "--ir-dump-dir", str(f)])
    assert "not a directory" in line
    line = cli_user_error(capsys, ["opt", str(GRAPH), "--ir-dump-dir", str(f / "sub")])
    assert "not a directory" in line
    assert f.read_text() == "x"


def test_ir_dump_dir_made_when_missing(tmp_path, capsys):
    d = tmp_path / "new" / "dumps"
    assert main(["opt", str(GRAPH), "--pipeline", "cse", "--ir-dump-dir", str(d)]) == 0
    assert any(d.iterdir())


def test_compile_checks_ir_dump_dir_before_loading(tmp_path, capsys, monkeypatch):
    """`compile --ir-dump-dir FILE` fails before the model is even read (no work wasted, no engine)."""
    import ziggurat.commands.compile as compile_cmd

    f = tmp_path / "a_file"
    f.write_text("x")
    monkeypatch.setattr(compile_cmd, "load_module", lambda *a, **k: pytest.fail("the model was loaded"))
    out = tmp_path / "m.engine"
    line = cli_user_error(capsys, ["compile", str(GRAPH), "-o", str(out), "--ir-dump-dir", str(f)])
    assert "not a directory" in line and not out.exists()


def test_mlir_file_with_invalid_utf8_is_one_line(tmp_path, capsys):
    """Found by `ziggurat fuzz --files mlir`: opt read the reproducer header with strict UTF-8 first."""
    f = tmp_path / "bad.mlir"
    f.write_bytes(GRAPH.read_bytes() + b"\xb7")
    for verb in ("opt", "run"):
        line = cli_user_error(capsys, [verb, str(f)])
        assert "not a text file" in line
