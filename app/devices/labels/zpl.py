"""Moved to ``app.printing.zpl``; kept for importers."""

from app.printing.zpl import NeedsUnicodeFont, escape_field, needs_unicode_font, render_zpl, scale_bitmap

__all__ = ["NeedsUnicodeFont", "escape_field", "needs_unicode_font", "render_zpl", "scale_bitmap"]
