"""Reusable widgets of the bench app."""
