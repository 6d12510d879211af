"""Ledgers (台账) out and in: the shared machinery, kept in one place.

- `definitions`: what a ledger is (fixed, documented columns over a scoped query) and the
  registry, filled at start-up (`LedgersConfig.ready`) from each app's `ledgers.py`;
- `source`: a ledger's rows straight out of PostgreSQL with `COPY … TO STDOUT`;
- `csvfile` / `xlsx`: streaming writers whose memory does not grow with the row count;
- `exports`: services that start, run (the Celery job) and expire exports, and stream small ones;
- `importing`: reading an uploaded ledger (XLSX or CSV) row by row, for the per-row report;
- `hooks`: what the machinery asks of the apps above (areas in scope, the identity-number
  cipher, the one importer), which they provide from their ledgers.py.

The ledgers' own columns and rules live with their app; nothing here knows a household, and
nothing here imports an app above (the import contracts in pyproject.toml hold it).
"""
