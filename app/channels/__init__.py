"""packbench channels."""
