"""The PostgreSQL backend: asyncpg with a pool, schema in versioned plain-SQL migrations.

``migrations/NNNN_name.sql`` files are applied in order by ``newsbot db upgrade`` and at
start-up when the database is behind (``migrate.py``). The tables are shaped for the reads
newsbot makes: see the comments in ``migrations/0001_init.sql``.
"""
