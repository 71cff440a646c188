"""Pydantic request/response models: ``*Create`` in, ``*Update`` for PATCH, ``*Public`` out."""
