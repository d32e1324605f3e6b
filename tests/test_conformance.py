"""`ziggurat conformance onnx-node` on a few op types (the full run takes ~30 s and lives in the lead's note)."""

from __future__ import annotations

import io

import pytest

from ziggurat.cli import main
from ziggurat.commands.conformance import run_conformance


def test_conformance_selected_ops_pass():
    out = io.StringIO()
    passed, failed, unsupported = run_conformance(["Relu", "Conv", "Softmax", "Gemm", "MaxPool"], out=out)
    text = out.getvalue().splitlines()
    assert passed > 40 and failed == 0
    assert text[-1] == f"{passed} passed, {failed} failed"
    assert text[-2] == f"{unsupported} unsupported"
    assert any(line.startswith("Conv: ") for line in text)


def test_conformance_cli_unknown_op_is_a_user_error(capsys):
    assert main(["conformance", "onnx-node", "--ops", "NoSuchOp"]) == 2
    assert "NoSuchOp" in capsys.readouterr().err


def test_conformance_compiled_for_the_cpu(capsys):
    assert main(["conformance", "onnx-node", "--ops", "Relu,Conv,MatMul,Add", "--target", "cpu"]) == 0
    text = capsys.readouterr().out.splitlines()
    passed = int(text[-1].split()[0])
    assert passed >= 15 and text[-1].endswith(" passed, 0 failed")
    assert text[-2].endswith(" unsupported")  # unsigned Add cases: the compiler refuses them cleanly
    assert any(line.startswith("Conv: ") and " 0 failed" in line for line in text)


def test_conformance_offers_only_working_targets(capsys):
    for target in ("cuda", "cuda-emulated"):
        with pytest.raises(SystemExit) as e:
            main(["conformance", "onnx-node", "--ops", "Relu", "--target", target])
        assert e.value.code == 2 and "invalid choice" in capsys.readouterr().err
