"""The hub: central store, HTTP API, persistence and use cases."""
