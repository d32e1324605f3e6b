"""`ziggurat conformance onnx-node` on a few op types (the full run takes ~30 s and lives in the lead's note)."""

from __future__ import annotations

import io

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
