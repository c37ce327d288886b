"""packbench ui."""
