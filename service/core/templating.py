"""Jinja2 templates from the top-level ``templates/`` folder, grouped by audience.

Templates translate with ``_("English text")`` (``render`` in ``core/web.py`` passes the
request's catalogue); ``make messages`` extracts those texts for the translators.
"""

from fastapi.templating import Jinja2Templates

from service.core.settings import PROJECT_ROOT

templates = Jinja2Templates(directory=PROJECT_ROOT / "templates")
templates.env.trim_blocks = True
templates.env.lstrip_blocks = True
