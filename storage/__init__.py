"""Persistence: SQLAlchemy models, Alembic migrations and repository functions.

This package is the only place that talks SQL. It runs in both Python environments, so it
sticks to SQLAlchemy 1.4's 2.0-style API (`future=True`).
"""
