from cases.models import Status
from tests.factories import make_case


def test_case_created_gets_reference_and_journal(tenant_a):
    case = make_case(tenant_a.administration)
    assert case.reference.startswith("CAF69-")
    assert case.status == Status.NEW
    assert case.events.count() == 1
