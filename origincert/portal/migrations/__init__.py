"""Alembic migrations of the portal's database (run by ``db.migrate``; see env.py)."""
