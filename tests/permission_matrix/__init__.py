"""Every route × every persona × an object in and out of its scope: who gets what.

The table (`table.py`: `MATRIX`) holds one row per route and method of the URL configuration:
the kind of object its URL names, the body it is sent and, for the object in the persona's
scope, who is let through (`allow`), who sees the object but may not act (`forbid`: 403) and
what everyone else gets (`other`, 404 unless said). Out of scope is 404 for every object route,
and `out` says otherwise for routes whose scope comes in the body or the query.

Every response of every persona (a page, an error, a file, a redirect) is also searched for
the identifying text (addresses, names, phone numbers, UUIDs) of the sites outside its scope,
less what the request itself sent: none of it may come back. A user with no area reads empty
lists; a list in scope shows the persona's own site (`sees`), so an empty page cannot pass.

`test_every_route_is_in_the_matrix` walks `get_resolver()` (`walker.py`): a route (or a method
of one) added without a row in the table fails the suite, naming it; so does a row whose route
is gone.

Speed: the three sites (`world.py`) are built once for the test module inside a transaction
that is rolled back at its end; each case runs in a savepoint of it (pytest-django's `db`), so
a case that changes data leaves nothing behind for the next.
"""
