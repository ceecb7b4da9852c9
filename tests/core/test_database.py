"""The database is set up the way the plan says: SQLite pragmas, or PostgreSQL with UTF-8 and pg_trgm."""

from django.db import connection


def test_sqlite_pragmas_or_postgres_extensions(db):
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA foreign_keys")
            assert cursor.fetchone()[0] == 1
            cursor.execute("PRAGMA busy_timeout")
            assert cursor.fetchone()[0] >= 5000
        else:
            cursor.execute(
                "SELECT pg_encoding_to_char(encoding), datctype FROM pg_database WHERE datname = current_database()"
            )
            encoding, ctype = cursor.fetchone()
            assert encoding == "UTF8" and "UTF" in ctype.upper()
            cursor.execute("SELECT show_trgm('宁波海风')")
            assert cursor.fetchone()[0], (
                "trigrams of Chinese text are empty: the database locale is not UTF-8"
            )
