"""Hardening of the front end (issue 15, items 1 and 2): malformed models, bad attributes, absurd sizes,
bad output paths and bad feeds are each one `ziggurat: error:` line with exit code 2, no traceback and no
stray files."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper

from ziggurat.cli import main

F = TensorProto.FLOAT
ROOT = Path(__file__).resolve().parents[1]


def vi(name, shape, t=F):
    return helper.make_tensor_value_info(name, t, shape)


def make(nodes, inputs, outputs, inits=(), opset=17):
    g = helper.make_graph(nodes, "g", inputs, outputs, list(inits))
    return helper.make_model(g, opset_imports=[helper.make_opsetid("", opset)])


def relu_model(path: Path) -> Path:
    onnx.save(
        make([helper.make_node("Relu", ["x"], ["y"], name="r")], [vi("x", [2, 3])], [vi("y", [2, 3])]), path
    )
    return path


def one_line_error(capsys, argv, match: str, tmp_path: Path | None = None, before=None) -> str:
    """Runs the CLI; asserts exit 2, exactly one stderr line containing `match`, no traceback and (when
    `tmp_path` is given) no file added there besides those in `before`."""
    rc = main(argv)
    err = capsys.readouterr().err
    assert rc == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("ziggurat: error: ") and "Traceback" not in err
    assert match in lines[0], lines[0]
    if tmp_path is not None:
        assert sorted(p.name for p in tmp_path.rglob("*")) == sorted(before or []), list(tmp_path.rglob("*"))
    return lines[0]


def save(tmp_path: Path, name: str, model) -> Path:
    p = tmp_path / name
    p.write_bytes(model.SerializeToString())
    return p


# ----------------------------------------------------------------------------- onnx's checker


def _checker_cases():
    w = helper.make_tensor("w", F, [1], [1.0])
    w.dims[0] = -1
    conv_w = numpy_helper.from_array(np.ones((1, 1, 1, 1), np.float32), "w")
    return {
        "duplicate_inputs": (
            make(
                [helper.make_node("Relu", ["x"], ["y"], name="r")],
                [vi("x", [2]), vi("x", [2])],
                [vi("y", [2])],
            ),
            "'x' has been used as graph input names multiple times",
        ),
        "two_writers": (
            make(
                [
                    helper.make_node("Relu", ["x"], ["y"], name="a"),
                    helper.make_node("Neg", ["x"], ["y"], name="b"),
                ],
                [vi("x", [2])],
                [vi("y", [2])],
            ),
            "'y' has been used as output names multiple times",
        ),
        "float_group": (
            make(
                [helper.make_node("Conv", ["x", "w"], ["y"], name="c", group=1.0)],
                [vi("x", [1, 1, 4, 4])],
                [vi("y", [1, 1, 4, 4])],
                [conv_w],
            ),
            "node 'c' (Conv): Mismatched attribute type",
        ),
        "negative_dims": (
            make([helper.make_node("Add", ["x", "w"], ["y"], name="a")], [vi("x", [2])], [vi("y", [2])], [w]),
            "initializer 'w' has a negative dimension",
        ),
        "opset_99": (
            make(
                [helper.make_node("Relu", ["x"], ["y"], name="r")], [vi("x", [2])], [vi("y", [2])], opset=99
            ),
            "opset 99 is newer than",
        ),
    }


@pytest.mark.parametrize("case", sorted(_checker_cases()))
def test_models_onnx_checker_rejects_are_one_line(case, tmp_path, capsys):
    model, match = _checker_cases()[case]
    p = save(tmp_path, f"{case}.onnx", model)
    line = one_line_error(capsys, ["run", str(p)], match, tmp_path, [p.name])
    assert f"{case}.onnx" in line


# ----------------------------------------------------------------------------- external data, UTF-8


def _external(tmp_path: Path, location: str) -> Path:
    t = numpy_helper.from_array(np.ones((2, 3), np.float32), "w")
    t.ClearField("raw_data")
    t.data_location = TensorProto.EXTERNAL
    e = t.external_data.add()
    e.key, e.value = "location", location
    sub = tmp_path / "sub"
    sub.mkdir(exist_ok=True)
    m = make(
        [helper.make_node("Add", ["x", "w"], ["y"], name="a")], [vi("x", [2, 3])], [vi("y", [2, 3])], [t]
    )
    return save(sub, "m.onnx", m)


@pytest.mark.parametrize(
    "location, match",
    [
        ("missing.bin", "no such file next to the model"),
        ("../secret.bin", "outside the model's folder"),
        ("/etc/passwd", "an absolute path"),
    ],
)
def test_external_data_only_from_inside_the_models_folder(location, match, tmp_path, capsys):
    (tmp_path / "secret.bin").write_bytes(np.ones(6, np.float32).tobytes())
    p = _external(tmp_path, location)
    one_line_error(capsys, ["run", str(p)], match, tmp_path, ["secret.bin", "sub", "m.onnx"])


@pytest.mark.parametrize(
    "old, new, where", [(b"inp", b"in\xff", "input[0].name"), (b"dd", b"d\xff", "doc_string")]
)
def test_invalid_utf8_is_one_line(old, new, where, tmp_path, capsys):
    g = helper.make_graph(
        [helper.make_node("Relu", ["inp"], ["y"], name="rr", doc_string="dd")],
        "g",
        [vi("inp", [2])],
        [vi("y", [2])],
    )
    data = helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)]).SerializeToString()
    p = tmp_path / "u.onnx"
    p.write_bytes(data.replace(old, new))
    one_line_error(capsys, ["run", str(p)], f"{where} ", tmp_path, ["u.onnx"])


# ----------------------------------------------------------------------------- attributes and sizes


def _window_cases():
    w = numpy_helper.from_array(np.ones((4, 1, 3, 3), np.float32), "w")
    x = [vi("x", [1, 1, 8, 8])]

    def conv(**kw):
        return [helper.make_node("Conv", ["x", "w"], ["y"], name="c", **kw)], x, [w]

    def pool(op, **kw):
        return [helper.make_node(op, ["x"], ["y"], name="p", **kw)], x, []

    def sized(op, data_shape, values, dtype=np.int64, pos=1):
        names = ["x", "", "s"] if pos == 2 else ["x", "s"]
        if op == "ConstantOfShape":
            names = ["s"]
        ins = [] if op == "ConstantOfShape" else [vi("x", data_shape)]
        node = helper.make_node(op, names, ["y"], name="n")
        return [node], ins, [numpy_helper.from_array(np.array(values, dtype), "s")]

    return {
        "conv_strides_0": (conv(strides=[0, 0]), "strides must be positive, got [0, 0]"),
        "conv_dilations_neg": (conv(dilations=[-1, 1]), "dilations must be positive"),
        "convtranspose_strides_0": (
            (
                [helper.make_node("ConvTranspose", ["x", "w"], ["y"], name="c", strides=[0, 1])],
                [vi("x", [1, 4, 8, 8])],
                [numpy_helper.from_array(np.ones((4, 1, 3, 3), np.float32), "w")],
            ),
            "strides must be positive",
        ),
        "pool_kernel_0": (pool("MaxPool", kernel_shape=[0, 0]), "kernel_shape must be positive"),
        "conv_empty": (conv(dilations=[14, 14]), "output would be empty: spatial size -20x-20"),
        "pool_empty": (pool("AveragePool", kernel_shape=[9, 9]), "output would be empty: spatial size 0x0"),
        "constantofshape_huge": (
            sized("ConstantOfShape", None, [10**6, 10**6]),
            "1e+12 elements, over the limit",
        ),
        "expand_huge": (sized("Expand", [1, 1], [10**5, 10**5]), "over the limit"),
        "tile_huge": (sized("Tile", [2, 2], [10**5, 10**5]), "over the limit"),
        "resize_huge": (sized("Resize", [1, 1, 4, 4], [1, 1, 1e5, 1e5], np.float32, pos=2), "over the limit"),
    }


@pytest.mark.parametrize("case", sorted(_window_cases()))
def test_attributes_that_break_shape_inference_are_one_line(case, tmp_path, capsys):
    (nodes, ins, inits), match = _window_cases()[case]
    p = save(tmp_path, f"{case}.onnx", make(nodes, ins, [vi("y", None)], inits))
    line = one_line_error(capsys, ["run", str(p)], match, tmp_path, [p.name])
    assert "node '" in line


# ----------------------------------------------------------------------------- compile -o


def test_compile_into_missing_or_unwritable_folder_fails_before_work(tmp_path, capsys, monkeypatch):
    import ziggurat.loading

    p = relu_model(tmp_path / "m.onnx")

    def no_load(*a, **k):
        raise AssertionError("the model was loaded before the output path was checked")

    monkeypatch.setattr(ziggurat.loading, "load_module", no_load)
    monkeypatch.setattr("ziggurat.commands.compile.load_module", no_load)
    one_line_error(capsys, ["compile", str(p), "-o", str(tmp_path / "nope" / "m.engine")], "does not exist")
    one_line_error(
        capsys, ["compile", str(p), "-o", str(tmp_path / "m.onnx" / "m.engine")], "is not a directory"
    )
    (tmp_path / "d.engine").mkdir()
    one_line_error(capsys, ["compile", str(p), "-o", str(tmp_path / "d.engine")], "is a directory")
    if os.geteuid() != 0:
        ro = tmp_path / "ro"
        ro.mkdir()
        ro.chmod(0o500)
        try:
            one_line_error(capsys, ["compile", str(p), "-o", str(ro / "m.engine")], "is not writable")
            assert list(ro.iterdir()) == []
        finally:
            ro.chmod(0o700)


def _sample_engine_file():
    from runtime.engine_file import EngineFile

    return EngineFile({"model": "m", "kernels": []}, {"w0": b"\x01" * 1000})


def test_engine_write_leaves_no_temporary_on_keyboard_interrupt(tmp_path, monkeypatch):
    def interrupted(src, dst):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        _sample_engine_file().save(tmp_path / "m.engine")
    assert list(tmp_path.iterdir()) == []


def test_engine_write_leaves_no_temporary_on_sigterm(tmp_path):
    code = f"""
import os, signal, time
import runtime.engine_file as ef
def slow_replace(src, dst):
    os.kill(os.getpid(), signal.SIGTERM)
    time.sleep(5)
    raise AssertionError("SIGTERM was not delivered")
os.replace = slow_replace
ef.EngineFile({{"model": "m", "kernels": []}}, {{"w0": b"x" * 1000}}).save({str(tmp_path / "m.engine")!r})
print("survived")
"""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    r = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert r.returncode == -15, (r.returncode, r.stdout, r.stderr)
    assert "survived" not in r.stdout
    assert list(tmp_path.iterdir()) == []


# ----------------------------------------------------------------------------- feeds and --check ort


@pytest.fixture(scope="module")
def relu_engine(tmp_path_factory):
    d = tmp_path_factory.mktemp("engine")
    p = relu_model(d / "m.onnx")
    assert main(["compile", str(p), "-o", str(d / "m.engine"), "--no-cache"]) == 0
    return d / "m.engine"


def test_engine_run_with_wrong_input_name(relu_engine, tmp_path, capsys):
    capsys.readouterr()
    np.savez(tmp_path / "in.npz", nope=np.ones((2, 3), np.float32))
    one_line_error(
        capsys, ["run", str(relu_engine), "--inputs", str(tmp_path / "in.npz")], "missing input 'x'"
    )
    np.savez(tmp_path / "in2.npz", x=np.ones((2, 3), np.float32), extra=np.ones(2, np.float32))
    one_line_error(
        capsys, ["run", str(relu_engine), "--inputs", str(tmp_path / "in2.npz")], "'extra' names no input"
    )


@pytest.mark.parametrize("dtype", [np.float64, np.int32, np.bool_])
def test_feeds_of_another_dtype_are_refused(dtype, relu_engine, tmp_path, capsys):
    capsys.readouterr()
    np.savez(tmp_path / "in.npz", x=np.ones((2, 3), dtype))
    want = f"input 'x' has element type {np.dtype(dtype)}, the model expects float32"
    one_line_error(capsys, ["run", str(relu_engine), "--inputs", str(tmp_path / "in.npz")], want)
    one_line_error(
        capsys, ["run", str(relu_engine.with_suffix(".onnx")), "--inputs", str(tmp_path / "in.npz")], want
    )


def test_check_ort_when_onnxruntime_refuses_the_model(tmp_path, capsys, monkeypatch):
    import onnxruntime

    class Refusing:
        def __init__(self, *a, **k):
            pass

        def get_inputs(self):
            return []

        def run(self, *a, **k):
            raise RuntimeError("[ONNXRuntimeError] : 6 : RUNTIME_EXCEPTION : Non-zero status code\nmore")

    monkeypatch.setattr(onnxruntime, "InferenceSession", Refusing)
    p = relu_model(tmp_path / "m.onnx")
    rc = main(["run", str(p), "--check", "ort"])
    cap = capsys.readouterr()
    assert rc == 2
    assert "y: 2x3 float32" in cap.out  # our result is printed before the refusal
    lines = cap.err.strip().splitlines()
    assert len(lines) == 1 and "onnxruntime refused to run the model" in lines[0]
    assert "Traceback" not in cap.err
