"""packbench bench."""
