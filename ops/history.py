"""History triggers without a subtransaction per row.

django-pghistory records every change with PostgreSQL triggers, and django-pgtrigger wraps each
trigger in a check of `pgtrigger.ignore`. Both read their settings (`pgtrigger.ignore`,
`pghistory.context_id`, `pghistory.context_metadata`) in PL/pgSQL functions that catch the error
`current_setting()` raises when a setting was never set: a `BEGIN ... EXCEPTION` block, which
opens a subtransaction on every call, twice per written row. Outside a request (commands, jobs,
raw SQL) the settings are unset, so every row also raises and rolls back that subtransaction:
`seed_demo --scale ntnu` ran for minutes, an import of 5,000 values at about 300 rows/s.

`current_setting(name, true)` returns NULL for an unset setting instead of raising, so the two
functions below do the same without an exception block. They replace the libraries' versions
after every `migrate` (the `post_migrate` signal, connected in `OpsConfig.ready`), because
pgtrigger re-creates its function with each trigger a migration installs. The triggers and
`pgtrigger.ignore()` / `pghistory.context()` work as before, for every tracked model, including
ones added later. Together with statement-level history triggers (`PGHISTORY_LEVEL` in the
settings) a bulk write costs one trigger call per statement, not two subtransactions per row.
"""

from __future__ import annotations

import contextlib
from typing import Any

import pghistory
from django.db import connection, connections
from pghistory.models import Context
from pgtrigger import features


def history_context(**metadata: Any) -> contextlib.AbstractContextManager:
    """Who and what is writing, for the history of the rows a job or command changes.

    The request's context comes from the history middleware; jobs and commands enter this.
    pghistory's context needs PostgreSQL (it prefixes statements with `set_config`); SQLite has
    no triggers, so there it does nothing.
    """
    if connection.vendor != "postgresql":
        return contextlib.nullcontext()
    return pghistory.context(**metadata)


def should_ignore_sql() -> str:
    """pgtrigger's `_pgtrigger_should_ignore(trigger_name)`: is the trigger in pgtrigger.ignore?"""
    schema = features.schema()
    name = f'"{schema}"._pgtrigger_should_ignore' if schema else "_pgtrigger_should_ignore"
    return f"""
CREATE OR REPLACE FUNCTION {name}(trigger_name NAME)
RETURNS BOOLEAN AS $$
    SELECT COALESCE(
        trigger_name = ANY(NULLIF(current_setting('pgtrigger.ignore', true), '')::TEXT[]),
        FALSE
    );
$$ LANGUAGE sql STABLE;
"""


# pghistory's `_pgh_attach_context()`: the context of the request, job or command that writes
# (`pghistory.context()`), upserted and returned. Unlike pghistory's own version, a write without
# one (raw SQL in psql, a script) still says who made it: a context per transaction with the
# database role and the client's application_name.
ATTACH_CONTEXT_SQL = """
CREATE OR REPLACE FUNCTION _pgh_attach_context()
RETURNS pghistory_context.id%TYPE AS $$
    DECLARE
        _pgh_context_id UUID :=
            NULLIF(current_setting('pghistory.context_id', true), '')::UUID;
        _pgh_context_metadata JSONB :=
            NULLIF(current_setting('pghistory.context_metadata', true), '')::JSONB;
    BEGIN
        IF _pgh_context_id IS NULL OR _pgh_context_metadata IS NULL THEN
            _pgh_context_id := md5('pghistory-transaction-' || txid_current()::TEXT)::UUID;
            _pgh_context_metadata := jsonb_build_object(
                'db_user', current_user,
                'application_name', current_setting('application_name', true)
            );
        END IF;
        INSERT INTO pghistory_context (id, metadata, created_at, updated_at)
            VALUES (_pgh_context_id, _pgh_context_metadata, NOW(), NOW())
            ON CONFLICT (id) DO UPDATE
                SET metadata = EXCLUDED.metadata,
                    updated_at = EXCLUDED.updated_at
                WHERE pghistory_context.metadata != EXCLUDED.metadata;
        RETURN _pgh_context_id;
    END;
$$ LANGUAGE plpgsql;
"""


HASH_JOIN_UPDATE_TRIGGERS_SQL = """
DO $$
DECLARE
    _function REGPROCEDURE;
BEGIN
    FOR _function IN
        SELECT oid::REGPROCEDURE FROM pg_proc
        WHERE proname LIKE 'pgtrigger_%' AND prosrc LIKE '%JOIN new_values%'
            AND NOT ('enable_nestloop=off' = ANY(COALESCE(proconfig, '{}'))
                     AND 'jit=off' = ANY(COALESCE(proconfig, '{}')))
    LOOP
        EXECUTE format('ALTER FUNCTION %s SET enable_nestloop = off', _function);
        EXECUTE format('ALTER FUNCTION %s SET jit = off', _function);
    END LOOP;
END;
$$;
"""


def install_cheap_history_functions(*, using: str) -> None:
    """Replace the two functions and hash-join the update triggers; PostgreSQL only."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return
    if Context._meta.db_table not in connection.introspection.table_names():
        return  # pghistory migrated back to zero: nothing to attach a context to
    with connection.cursor() as cursor:
        cursor.execute(should_ignore_sql())
        cursor.execute(ATTACH_CONTEXT_SQL)
        # A statement-level update trigger pairs old and new rows by joining its two transition
        # tables. The planner has no statistics for them and may pick a nested loop, comparing
        # every old row with every new one: an UPDATE of 3,000 values took 8-13 s here, 10,000
        # would take minutes. A hash join is linear at every size. Forbidding the nested loop
        # gives its plans a huge cost, past PostgreSQL's JIT threshold: every UPDATE, even of
        # one value (a grid save), then compiled the trigger's query for 0.3-0.5 s. JIT is off
        # in those functions: their queries are small or linear, nothing to compile for.
        cursor.execute(HASH_JOIN_UPDATE_TRIGGERS_SQL)


def on_post_migrate(*, using: str, **kwargs) -> None:
    install_cheap_history_functions(using=using)
