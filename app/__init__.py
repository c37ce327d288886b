"""packbench: order management with a packing-station front line."""

__version__ = "0.1.0"
