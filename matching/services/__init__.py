"""Writes of needs, referrals, batch runs and campaigns: one module each, re-exported here."""

from matching.services.batch import match_run
from matching.services.campaigns import campaign_run, campaign_targets
from matching.services.needs import (
    help_request_submit,
    need_close,
    need_create,
    need_discard,
    need_verify,
)
from matching.services.referrals import (
    referral_accept,
    referral_cancel,
    referral_close,
    referral_confirm,
    referral_decline,
    referral_deliver,
    referral_phone_reveal,
    referral_propose,
)

__all__ = [
    "campaign_run",
    "campaign_targets",
    "help_request_submit",
    "match_run",
    "need_close",
    "need_create",
    "need_discard",
    "need_verify",
    "referral_accept",
    "referral_cancel",
    "referral_close",
    "referral_confirm",
    "referral_decline",
    "referral_deliver",
    "referral_phone_reveal",
    "referral_propose",
]
