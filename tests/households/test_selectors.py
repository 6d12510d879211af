"""The scope rule, tested exhaustively in one place: every role × area × model."""

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from households import selectors

pytestmark = pytest.mark.django_db

SEES_HOUSEHOLD = {
    "caseworker": True,
    "teammate": True,
    "viewer": True,
    "supervisor": True,
    "admin": True,
    "outsider": False,
    "provider": False,
    "no_area": False,
}


@pytest.mark.parametrize(("persona", "sees"), SEES_HOUSEHOLD.items())
def test_household_visibility_by_persona(personas, household, persona, sees):
    actor = getattr(personas, persona)
    assert selectors.household_qs_visible_to(actor=actor).filter(pk=household.pk).exists() is sees
    assert selectors.member_qs_visible_to(actor=actor).filter(household=household).exists() is sees


@pytest.mark.parametrize(("persona", "sees"), SEES_HOUSEHOLD.items())
def test_household_get_is_404_when_invisible(personas, household, persona, sees):
    actor = getattr(personas, persona)
    if sees:
        assert selectors.household_get(actor=actor, household_id=household.uuid) == household
    else:
        with pytest.raises(Http404):
            selectors.household_get(actor=actor, household_id=household.uuid)


def test_household_get_for_edit_is_403_for_read_only_roles(personas, household):
    with pytest.raises(PermissionDenied):
        selectors.household_get_for_edit(actor=personas.viewer, household_id=household.uuid)
    assert selectors.household_get_for_edit(actor=personas.teammate, household_id=household.uuid)


def test_get_with_malformed_id_is_404(personas):
    with pytest.raises(Http404):
        selectors.household_get(actor=personas.admin, household_id="not-a-uuid")


def test_anonymous_and_inactive_users_see_nothing(personas, household):
    from django.contrib.auth.models import AnonymousUser

    assert not selectors.household_qs_visible_to(actor=AnonymousUser()).exists()
    assert not selectors.household_qs_visible_to(actor=None).exists()
    personas.caseworker.is_active = False
    assert not selectors.household_qs_visible_to(actor=personas.caseworker).exists()


def test_prefix_scope_does_not_leak_across_sibling_codes(personas, areas):
    """Community 001 (prefix …001001) must not see a grid of community 002 or 010."""
    from households.models import Area
    from tests import factories

    sibling = factories.area("320506001010", "相似社区", Area.Level.COMMUNITY, areas.street)
    home = factories.household(area=sibling, address="相似路1号")
    assert (
        not selectors.household_qs_visible_to(actor=personas.caseworker).filter(pk=home.pk).exists()
    )
    assert selectors.household_qs_visible_to(actor=personas.supervisor).filter(pk=home.pk).exists()


def test_area_list_is_the_subtree(personas, areas):
    codes = set(selectors.area_list(actor=personas.supervisor).values_list("code", flat=True))
    assert codes == {areas.street.code, areas.community.code, areas.grid.code, areas.neighbour.code}
    assert not selectors.area_list(actor=personas.no_area).exists()


def test_enrolment_visibility_follows_household(personas, household, far_household):
    from tests import factories

    mine = factories.enrolment(household=household)
    theirs = factories.enrolment(household=far_household)
    visible = set(selectors.enrolment_list(actor=personas.caseworker).values_list("pk", flat=True))
    assert mine.pk in visible and theirs.pk not in visible
    with pytest.raises(Http404):
        selectors.enrolment_get(actor=personas.caseworker, enrolment_id=theirs.uuid)
    with pytest.raises(PermissionDenied):
        selectors.enrolment_get_for_decision(actor=personas.caseworker, enrolment_id=mine.uuid)


def test_household_list_rejects_invalid_filters(personas):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        selectors.household_list(actor=personas.admin, filters={"category": "nonsense"})
