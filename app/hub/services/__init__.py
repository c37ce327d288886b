"""Hub use cases: plain functions over a SQLAlchemy session, raising HubError subclasses."""
