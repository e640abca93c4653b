"""Real speech for the voice tests: espeak-ng says a sentence, PyAV encodes it with Opus
in WebM as Chromium's MediaRecorder does."""

import io
import shutil
import subprocess
from pathlib import Path

import av
import pytest


def spoken_wav(text: str, path: Path, voice: str = "en") -> Path:
    espeak = shutil.which("espeak-ng")
    if espeak is None:
        pytest.skip("espeak-ng is not installed (apt-get install espeak-ng)")
    subprocess.run([espeak, "-v", voice, "-w", str(path), text], check=True)  # noqa: S603
    return path


def webm_opus(wav: Path) -> bytes:
    """The wav as WebM/Opus (48 kHz mono), without a duration in the header."""
    out = io.BytesIO()
    with av.open(str(wav)) as source, av.open(out, mode="w", format="webm") as target:
        stream = target.add_stream("libopus", rate=48000, layout="mono")
        resampler = av.AudioResampler(format="s16", layout="mono", rate=48000)
        for frame in source.decode(audio=0):
            for resampled in resampler.resample(frame):
                for packet in stream.encode(resampled):
                    target.mux(packet)
        for packet in stream.encode(None):
            target.mux(packet)
    return out.getvalue()
