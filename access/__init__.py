"""Who may do what, and which rows they read: the rules every app above `core` shares.

- `access.roles`: the `Role` a user holds.
- `access.capabilities`: one table of what kind of act each role may do (`can(actor, Can.X)`).
- `access.scope`: which rows an actor reads (`scoped`, `covers`) and the area-code filters
  and LIKE patterns that every other module uses instead of writing its own.

A plain package, not a Django app: it has no models, URLs, templates or migrations, only
rules. Every domain app imports it, so it imports nothing of ours but `core` and knows the
actor only by its attributes (`role`, `area.prefix`, `area.level`, `is_active`…). The one
rule that needs another app's rows (a follow-up lent to a worker of another community) is
registered by that app: see `access.scope.register_lender`.
"""
