"""Reading an uploaded file with a size limit (the body limit lets uploads be larger)."""

from fastapi import UploadFile


def read_limited(file: UploadFile, limit: int) -> bytes | None:
    """The file's bytes, or None when it is larger than ``limit``."""
    data = file.file.read(limit + 1)
    return None if len(data) > limit else data
