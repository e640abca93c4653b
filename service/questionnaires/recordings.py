"""A spoken answer's audio, read with PyAV: how long it really lasts, and the same Opus
packets in an Ogg file (no re-encoding: what the applicant said is what is kept).

Chromium's MediaRecorder writes WebM without a duration or an index, so the length is
counted by decoding every packet; a file cut short or that is not audio fails here.
"""

import io
from dataclasses import dataclass

import av
from av.audio.stream import AudioStream

OGG_MEDIA_TYPE = "audio/ogg"


class UnreadableRecording(ValueError):
    """Not audio that can be decoded to its end."""


@dataclass(frozen=True)
class Decoded:
    codec: str
    seconds: float


def _audio_stream(container: av.container.InputContainer) -> AudioStream:
    streams = container.streams.audio
    if not streams:
        raise UnreadableRecording("no audio stream")
    return streams[0]


def decode(data: bytes) -> Decoded:
    """Decode every packet and count the samples: the recording's real length."""
    try:
        with av.open(io.BytesIO(data), mode="r") as container:
            stream = _audio_stream(container)
            samples = 0
            rate = stream.codec_context.sample_rate or 48000
            for frame in container.decode(stream):
                samples += frame.samples
                rate = frame.sample_rate or rate
            codec = stream.codec_context.name
    except UnreadableRecording:
        raise
    except (av.FFmpegError, ValueError, IndexError) as exc:
        raise UnreadableRecording(str(exc)) from exc
    if samples == 0:
        raise UnreadableRecording("no audio in the file")
    return Decoded(codec=codec, seconds=samples / rate)


def remux_to_ogg(data: bytes) -> bytes:
    """The Opus packets of a WebM (or Ogg) recording, copied into an Ogg container."""
    out = io.BytesIO()
    try:
        with av.open(io.BytesIO(data), mode="r") as source:
            stream = _audio_stream(source)
            if stream.codec_context.name != "opus":
                raise UnreadableRecording(f"not Opus audio ({stream.codec_context.name})")
            with av.open(out, mode="w", format="ogg") as target:
                copy = target.add_stream_from_template(stream)
                for packet in source.demux(stream):
                    if packet.dts is None:  # the demuxer's flush packet
                        continue
                    packet.stream = copy
                    target.mux(packet)
    except UnreadableRecording:
        raise
    except (av.FFmpegError, ValueError, IndexError) as exc:
        raise UnreadableRecording(str(exc)) from exc
    return out.getvalue()
