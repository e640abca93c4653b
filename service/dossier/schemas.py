import uuid
from datetime import datetime
from typing import Literal

from fastapi.responses import Response
from pydantic import BaseModel, Field


class DossierStatusOut(BaseModel):
    case_id: uuid.UUID
    audience: Literal["staff", "lawyer"] = Field(
        description="Whose copy: staff (complete) or the lawyer's"
    )
    status: Literal["ready", "being_prepared"]
    content_hash: str = Field(description="SHA-256 of what the dossier shows now")
    rendered_at: datetime | None
    download: str | None = Field(description="Where to fetch the PDF once ready")


def pdf_download(pdf: bytes, name: str) -> Response:
    """The dossier's PDF as a download, the same through either door."""
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    return Response(pdf, media_type="application/pdf", headers=headers)
