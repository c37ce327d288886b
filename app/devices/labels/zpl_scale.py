"""Moved to ``app.printing.rescale``; kept for importers."""

from app.printing.rescale import fit_zpl, rescale_zpl

__all__ = ["fit_zpl", "rescale_zpl"]
