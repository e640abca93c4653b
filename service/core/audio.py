"""Audio through PyAV (FFmpeg): read an upload, count its real duration, remux it to
Ogg Opus without re-encoding, and encode speech (a placeholder prompt) to Ogg Opus.

Shared by the question prompts (``questionnaires.prompts``) and the kiosk's spoken
answers. Chromium's MediaRecorder writes ``audio/webm;codecs=opus`` without a duration
or an index, so a duration is never taken from the container: every packet is decoded
and the samples are counted. Anything FFmpeg cannot read as Opus audio, or that stops
mid-stream, is refused with :class:`InvalidAudio` (422, a message for the person who
uploaded it).
"""

import hashlib
import io
from dataclasses import dataclass
from fractions import Fraction

import av
import av.error

from service.core.errors import DomainError
from service.core.i18n import N_

OPUS = "opus"
OGG_MEDIA_TYPE = "audio/ogg"
OPUS_RATE = 48000  # Opus always runs at 48 kHz inside
# Above this an upload is refused before it is parsed (a long answer is ~1 MB per 10 min).
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
# AVFMT_FLAG_BITEXACT: the Ogg muxer then numbers its stream 0, not at random.
BITEXACT: int = av.container.Flags.bitexact.value  # type: ignore[assignment]


class InvalidAudio(DomainError):
    status = 422
    code = "invalid_audio"


@dataclass(frozen=True)
class AudioInfo:
    container: str  # "ogg", "matroska,webm"
    codec: str  # "opus"
    duration: float  # seconds, from the decoded samples
    sample_rate: int
    channels: int


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _refuse(detail: str) -> InvalidAudio:
    return InvalidAudio(detail, field="audio")


def _open(data: bytes) -> av.container.InputContainer:
    if not data:
        raise _refuse(N_("The recording is empty. Record it again."))
    if len(data) > MAX_UPLOAD_BYTES:
        raise _refuse(N_("The recording is too large."))
    try:
        return av.open(io.BytesIO(data), mode="r")
    except (av.error.FFmpegError, ValueError) as exc:
        raise _refuse(N_("This file is not a sound recording.")) from exc


def probe(data: bytes, *, expected_seconds: float | None = None) -> AudioInfo:
    """Decode every packet of ``data``: its container, codec and real duration.

    Refuses a file that is not audio, holds no Opus stream, cannot be decoded to the
    end, holds no sound at all, is an Ogg stream without its last page, or lasts less
    than ``expected_seconds`` (what the recording browser measured) - a cut-off upload.
    """
    with _open(data) as container:
        if not container.streams.audio:
            raise _refuse(N_("This file is not a sound recording."))
        stream = container.streams.audio[0]
        if stream.codec_context.name != OPUS:
            raise _refuse(N_("The recording is not in the Opus format."))
        samples = 0
        rate = stream.codec_context.sample_rate or OPUS_RATE
        try:
            for frame in container.decode(stream):
                samples += frame.samples
                rate = frame.sample_rate or rate
        except (av.error.FFmpegError, ValueError) as exc:
            raise _refuse(N_("The recording is incomplete or damaged. Record it again.")) from exc
        if samples == 0:
            raise _refuse(N_("The recording holds no sound. Record it again."))
        if container.format.name == "ogg" and not _ogg_ends(data):
            raise _refuse(N_("The recording is incomplete or damaged. Record it again."))
        duration = samples / rate
        if expected_seconds is not None and duration < expected_seconds - _slack(expected_seconds):
            raise _refuse(N_("The recording is incomplete or damaged. Record it again."))
        return AudioInfo(
            container=container.format.name,
            codec=stream.codec_context.name,
            duration=duration,
            sample_rate=rate,
            channels=stream.codec_context.channels,
        )


def _slack(seconds: float) -> float:
    """How much shorter than the browser's timer a whole recording may decode: the
    timer runs from the click, the encoder starts a little later."""
    return max(0.5, seconds * 0.1)


def _ogg_ends(data: bytes) -> bool:
    """Whether every Ogg page is whole and the last one carries the end-of-stream flag
    (RFC 3533): a file cut anywhere fails one or the other."""
    at, flags = 0, 0
    while at < len(data):
        if data[at : at + 4] != b"OggS" or len(data) < at + 27:
            return False
        segments = data[at + 26]
        table = data[at + 27 : at + 27 + segments]
        if len(table) < segments:
            return False
        flags = data[at + 5]
        at += 27 + segments + sum(table)
    return at == len(data) and bool(flags & 0x04)


def check_sha256(data: bytes, claimed: str) -> None:
    """Refuse an upload whose bytes are not the ones the browser hashed (cut off on the way)."""
    if sha256(data) != claimed.strip().lower():
        raise _refuse(N_("The recording did not arrive complete. Send it again."))


def remux_to_ogg(data: bytes) -> bytes:
    """The Opus packets of ``data`` (WebM from a browser, or Ogg) in an Ogg container,
    not re-encoded: the recording stays as it was heard. Checked with :func:`probe`."""
    return opus_in_ogg(data)[1]


def opus_in_ogg(data: bytes, *, expected_seconds: float | None = None) -> tuple[AudioInfo, bytes]:
    """:func:`probe` and :func:`remux_to_ogg` in one: what was checked, and the Ogg file."""
    info = probe(data, expected_seconds=expected_seconds)
    out = io.BytesIO()
    with _open(data) as source, av.open(out, mode="w", format="ogg") as target:
        target.flags |= BITEXACT  # a fixed stream serial number
        stream = source.streams.audio[0]
        copied = target.add_stream_from_template(stream)
        for packet in source.demux(stream):
            if packet.dts is None:  # the demuxer's flush packet
                continue
            packet.stream = copied
            target.mux(packet)
    return info, out.getvalue()


def encode_ogg_opus(data: bytes, *, bitrate: int = 16000) -> bytes:
    """Encode speech (a WAV from espeak-ng, say) to mono Ogg Opus, reproducibly: the same
    input and the same FFmpeg give the same bytes (no random serial, no version tag)."""
    out = io.BytesIO()
    with _open(data) as source, av.open(out, mode="w", format="ogg") as target:
        target.flags |= BITEXACT
        encoder = target.add_stream("libopus", rate=OPUS_RATE, layout="mono")
        encoder.bit_rate = bitrate
        encoder.codec_context.flags |= av.codec.context.Flags.bitexact  # no version tag
        encoder.codec_context.options = {"application": "voip"}
        resampler = av.AudioResampler(format="s16", layout="mono", rate=OPUS_RATE)
        encoder.codec_context.time_base = Fraction(1, OPUS_RATE)
        for frame in source.decode(audio=0):
            for resampled in resampler.resample(frame):
                target.mux(encoder.encode(resampled))
        for resampled in resampler.resample(None):
            target.mux(encoder.encode(resampled))
        target.mux(encoder.encode(None))
    return out.getvalue()


__all__ = [
    "MAX_UPLOAD_BYTES",
    "AudioInfo",
    "InvalidAudio",
    "check_sha256",
    "encode_ogg_opus",
    "probe",
    "remux_to_ogg",
    "sha256",
]
