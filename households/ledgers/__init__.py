"""The registry's ledgers (台账): households, members and enrolments, out and in.

Out: each ledger is one scoped, filtered query (the list's own selector and FilterSet) whose
fixed columns are documented in its module (`household`, `member`, `enrolment`) and in the
downloadable template; `history` rebuilds them as of a past day, and `common` holds what
they (and the case-work ledgers) share. In: the household and member ledger's columns for
import live in households/ledger_import/. `hooks` provides what the ledger machinery asks of
the registry: areas in scope, the identity-number cipher, and that import.

Month close ("as of" a date): the registry is tracked by django-pghistory, so a ledger as of
day D is rebuilt from the last history event of each row before the end of D. The rows and
their values are the same whenever it is produced again, because events are only appended.
We chose history over snapshot tables at month close because it needs no job to have run
on the night, works for any past date, and honours the same scope rule (on the area code the
household had then). Its limits, by design: names of areas and workers are today's; which
members an enrolment covers is today's (it is set when the enrolment is applied for and no
service changes it); a full identity number is decrypted only when the member still holds
the number the event recorded (otherwise the recorded mask is shown).

Before go-live: a household whose history begins after day D (loaded or imported later) has
no event to read for D. Its first transaction then stands for it, and it is on D's ledgers
(with its members and enrolments) when it was registered before D or has an enrolment that
had started by D; the enrolments count on D by their own start and end dates. Such rows say
so in the column 按自身日期推定. A household tracked before D is read from history alone, so
what the history knows is never overridden and a month close stays reproducible.

"Active on day D" is one rule for ledgers and the dashboard (`enrolment_active_on`): an
enrolment approved (or since ended) whose start_date ≤ D ≤ end_date (an open end runs on);
ending sets end_date, so an enrolment ended yesterday is not active today but still counts
on the days it covered; a suspended one counts up to the day before its suspension.
"""

from __future__ import annotations

from households.ledgers import hooks
from households.ledgers.common import enrolment_active_on, household_columns, household_exprs
from households.ledgers.enrolment import ENROLMENT_COLUMNS
from households.ledgers.household import HOUSEHOLD_COLUMNS
from households.ledgers.member import MEMBER_COLUMNS, MemberLedgerFilter

__all__ = [
    "ENROLMENT_COLUMNS",
    "HOUSEHOLD_COLUMNS",
    "MEMBER_COLUMNS",
    "MemberLedgerFilter",
    "enrolment_active_on",
    "hooks",
    "household_columns",
    "household_exprs",
]
