"""The domain model: aggregates, their events and the rules they enforce.

Imports nothing from infrastructure, SQLAlchemy, FastAPI or orjson.
"""
