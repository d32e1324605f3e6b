"""Models that ship with a dependency (onnx's light model zoo), so demos and tests need no download."""

from __future__ import annotations

from pathlib import Path

LIGHT_MODELS = (
    "bvlc_alexnet",
    "densenet121",
    "inception_v1",
    "inception_v2",
    "resnet50",
    "shufflenet",
    "squeezenet",
    "vgg19",
    "zfnet512",
)


def light_model_dir() -> Path:
    import onnx

    return Path(onnx.__file__).parent / "backend" / "test" / "data" / "light"


def light_model_path(name: str) -> Path:
    """Path of `light_<name>.onnx` shipped inside the onnx package."""
    p = light_model_dir() / f"light_{name}.onnx"
    if not p.exists():
        raise FileNotFoundError(f"{p} is missing from the installed onnx package")
    return p
