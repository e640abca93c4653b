"""The start page a newcomer opens at http://127.0.0.1:8000, and HTML error pages."""

from html.parser import HTMLParser

from service.workflow import CaseState


class Landmarks(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def parse(html: str) -> Landmarks:
    parser = Landmarks()
    parser.feed(html)
    return parser


def test_start_page_explains_the_service_and_shows_nothing_about_cases(client, factory):
    case = factory.case_in(CaseState.INVITED)
    page = client.get("/")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "Schriftelijk horen" in page.text  # Dutch unless the browser asks otherwise
    for state in ("screened", "invited"):
        assert f">{state}<" not in page.text, "the public page counts no cases"
    assert case.v_number not in page.text
    tags = parse(page.text).tags
    html = next(attrs for tag, attrs in tags if tag == "html")
    assert (html["lang"], html["dir"]) == ("nl", "ltr")
    assert any(tag == "main" for tag, _ in tags), "a <main> landmark for screen readers"
    assert any(tag == "a" and attrs.get("href") == "#main" for tag, attrs in tags), "skip link"
    assert any(tag == "a" and attrs.get("href") == "/sign-in" for tag, attrs in tags)


def test_browsers_get_a_readable_error_page_and_the_api_keeps_problem_json(client):
    page = client.get("/no-such-page", headers={"accept": "text/html"})
    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")
    assert "not_found" in page.text
    assert 'role="alert"' in page.text

    api = client.get("/api/v1/no-such-route", headers={"accept": "text/html"})
    assert api.status_code == 404
    assert api.headers["content-type"].startswith("application/problem+json")
