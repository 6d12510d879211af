from django.urls import path

from matching.views import campaigns, inbox, needs, referrals

app_name = "matching"

_STEPS = {
    "accept": referrals.ReferralAcceptView,
    "decline": referrals.ReferralDeclineView,
    "deliver": referrals.ReferralDeliverView,
    "confirm": referrals.ReferralConfirmView,
    "close": referrals.ReferralCloseView,
    "cancel": referrals.ReferralCancelView,
}

urlpatterns = [
    path("help/", inbox.HelpRequestView.as_view(), name="help"),
    path("help/sent/", inbox.HelpSentView.as_view(), name="help_sent"),
    path("inbox/", inbox.InboxView.as_view(), name="inbox"),
    path("inbox/<uuid:need_id>/verify/", inbox.InboxVerifyView.as_view(), name="inbox_verify"),
    path("inbox/<uuid:need_id>/discard/", inbox.InboxDiscardView.as_view(), name="inbox_discard"),
    path("needs/", needs.NeedListView.as_view(), name="needs"),
    path("needs/run/", needs.MatchRunView.as_view(), name="match_run"),
    path(
        "households/<uuid:household_id>/needs/create/",
        needs.NeedCreateView.as_view(),
        name="need_create",
    ),
    path("needs/<uuid:need_id>/", needs.NeedDetailView.as_view(), name="need"),
    path("needs/<uuid:need_id>/refer/", needs.NeedReferView.as_view(), name="need_refer"),
    path("needs/<uuid:need_id>/close/", needs.NeedCloseView.as_view(), name="need_close"),
    path("referrals/", referrals.ReferralListView.as_view(), name="referrals"),
    path("referrals/<uuid:referral_id>/", referrals.ReferralDetailView.as_view(), name="referral"),
    *[
        path(f"referrals/<uuid:referral_id>/{step}/", view.as_view(), name=f"referral_{step}")
        for step, view in _STEPS.items()
    ],
    path("portal/", referrals.PortalView.as_view(), name="portal"),
    path(
        "portal/<uuid:referral_id>/phone/",
        referrals.PortalPhoneView.as_view(),
        name="portal_phone",
    ),
    path("campaigns/", campaigns.CampaignListView.as_view(), name="campaigns"),
    path("campaigns/create/", campaigns.CampaignCreateView.as_view(), name="campaign_create"),
    path("campaigns/<uuid:campaign_id>/", campaigns.CampaignDetailView.as_view(), name="campaign"),
]
