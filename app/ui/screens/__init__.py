"""The bench app's screens."""
