from tests.hub.conftest import hub, hub_url, pg_migrated, sqlite_template  # noqa: F401  (hub fixtures)
