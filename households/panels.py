"""The household page's and the household file's slots, filled by the apps above.

Case work, needs and reviews register their panels here in their `AppConfig.ready()`
(core/panels.py), so households/ shows them without importing them. Each panel's context
function is called with `actor=` and `household=`.
"""

from __future__ import annotations

from core.panels import Slot

# Lines of the facts list at the top of the household page (<dt>/<dd> pairs).
household_facts = Slot("household_facts")
# Sections below the household's enrolments on its page.
household_sections = Slot("household_sections")
# Sections of the printed household file (家庭档案), after its enrolments.
household_file_sections = Slot("household_file_sections")
