"""Persistence: SQLAlchemy 2.0 models, the geometry column type and the engine/session factory."""
