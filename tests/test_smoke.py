from service.models import Role
from service.workflow import CaseState


def test_factory_reaches_every_happy_state(factory):
    for state in [CaseState.DECIDED_ON_FORM]:
        case = factory.case_in(state)
        assert case.state == state


def test_kansarm_to_physical(factory):
    case = factory.case_in(CaseState.PHYSICAL_HEARING_REQUIRED, nationality="IR", languages=["fa"])
    assert case.track == "preparatory"


def test_me(client, factory):
    p = factory.person(Role.PLANNER)
    r = client.get("/api/v1/me", headers=p.headers)
    assert r.status_code == 200, r.text
