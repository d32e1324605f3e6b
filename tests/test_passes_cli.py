"""`ziggurat opt`: pipelines, -O levels, listings, errors, check-semantics and rewrite-limit from the CLI."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

FC = Path(__file__).parent / "filecheck"


def opt(*args):
    return subprocess.run(
        [sys.executable, "-m", "ziggurat", "opt", *map(str, args)], capture_output=True, text=True, timeout=60
    )


def test_list_passes_and_patterns():
    p = opt("--list-passes")
    assert p.returncode == 0
    for name in ("canonicalize", "cse", "dce", "fold-constants", "fuse", "-O2"):
        assert name in p.stdout
    p = opt("--list-patterns")
    assert "fold-batchnorm-into-conv" in p.stdout and "remove-identity" in p.stdout


def test_bad_pipeline_is_one_line_with_column():
    p = opt(FC / "canonicalize_sum.mlir", "--pipeline", "builtin.module(canonicalize, bogus)")
    assert p.returncode == 2
    assert p.stderr.count("\n") == 1 and "pipeline:1:30: error: unknown pass 'bogus'" in p.stderr


def test_check_semantics_and_rewrite_limit_from_the_cli(tmp_path):
    wrong = "builtin.module(canonicalize, apply-patterns{pattern='Relu(x) -> x'}, dce)"
    src = FC / "canonicalize_identity_dropout.mlir"
    p = opt(src, "--pipeline", wrong, "--check-semantics")
    assert p.returncode == 1 and "pass 'apply-patterns' (#2) changed the results" in p.stderr
    # canonicalize makes 2 rewrites (identity, dropout); the 3rd is the wrong one
    assert opt(src, "--pipeline", wrong, "--check-semantics", "--rewrite-limit", "2").returncode == 0
    p = opt(src, "--pipeline", wrong, "--check-semantics", "--rewrite-limit", "3")
    assert p.returncode == 1
    p = opt(src, "--pipeline", wrong, "--rewrite-limit", "3")
    assert "rewrite #3: text:Relu(x) -> x on graph.relu (onnx node 'r')" in p.stderr


def test_O2_output_reparses_and_dump_dir(tmp_path):
    out = tmp_path / "o.mlir"
    p = opt(
        FC / "fuse.mlir", "-O2", "-o", out, "--ir-dump-dir", tmp_path / "dump", "--timing", "--statistics"
    )
    assert p.returncode == 0, p.stderr
    assert "Pass execution timing report" in p.stderr and "Pass statistics report" in p.stderr
    assert opt(out, "--pipeline", "builtin.module(canonicalize)").returncode == 0
    assert len(list((tmp_path / "dump").iterdir())) == 7


def test_repro_header_replays(tmp_path):
    f = tmp_path / "r.mlir"
    f.write_text(
        '// ziggurat-repro: pipeline="builtin.module(canonicalize)"\n'
        + (FC / "canonicalize_sum.mlir").read_text()
    )
    p = opt(f)
    assert p.returncode == 0 and "graph.add" in p.stdout and "graph.sum" not in p.stdout


def test_emit_llvm_prints_the_kernels_ir_and_refuses_a_module_without_kernels(tmp_path):
    src = FC / "codegen_scalar_loop.mlir"
    p = opt(src, "--emit-llvm")
    assert p.returncode == 0, p.stderr
    assert 'define void @"relu2"(i8** noalias %"args", i64 %"start", i64 %"end")' in p.stdout
    assert '"builtin.module"' not in p.stdout  # the LLVM IR replaces the module text
    out = tmp_path / "k.ll"
    p = opt(src, "--emit-llvm=opt", "-o", out)
    assert p.returncode == 0 and p.stdout == "", p.stderr
    assert "define void @relu2(ptr noalias" in out.read_text()
    p = opt(FC / "canonicalize_sum.mlir", "--emit-llvm")
    assert p.returncode == 2 and p.stdout == ""
    assert p.stderr.count("\n") == 1 and "--emit-llvm: the module has no loop.kernel" in p.stderr
