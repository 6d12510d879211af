"""Pages of 一门受理, by who uses them: the window and the street (window.py), the district's
lists (lists.py), 公示 (notices.py), the department's portal and the public lookup
(public.py)."""
