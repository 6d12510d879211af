"""The dashboards' slots, filled by the apps above (core/panels.py).

Each panel's context function is called with `actor=` and `scope=` (the dashboard's scoped
area, its children and their code length).
"""

from __future__ import annotations

from core.panels import Slot

# Sections after the follow-ups, visits, alerts and services of the 走访服务 page (called
# with `day=` too).
casework_sections = Slot("casework_sections")
# Sections after the needs, referrals and resources of the 需求资源 page.
needs_sections = Slot("needs_sections")
