from pathlib import Path

from service.procedure import describe

ROOT = Path(__file__).resolve().parents[1]


def test_workflow_doc_matches_the_code():
    """docs/workflow.md is generated from service/workflow.py (the rules) and the engine's
    subscribers (the side effects); regenerate when either changes."""
    published = (ROOT / "docs" / "workflow.md").read_text(encoding="utf-8")
    assert published == describe(), (
        "docs/workflow.md is stale: run python -m service.procedure > docs/workflow.md"
    )
