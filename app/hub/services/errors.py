"""Errors a hub use case raises; the API turns each into its HTTP status with the message."""

from __future__ import annotations


class HubError(Exception):
    status = 400

    def __init__(self, message: str, **details: object) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class NotFound(HubError):
    status = 404


class Conflict(HubError):
    status = 409


class Invalid(HubError):
    status = 422


class Unauthorized(HubError):
    status = 401


class Forbidden(HubError):
    status = 403
