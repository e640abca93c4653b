"""Reading an uploaded file with a size limit (the body limit lets uploads be larger),
and its name made safe to store and show."""

import re
import unicodedata

from fastapi import UploadFile


def read_limited(file: UploadFile, limit: int) -> bytes | None:
    """The file's bytes, or None when it is larger than ``limit``."""
    data = file.file.read(limit + 1)
    return None if len(data) > limit else data


# Path separators, control characters (NUL; C1 controls, which is what bytes that are
# not UTF-8 become when a multipart parser falls back to Latin-1), lone surrogates, and
# the direction overrides that make "cod.exe" look like "exe.doc".
_NOT_IN_A_NAME = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\u202a-\u202e\u2066-\u2069]")


def clean_filename(name: str | None, default: str = "attachment", limit: int = 200) -> str:
    """An uploaded file's name as it may be stored and shown: the last part of a path,
    NFC, valid text without control characters, at most ``limit`` characters."""
    text = unicodedata.normalize("NFC", name or "")
    text = re.split(r"[\\/]", text)[-1]
    text = _NOT_IN_A_NAME.sub("", text).strip()[:limit].strip()
    return text if text.strip(".") else default
