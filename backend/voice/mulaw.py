"""G.711 µ-law, as Twilio streams it (8 kHz mono), with numpy (``audioop`` is gone in 3.13),
and the sample-rate conversions between the phone, speech recognition and synthesis."""

from __future__ import annotations

import math

import numpy as np
from scipy.signal import resample_poly

RATE = 8000
FRAME_BYTES = 160
"""20 ms of phone audio: one Media Streams ``media`` message."""
_BIAS, _CLIP14 = 0x84, 8159
_SEGMENT_ENDS = np.array([0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF, 0x1FFF])


def decode(data: bytes) -> np.ndarray:
    """µ-law bytes → int16 samples."""
    u = ~np.frombuffer(data, dtype=np.uint8)
    exponent = (u >> 4) & 0x07
    magnitude = (((u & 0x0F).astype(np.int32) << 3) + _BIAS) << exponent
    return np.where(u & 0x80, _BIAS - magnitude, magnitude - _BIAS).astype(np.int16)


def encode(samples: np.ndarray) -> bytes:
    """int16 samples → µ-law bytes (the reference G.711 rounding, on 14-bit magnitudes)."""
    x = samples.astype(np.int32) >> 2
    negative = x < 0
    magnitude = np.minimum(np.where(negative, -x, x), _CLIP14) + (_BIAS >> 2)
    segment = np.searchsorted(_SEGMENT_ENDS, magnitude, side="left")
    code = np.where(segment >= 8, 0x7F, (segment << 4) | ((magnitude >> (segment + 1)) & 0x0F))  # full scale
    return (code ^ np.where(negative, 0x7F, 0xFF)).astype(np.uint8).tobytes()


def resample(samples: np.ndarray, source: int, target: int) -> np.ndarray:
    """Polyphase resampling with its anti-aliasing filter (synthesis at 22.05 kHz has energy the
    phone's 4 kHz band must not fold back), in the input's dtype."""
    if source == target or not len(samples):
        return samples
    g = math.gcd(source, target)
    out = resample_poly(samples.astype(np.float32), target // g, source // g)
    if np.issubdtype(samples.dtype, np.integer):
        out = np.clip(np.round(out), -32768, 32767)
    return out.astype(samples.dtype)
