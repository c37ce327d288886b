"""packbench devices."""
