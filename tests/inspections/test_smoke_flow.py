from applications.constants import ApplicationState
from inspections.constants import InspectionState
from tests.inspections.factories import make_inspection


def test_factory_reaches_every_state(db):
    for state in InspectionState:
        inspection = make_inspection(state)
        assert inspection.state == state
    assert make_inspection("failed").application.state == ApplicationState.INSPECTION_FAILED
