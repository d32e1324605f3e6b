"""onnxruntime as a reference: run a ModelProto (or a module exported to ONNX) on the same feeds."""

from __future__ import annotations

import numpy as np

from ir.errors import UserError


def run_onnxruntime(model, feeds: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Outputs by name; only the graph inputs the model really takes (not initializers) are fed."""
    try:
        import onnxruntime as ort
    except ImportError:  # pragma: no cover - a declared dependency
        raise UserError("--check ort needs the onnxruntime package") from None
    opts = ort.SessionOptions()
    opts.log_severity_level = 3
    try:
        sess = ort.InferenceSession(model.SerializeToString(), opts, providers=["CPUExecutionProvider"])
    except Exception as e:  # noqa: BLE001 - onnxruntime's own errors are not ours
        raise UserError(f"onnxruntime cannot load the model: {' '.join(str(e).split())[:300]}") from None
    wanted = {i.name for i in sess.get_inputs()}
    try:
        outs = sess.run(None, {k: v for k, v in feeds.items() if k in wanted})
    except Exception as e:  # noqa: BLE001 - onnxruntime's own errors are not ours
        raise UserError(f"onnxruntime refused to run the model: {' '.join(str(e).split())[:300]}") from None
    return {o.name: v for o, v in zip(sess.get_outputs(), outs)}
