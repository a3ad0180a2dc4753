"""G.711 µ-law in numpy: bit-exact with the reference coder (checked once against Python
3.11's audioop over every 16-bit sample; the digests below are its output)."""

from __future__ import annotations

import hashlib

import numpy as np

from backend.voice import mulaw

EVERY_SAMPLE = np.arange(-32768, 32768, dtype=np.int32).astype(np.int16)


def test_encoding_every_sample_matches_the_reference_coder() -> None:
    digest = hashlib.sha256(mulaw.encode(EVERY_SAMPLE)).hexdigest()
    assert digest == "81d633c9e6972a18c74a58720b96cb8ca0bdd096d4060b646dd708c3b846019a"
    assert mulaw.encode(np.array([0, 1000, -1000, 32767, -32768], dtype=np.int16)).hex() == "ffce4e8000"


def test_decoding_every_code_matches_the_reference_coder() -> None:
    decoded = mulaw.decode(bytes(range(256)))
    assert hashlib.sha256(decoded.tobytes()).hexdigest() == (
        "3dab54339e520bb2c924826e3b72a917a2b612e9fd12fc867500f1d983a75827"
    )


def test_a_round_trip_keeps_speech_within_the_codec_step() -> None:
    tone = (np.sin(np.linspace(0, 200 * np.pi, 8000)) * 20000).astype(np.int16)
    back = mulaw.decode(mulaw.encode(tone)).astype(int)
    assert np.max(np.abs(back - tone) / (np.abs(tone) + 64)) < 0.07  # µ-law's ~6% logarithmic step


def test_resampling_keeps_duration() -> None:
    second = np.zeros(8000, dtype=np.int16)
    assert len(mulaw.resample(second, 8000, 16000)) == 16000
    assert len(mulaw.resample(np.zeros(22050, dtype=np.int16), 22050, 8000)) == 8000
