"""`ziggurat run` and `ziggurat show` on ONNX models: outputs, --check ort, npz in/out, exit codes."""

from __future__ import annotations

import re

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper

from tests.light_models import model_path
from ziggurat.cli import main


def _small_model(path):
    w = numpy_helper.from_array(np.linspace(-1, 1, 12).astype(np.float32).reshape(3, 4), "w")
    nodes = [
        helper.make_node("MatMul", ["x", "w"], ["h"], name="mm"),
        helper.make_node("Tanh", ["h"], ["y"], name="t"),
    ]
    g = helper.make_graph(
        nodes,
        "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", 3])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["batch", 4])],
        [w],
    )
    onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)]), path)
    return path


def test_run_light_model_check_ort(capsys):
    assert main(["run", str(model_path("squeezenet")), "--target", "interp", "--check", "ort"]) == 0
    out = capsys.readouterr().out
    assert "softmaxout_1: 1x1000x1x1 float32" in out
    assert "max abs err" in out and ": ok" in out


def test_run_writes_npz_and_reads_inputs(tmp_path, capsys):
    m = _small_model(tmp_path / "m.onnx")
    x = np.arange(6, dtype=np.float32).reshape(2, 3) / 6
    np.savez(tmp_path / "in.npz", x=x)
    rc = main(
        [
            "run",
            str(m),
            "--inputs",
            str(tmp_path / "in.npz"),
            "--output",
            str(tmp_path / "out.npz"),
            "--input-shape",
            "x=2x3",
            "--check",
            "ort",
        ]
    )
    assert rc == 0
    with np.load(tmp_path / "out.npz") as data:
        y = data["y"]
    np.testing.assert_allclose(
        y, np.tanh(x @ np.linspace(-1, 1, 12).astype(np.float32).reshape(3, 4)), rtol=1e-6
    )
    assert "y: 2x3" not in capsys.readouterr().out  # y is 2x4


def test_random_inputs_are_deterministic(tmp_path):
    m = _small_model(tmp_path / "m.onnx")
    for seed, name in [(1, "a"), (1, "b"), (2, "c")]:
        assert (
            main(
                [
                    "run",
                    str(m),
                    "--input-shape",
                    "x=2x3",
                    "--seed",
                    str(seed),
                    "--output",
                    str(tmp_path / f"{name}.npz"),
                ]
            )
            == 0
        )
    a, b, c = (np.load(tmp_path / f"{n}.npz")["y"] for n in "abc")
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


def test_run_mlir_checks_through_export(tmp_path, capsys):
    m = _small_model(tmp_path / "m.onnx")
    assert main(["show", str(m), "--input-shape", "x=2x3"]) == 0
    (tmp_path / "m.mlir").write_text(capsys.readouterr().out)
    assert main(["run", str(tmp_path / "m.mlir"), "--check", "ort"]) == 0


def test_check_mismatch_exits_1(tmp_path, capsys, monkeypatch):
    import ziggurat.commands.run as run_cmd

    m = _small_model(tmp_path / "m.onnx")
    orig = run_cmd.run_target

    def perturbed(module, feeds, target, *args):  # a deliberately wrong backend
        outs, t = orig(module, feeds, target, *args)
        return [o * np.float32(1.01) for o in outs], t

    monkeypatch.setattr(run_cmd, "run_target", perturbed)
    assert main(["run", str(m), "--input-shape", "x=2x3", "--check", "ort"]) == 1
    out = capsys.readouterr().out
    assert "MISMATCH" in out and "differ from onnxruntime" in out
    # The same run passes with a tolerance that covers the 1% error.
    assert main(["run", str(m), "--input-shape", "x=2x3", "--check", "ort", "--rtol", "0.02"]) == 0


@pytest.mark.parametrize(
    "argv_tail, message",
    [
        (["--inputs", "/nonexistent.npz"], "no such file"),
    ],
)
def test_user_errors_exit_2(tmp_path, capsys, argv_tail, message):
    m = _small_model(tmp_path / "m.onnx")
    assert main(["run", str(m), "--input-shape", "x=2x3", *argv_tail]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err and err.count("\n") == 1


@pytest.mark.parametrize(
    "argv",
    [
        ["run", "m.onnx", "--target", "cuda"],
        ["run", "m.onnx", "--target", "cuda-emulated"],
        ["compile", "m.onnx", "-o", "m.engine", "--target", "cuda"],
        ["compile", "m.onnx", "-o", "m.engine", "--precision", "fp16"],
        ["compile", "m.onnx", "-o", "m.engine", "--precision", "fp32"],
        ["compile", "m.onnx", "-o", "m.engine", "--emit", "ptx"],
        ["bench", "m.onnx", "--target", "cuda"],
    ],
)
def test_flags_that_cannot_work_yet_are_not_offered(capsys, argv):
    with pytest.raises(SystemExit) as e:
        main(argv)
    err = capsys.readouterr().err
    assert e.value.code == 2 and err.count("\n") == 1
    assert "invalid choice" in err or "unrecognized arguments" in err


def test_help_does_not_mention_cuda_or_precision():
    from ziggurat.cli import build_parser

    sub = next(a for a in build_parser()._actions if a.dest == "verb")
    for verb, p in sub.choices.items():
        if verb == "target":  # describes GPU targets (`ziggurat target --target cuda --sm 90`), works today
            continue
        text = p.format_help()
        assert "cuda" not in text and "ptx" not in text, verb
        assert not re.search(r"--precision(?![-\w])", text), verb  # opt's --precision-report is real


def test_bad_files_exit_2(tmp_path, capsys):
    m = _small_model(tmp_path / "m.onnx")
    data = m.read_bytes()
    (tmp_path / "trunc.onnx").write_bytes(data[: len(data) // 3])
    (tmp_path / "rand.onnx").write_bytes(np.random.default_rng(0).bytes(4096))
    for name in ("trunc.onnx", "rand.onnx"):
        assert main(["run", str(tmp_path / name)]) == 2
        err = capsys.readouterr().err
        assert name in err and err.count("\n") == 1
    assert main(["run", str(m)]) == 2  # symbolic batch dimension
    assert "--input-shape x=Nx3" in capsys.readouterr().err


def test_unsupported_ops_exit_2(tmp_path, capsys):
    nodes = [
        helper.make_node("Foo", ["x"], ["a"], name="n1"),
        helper.make_node("Bar", ["a"], ["y"], name="n2"),
    ]
    g = helper.make_graph(
        nodes,
        "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2])],
    )
    onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)]), tmp_path / "u.onnx")
    assert main(["run", str(tmp_path / "u.onnx")]) == 2
    err = capsys.readouterr().err
    assert "unsupported ONNX ops (opset 17): Foo (node n1), Bar (node n2)" in err


def test_missing_input_in_npz_exit_2(tmp_path, capsys):
    m = _small_model(tmp_path / "m.onnx")
    np.savez(tmp_path / "in.npz", other=np.zeros((2, 3), np.float32))
    assert main(["run", str(m), "--input-shape", "x=2x3", "--inputs", str(tmp_path / "in.npz")]) == 2
    assert "missing input 'x'" in capsys.readouterr().err
