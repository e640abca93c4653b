from pathlib import Path

from service.workflow import describe

ROOT = Path(__file__).resolve().parents[1]


def test_workflow_doc_matches_the_code():
    """docs/workflow.md is generated from service/workflow.py; regenerate when it changes."""
    assert (ROOT / "docs" / "workflow.md").read_text(encoding="utf-8") == describe()
