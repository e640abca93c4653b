"""The screening doors declare who may pass in eligibility/access.py, not in the routes."""

import ast

from service.core.settings import PROJECT_ROOT
from service.eligibility import access


def test_role_tuples_live_in_access_not_in_the_doors():
    for door in ("api.py", "pages.py"):
        tree = ast.parse((PROJECT_ROOT / "service/eligibility" / door).read_text())
        roles = [
            ast.unparse(node)
            for node in ast.walk(tree)
            if isinstance(node, ast.Attribute) and ast.unparse(node.value) == "Role"
        ]
        assert roles == [], f"{door} names roles itself: {roles}"
    assert set(access.SCREENERS) == {"planner", "admin"}
