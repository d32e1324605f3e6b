"""The CLI's core verbs on .mlir files: show, opt round trip, --version, --help, one-line errors."""

from __future__ import annotations

import subprocess
import sys

import pytest

from ir.parser import parse_file
from ir.printer import print_op

VALID = """"builtin.module"() ({
  "func.func"() <{function_type = (tensor<2xf32>) -> tensor<2xf32>, sym_name = "main"}> ({
  ^bb0(%arg0: tensor<2xf32>):
    %0 = "graph.relu"(%arg0) : (tensor<2xf32>) -> tensor<2xf32> loc("Relu_0")
    "func.return"(%0) : (tensor<2xf32>) -> ()
  }) : () -> ()
}) : () -> ()
"""

BROKEN = {
    "unknown_op": (VALID.replace("graph.relu", "graph.nope"), "4:10: error: unknown operation 'graph.nope'"),
    "undefined_value": (VALID.replace('"graph.relu"(%arg0)', '"graph.relu"(%arg9)'), "use of undefined value '%arg9'"),
    "wrong_type": (VALID.replace("-> tensor<2xf32> loc", "-> tensor<3xf32> loc"), "'%0' has type tensor<3xf32>"),
    "missing_terminator": (VALID.replace('    "func.return"(%0) : (tensor<2xf32>) -> ()\n', ""), "must end with a terminator"),
    "bad_attribute": (VALID.replace('sym_name = "main"', "sym_name = 1 : i64"), "attribute 'sym_name' must be string"),
    "syntax": (VALID.replace(": (tensor<2xf32>) -> tensor<2xf32> loc", ": (tensor<2xf32> -> tensor<2xf32> loc"), "error: expected"),
}  # fmt: skip


def zig(*args, cwd=None):
    return subprocess.run(
        [sys.executable, "-m", "ziggurat", *args], capture_output=True, text=True, timeout=120, cwd=cwd
    )


def test_show_valid_file(tmp_path):
    p = tmp_path / "ok.mlir"
    p.write_text(VALID)
    r = zig("show", str(p))
    assert r.returncode == 0, r.stderr
    assert r.stdout == VALID


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_show_invalid_files_fail_with_one_line(tmp_path, case):
    text, needle = BROKEN[case]
    p = tmp_path / f"{case}.mlir"
    p.write_text(text)
    r = zig("show", str(p))
    assert r.returncode == 2
    assert r.stderr.count("\n") == 1 and "Traceback" not in r.stderr, r.stderr
    assert needle in r.stderr and f"{case}.mlir:" in r.stderr, r.stderr


def test_debug_shows_a_traceback(tmp_path):
    p = tmp_path / "bad.mlir"
    p.write_text(BROKEN["unknown_op"][0])
    r = zig("--debug", "show", str(p))
    assert r.returncode != 0 and "Traceback" in r.stderr


def test_missing_file_is_a_user_error(tmp_path):
    r = zig("show", str(tmp_path / "absent.mlir"))
    assert r.returncode == 2 and "no such file" in r.stderr and "Traceback" not in r.stderr


def test_version_and_help():
    r = zig("--version")
    assert r.returncode == 0 and r.stdout.startswith("ziggurat ")
    r = zig("--help")
    assert r.returncode == 0
    for verb in ("show", "opt"):
        assert verb in r.stdout


def test_opt_round_trip_writes_a_file(tmp_path):
    src = tmp_path / "in.mlir"
    src.write_text(VALID)
    out = tmp_path / "out.mlir"
    r = zig("opt", str(src), "--pipeline", "", "-o", str(out))
    assert r.returncode == 0, r.stderr
    assert out.read_text() == VALID
    assert print_op(parse_file(out)) == VALID
