"""The hub's own schedule: channel pulls and stock pushes, the channel outbox, tracking polls,
lease expiry, end-of-day manifests and capacity roll-over (see ``runner`` and ``tasks``)."""
