"""packbench carriers."""
