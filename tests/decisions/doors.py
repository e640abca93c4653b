"""Reading a refusal off either door, so a test can say the two doors agree: the API's
problem document and the page shown again with its error summary."""

import re
from typing import Any

from tests.helpers import csrf_of

HTML = {"accept": "text/html", "accept-language": "en"}
SUMMARY_LINK = re.compile(r'href="#([\w-]+)"')


def api_refusal(response: Any) -> tuple[int, str, set[str]]:
    """Status, stable code and the fields named (the last part of each error's ``loc``)."""
    problem = response.json()
    fields = {str(e["loc"][-1]) for e in problem.get("errors", []) if e["loc"]}
    return response.status_code, problem["code"], fields


def page_refusal(response: Any) -> tuple[int, set[str]]:
    """Status and the fields the page's error summary links to."""
    summary = response.text.split('id="error-summary"', 1)[1].split("</ul>", 1)[0]
    return response.status_code, set(SUMMARY_LINK.findall(summary))


def page_post(
    client: Any, path: str, data: dict[str, Any], form_page: str, headers: dict[str, str] = HTML
) -> Any:
    """Post a page's form as a browser does: with the CSRF token of the page it is on."""
    token = csrf_of(client.get(form_page, headers=headers).text)
    return client.post(
        path, data={"csrf_token": token, **data}, headers=headers, follow_redirects=False
    )
