"""Jinja2 templates from the top-level ``templates/`` folder."""

from fastapi.templating import Jinja2Templates

from service.core.settings import PROJECT_ROOT

templates = Jinja2Templates(directory=PROJECT_ROOT / "templates")
