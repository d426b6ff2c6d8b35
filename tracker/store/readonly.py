"""The read-only role of PostgreSQL: created by `tracker db grant-readonly`, checked before
`tracker sql` runs anything as it.

A READ ONLY transaction is not enough on PostgreSQL: a superuser (or a member of
pg_execute_server_program, pg_write_server_files, pg_signal_backend …) can run shell
commands, write server files or stop other sessions from inside one. So the console runs
only as a role that holds SELECT on the product's tables and views and nothing else, and it
checks that before the first statement (docs/security.md).
"""

from __future__ import annotations

import os

from tracker.store.exceptions import DatabaseError

DEFAULT_ROLE = "tracker_readonly"

# Predefined roles whose members can reach outside the database or other sessions.
DANGEROUS_ROLES = ("pg_execute_server_program", "pg_write_server_files", "pg_read_server_files",
                   "pg_signal_backend", "pg_write_all_data", "pg_checkpoint", "pg_monitor",
                   "pg_read_all_settings", "pg_signal_autovacuum_worker", "pg_create_subscription")

SETUP_HINT = ("create a read-only role with `tracker db grant-readonly` and point "
              "sql_database_url (TRACKER_SQL_DATABASE_URL) at it (docs/security.md)")


def write_powers(connection) -> list[str]:
    """What the connected role could do besides reading the product's tables (empty when it
    is a proper read-only role). `connection` is a psycopg connection."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolname, rolsuper, rolcreaterole, rolcreatedb, rolreplication, rolbypassrls "
                       "FROM pg_roles WHERE rolname = current_user")
        name, *flags = cursor.fetchone()
        powers = [label for label, flag in zip(("superuser", "CREATEROLE", "CREATEDB", "REPLICATION",
                                                 "BYPASSRLS"), flags) if flag]
        if flags[0]:
            return ["superuser"]  # it can do anything: the rest would only lengthen the line
        cursor.execute("SELECT rolname FROM pg_roles WHERE rolname = ANY(%s) "
                       "AND pg_has_role(current_user, oid, 'USAGE') ORDER BY rolname",
                       (list(DANGEROUS_ROLES),))
        powers += [f"member of {row[0]}" for row in cursor.fetchall()]
        cursor.execute("SELECT n.nspname || '.' || c.relname FROM pg_class c "
                       "JOIN pg_namespace n ON n.oid = c.relnamespace "
                       "WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') "
                       "AND n.nspname NOT LIKE 'pg_toast%%' AND n.nspname NOT LIKE 'pg_temp%%' "
                       "AND ((c.relkind IN ('r', 'p', 'v', 'm', 'f') AND has_table_privilege("
                       "c.oid, 'INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER')) "
                       "OR (c.relkind = 'S' AND has_sequence_privilege(c.oid, 'UPDATE')) "
                       "OR pg_has_role(c.relowner, 'USAGE')) "
                       "ORDER BY 1 LIMIT 3")
        powers += [f"can write {row[0]}" for row in cursor.fetchall()]
        cursor.execute("SELECT nspname FROM pg_namespace WHERE nspname NOT LIKE 'pg_%%' "
                       "AND nspname <> 'information_schema' AND has_schema_privilege(oid, 'CREATE') "
                       "ORDER BY 1 LIMIT 3")
        powers += [f"can create in schema {row[0]}" for row in cursor.fetchall()]
        cursor.execute("SELECT has_database_privilege(current_database(), 'CREATE'), "
                       "pg_has_role(datdba, 'USAGE') FROM pg_database WHERE datname = current_database()")
        create, owner = cursor.fetchone()
        if owner:
            powers.append("owns the database")
        elif create:
            powers.append("can create schemas")
    return powers


def refuse_writer(connection) -> None:
    """Raise DatabaseError, one line, unless the connected role can only read."""
    powers = write_powers(connection)
    if powers:
        role = connection.info.user
        raise DatabaseError(f"refused: tracker sql runs only as a read-only role on PostgreSQL, and "
                            f"{role!r} can do more than read ({', '.join(powers)}); {SETUP_HINT}")


def grant_readonly(connection, role: str = DEFAULT_ROLE, password: str | None = None) -> None:
    """Create `role` if needed (LOGIN, nothing else) and give it SELECT on every table and
    view of the schemas the product uses, now and for tables the owner creates later.
    Idempotent. `connection` is an autocommit psycopg connection as the tables' owner."""
    from psycopg import sql

    ident = sql.Identifier(role)
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = %s", (role,))
        row = cursor.fetchone()
        if row is None:
            cursor.execute(sql.SQL("CREATE ROLE {} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE "
                                   "NOREPLICATION NOBYPASSRLS NOINHERIT").format(ident))
        elif row[0]:
            raise DatabaseError(f"role {role!r} is a superuser; choose another name for the read-only role")
        if password is not None:
            cursor.execute(sql.SQL("ALTER ROLE {} PASSWORD {}").format(ident, sql.Literal(password)))
        cursor.execute("SELECT current_schema()")
        schema = sql.Identifier(cursor.fetchone()[0])
        cursor.execute(sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(
            sql.Identifier(connection.info.dbname), ident))
        cursor.execute(sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(schema, ident))
        cursor.execute(sql.SQL("GRANT SELECT ON ALL TABLES IN SCHEMA {} TO {}").format(schema, ident))
        cursor.execute(sql.SQL("ALTER DEFAULT PRIVILEGES IN SCHEMA {} GRANT SELECT ON TABLES TO {}")
                       .format(schema, ident))


def password_from_env(name: str | None) -> str | None:
    """The read-only role's password from environment variable `name` (never an argument,
    which other users could see in the process list)."""
    if not name:
        return None
    value = os.environ.get(name)
    if not value:
        raise DatabaseError(f"environment variable {name} is not set or empty")
    return value
