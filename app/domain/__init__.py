"""The rules of the warehouse, shared by hub and bench. Plain Python only."""
