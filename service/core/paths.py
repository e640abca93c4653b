"""Where the project's files are. A module of its own, importing nothing, so a process
that needs only a path (the dossier's rendering child) does not load the settings and,
through them, pydantic and FastAPI."""

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
