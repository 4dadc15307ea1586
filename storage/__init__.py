"""Persistence: SQLAlchemy models, repositories, the FSM storage and Alembic migrations."""
