"""Reads of needs, referrals and campaigns. Each starts from a `*_qs_visible_to` scoping root.

Workers, street staff, the district and auditors see needs and referrals of the households
in their area (and self-requests sent to a community in it). A provider's user sees only the
referrals addressed to its provider, and through `portal_view` only what delivery needs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, Q, QuerySet

from access.capabilities import Can, can
from access.scope import scope_prefix, within
from cases.models import FollowUp
from core.masking import mask_phone
from core.selectors import filtered as _filtered
from core.selectors import get_by_uuid as _get
from households.models import Area
from matching.filters import NeedFilter, ReferralFilter
from matching.models import Campaign, Need, Referral
from resources.selectors import provider_id_of

if TYPE_CHECKING:
    import datetime as dt

    from django.contrib.auth.models import AnonymousUser

    from households.models import Household, User

    Actor = User | AnonymousUser | None


# ---- needs -----------------------------------------------------------------------------


def need_qs_visible_to(*, actor: Actor) -> QuerySet[Need]:
    """Needs of households in the actor's area, and self-requests sent to a community in it.

    Providers read no needs: they see a referral's delivery details through `portal_view`.
    """
    prefix = scope_prefix(actor)
    if prefix is None or not can(actor, Can.VIEW_NEEDS):
        return Need.objects.none()
    return Need.objects.filter(
        within("household__area_code", prefix)
        | (Q(household__isnull=True) & within("area_code", prefix))
    )


def need_list(*, actor: Actor, filters: dict[str, Any] | None = None) -> QuerySet[Need]:
    qs = need_qs_visible_to(actor=actor).select_related(
        "household__head", "household__area", "member", "area"
    )
    return _filtered(NeedFilter, qs, filters).order_by("-id")


def need_get(*, actor: Actor, need_id: UUID | str) -> Need:
    qs = need_qs_visible_to(actor=actor).select_related(
        "household__head", "household__area__parent", "member", "area", "created_by"
    )
    return _get(qs, need_id)


def need_get_for_work(*, actor: Actor, need_id: UUID | str) -> Need:
    """A visible need the actor may work on: 404 when invisible, 403 when read-only."""
    need = need_get(actor=actor, need_id=need_id)
    if not can(actor, Can.WORK_NEEDS):
        raise PermissionDenied
    return need


def inbox_list(*, actor: Actor) -> QuerySet[Need]:
    """Self-requests (一键求助) waiting for a worker of their community to verify them."""
    return (
        need_qs_visible_to(actor=actor)
        .filter(status=Need.Status.UNVERIFIED, household__isnull=True)
        .select_related("area")
        .order_by("-urgency", "id")
    )


def need_referrals(*, need: Need) -> QuerySet[Referral]:
    """Every referral of the need, newest first: found by its household (indexed with the
    status), since referrals have no index on the need alone (a need without a household
    has none)."""
    return (
        Referral.objects.filter(household_id=need.household_id, need=need)
        .select_related(
            "resource", "provider", "proposed_by", "decided_by", "delivered_by", "confirmed_by"
        )
        .order_by("-id")
    )


def household_needs(*, actor: Actor, household: Household) -> list[Need]:
    """The household page's panel: its needs, newest first, each with its referrals."""
    # Only the columns the panel shows (templates/matching/household_needs.html): whole rows
    # of the resource, the provider and the member cost more to select and build than the
    # page's own text.
    referrals = (
        Referral.objects.filter(household=household)  # by its index: none on the need
        .select_related("resource", "provider")
        .only("uuid", "need_id", "status", "delivered_on", "resource__name", "provider__name")
        .order_by("-id")
    )
    return list(
        need_qs_visible_to(actor=actor)
        .filter(household=household)
        .select_related("member")
        .only(
            "uuid",
            "household_id",
            "type",
            "subtype",
            "status",
            "urgency",
            "description",
            "member__name",
        )
        .prefetch_related(Prefetch("referrals", queryset=referrals))
        .order_by("-id")[:50]
    )


def households_in_scope_with_phone(*, actor: Actor, phone: str) -> QuerySet:
    """Households the actor may see whose own or a member's phone is `phone` (inbox help)."""
    from households.selectors import household_qs_visible_to

    digits = "".join(ch for ch in phone if ch.isdigit())
    if not digits:
        return household_qs_visible_to(actor=actor).none()
    forms = sorted({phone.strip(), digits})
    return (
        household_qs_visible_to(actor=actor)
        .filter(Q(phone__in=forms) | Q(members__phone__in=forms))
        .select_related("head", "area")
        .distinct()
        .order_by("id")[:10]
    )


def help_communities() -> QuerySet[Area]:
    """Communities the public help form offers. Their names are public (they are on every
    door); nothing else about them is shown."""
    return Area.objects.filter(level=Area.Level.COMMUNITY).select_related("parent").order_by("code")


# ---- referrals -------------------------------------------------------------------------


def referral_qs_visible_to(*, actor: Actor) -> QuerySet[Referral]:
    """A provider's user: the referrals addressed to its provider, wherever the household.
    Everyone else who reads needs: the referrals of households in their area.
    """
    if can(actor, Can.ACT_FOR_PROVIDER):
        provider_id = provider_id_of(actor)
        if provider_id is None:
            return Referral.objects.none()
        return Referral.objects.filter(provider_id=provider_id)
    prefix = scope_prefix(actor)
    if prefix is None or not can(actor, Can.VIEW_NEEDS):
        return Referral.objects.none()
    return Referral.objects.filter(within("household__area_code", prefix))


_REFERRAL_RELATED = (
    "need",
    "resource",
    "provider",
    "household__head",
    "proposed_by",
    "decided_by",
    "delivered_by",
    "confirmed_by",
)


def referral_list(*, actor: Actor, filters: dict[str, Any] | None = None) -> QuerySet[Referral]:
    qs = referral_qs_visible_to(actor=actor).select_related(*_REFERRAL_RELATED, "need__member")
    return _filtered(ReferralFilter, qs, filters).order_by("-id")


def referral_get(*, actor: Actor, referral_id: UUID | str) -> Referral:
    qs = referral_qs_visible_to(actor=actor).select_related(*_REFERRAL_RELATED, "need__member")
    return _get(qs, referral_id)


def referral_get_for_work(*, actor: Actor, referral_id: UUID | str) -> Referral:
    """A referral a worker acts on (confirm, close, withdraw): 403 for auditors and providers."""
    referral = referral_get(actor=actor, referral_id=referral_id)
    if not can(actor, Can.WORK_NEEDS):
        raise PermissionDenied
    return referral


def referral_get_for_provider_step(*, actor: Actor, referral_id: UUID | str) -> Referral:
    """A referral whose provider steps (accept, decline, deliver) the actor may record: its
    provider's own user, or a worker recording them on the provider's behalf."""
    referral = referral_get(actor=actor, referral_id=referral_id)
    if not (can(actor, Can.ACT_FOR_PROVIDER) or can(actor, Can.WORK_NEEDS)):
        raise PermissionDenied
    return referral


def referrals_awaiting_confirmation(*, household: Household) -> QuerySet[Referral]:
    """Delivered referrals of a household whose confirmation is due at its next follow-up."""
    return (
        household.referrals.filter(status=Referral.Status.DELIVERED)
        .select_related("resource", "provider", "need")
        .order_by("delivered_at")
    )


def referral_visit_choices(*, referral: Referral) -> QuerySet | None:
    """The household's ten latest visits (cases.Visit) since the delivery, to tie a
    confirmation to; None when cases is not installed. A visit before the delivery (the one
    that found the need, say) cannot be its follow-up. Filtered by id rather than sliced: a
    form's choice field looks the chosen visit up in this queryset, and a sliced queryset
    cannot be filtered."""
    visits = getattr(referral.household, "visits", None)
    if visits is None:
        return None
    if referral.delivered_on:
        visits = visits.filter(visit_date__gte=referral.delivered_on)
    latest = list(visits.order_by("-visited_at", "-id").values_list("id", flat=True)[:10])
    return visits.filter(id__in=latest).order_by("-visited_at", "-id")


# ---- the provider portal ---------------------------------------------------------------


@dataclass(frozen=True)
class PortalReferral:
    """What a provider is shown of a referral: the least personal data delivery needs."""

    uuid: UUID
    status: str
    status_label: str
    resource: str
    unit: str
    need: str
    need_text: str
    need_quantity: int
    quantity: int
    note: str
    name: str
    phone_masked: str
    address: str
    proposed_at: dt.datetime | None
    decided_at: dt.datetime | None
    decline_reason: str
    delivered_on: dt.date | None
    delivered_quantity: int | None
    delivery_note: str

    @property
    def can_decide(self) -> bool:
        return self.status == Referral.Status.PROPOSED

    @property
    def can_deliver(self) -> bool:
        return self.status == Referral.Status.ACCEPTED

    @property
    def can_call(self) -> bool:
        """The full phone is the provider's to see while it is delivering (accepted)."""
        return self.status == Referral.Status.ACCEPTED and bool(self.phone_masked)


def referral_contact_phone(referral: Referral) -> str:
    """The number a provider calls: the member's the need is for, else the household's, else
    its head's."""
    need, household = referral.need, referral.household
    phone = (need.member.phone if need.member else "") or household.phone
    if not phone and household.head is not None:
        phone = household.head.phone
    return phone


def portal_view(referral: Referral) -> PortalReferral:
    need, household = referral.need, referral.household
    person = need.member or household.head
    phone = referral_contact_phone(referral)
    return PortalReferral(
        uuid=referral.uuid,
        status=referral.status,
        status_label=referral.get_status_display(),
        resource=referral.resource.name,
        unit=referral.resource.unit,
        need=need.get_subtype_display(),
        need_text=need.description,
        need_quantity=need.quantity,
        quantity=referral.quantity,
        note=referral.note,
        name=person.name if person is not None else "",
        phone_masked=mask_phone(phone),
        address=household.address,
        proposed_at=referral.proposed_at,
        decided_at=referral.decided_at,
        decline_reason=referral.decline_reason,
        delivered_on=referral.delivered_on,
        delivered_quantity=referral.delivered_quantity,
        delivery_note=referral.delivery_note,
    )


def portal_referrals(*, actor: Actor, status: str | None = None) -> QuerySet[Referral]:
    """A provider's referrals, open ones first; only for provider-role users."""
    if not can(actor, Can.ACT_FOR_PROVIDER):
        return Referral.objects.none()
    qs = referral_qs_visible_to(actor=actor).select_related(
        "resource", "need__member", "household__head"
    )
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-id")


def portal_referral_for_call(*, actor: Actor, referral_id: UUID | str) -> Referral:
    """A referral of the provider's own whose household it may call: accepted and not yet
    delivered. Any other is not found, as is another provider's."""
    if not can(actor, Can.ACT_FOR_PROVIDER):
        raise PermissionDenied
    qs = portal_referrals(actor=actor).filter(status=Referral.Status.ACCEPTED)
    return _get(qs, referral_id)


# ---- campaigns -------------------------------------------------------------------------


def campaign_qs_visible_to(*, actor: Actor) -> QuerySet[Campaign]:
    prefix = scope_prefix(actor)
    if prefix is None or not can(actor, Can.VIEW_NEEDS):
        return Campaign.objects.none()
    return Campaign.objects.filter(within("area__prefix", prefix))


def campaign_list(*, actor: Actor) -> QuerySet[Campaign]:
    return (
        campaign_qs_visible_to(actor=actor)
        .select_related("resource", "area", "created_by")
        .order_by("-id")
    )


def campaign_get(*, actor: Actor, campaign_id: UUID | str) -> Campaign:
    qs = campaign_qs_visible_to(actor=actor).select_related("resource", "area", "created_by")
    return _get(qs, campaign_id)


# ---- the household page's panel -------------------------------------------------------


def household_need_panel(*, actor: Actor, household: Household) -> dict[str, Any]:
    """Context of the needs panel on the household page (templates/matching/household_needs).

    Delivered referrals wait for the worker's confirmation (待回访确认) at the household's
    next follow-up, whose due date comes from cases.
    """
    needs = household_needs(actor=actor, household=household)
    awaiting = [r for need in needs for r in need.referrals.all() if r.awaits_confirmation]
    return {
        "needs": needs,
        "awaiting": awaiting,
        "next_followup": household_next_followup(household=household) if awaiting else None,
        "can_work": can(actor, Can.WORK_NEEDS),
    }


def household_next_followup(*, household: Household) -> dt.date | None:
    """The due date of the household's open follow-up (cases keeps one per household)."""
    return (
        FollowUp.objects.filter(household=household, status=FollowUp.Status.OPEN)
        .order_by("due")
        .values_list("due", flat=True)
        .first()
    )
