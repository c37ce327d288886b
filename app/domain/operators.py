"""Who may do what."""

from __future__ import annotations

import enum


class Role(enum.StrEnum):
    PACKER = "packer"
    RECEIVER = "receiver"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"
    # An enrolled station acting for whoever is signed in at it (events name the operator).
    STATION = "station"


OPERATOR_ROLES = (Role.PACKER, Role.RECEIVER, Role.SUPERVISOR, Role.ADMIN)

# Screens a role opens at the bench.
BENCH_SCREENS: dict[Role, tuple[str, ...]] = {
    Role.PACKER: ("pack", "pick"),  # packers pick (there is no picker role)
    Role.RECEIVER: ("returns",),
    Role.SUPERVISOR: ("pack", "pick", "returns", "dashboard", "orders"),
    Role.ADMIN: ("pack", "pick", "returns", "dashboard", "settings", "orders"),
}
