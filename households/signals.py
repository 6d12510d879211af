"""Signals of the registry, for apps the registry must not know about (cases schedules)."""

from django.dispatch import Signal

# Sent after the transaction that registered households commits, with `household_ids`
# (a list of ids) and `actor`: cases gives them their tier and first follow-up at once.
households_registered = Signal()

# Sent inside the transaction that approved enrolments, with `enrolment_ids`: reviews starts
# their review clock (sets `review_due`) in the same transaction, so a receiver that fails
# undoes the approval.
enrolments_approved = Signal()
