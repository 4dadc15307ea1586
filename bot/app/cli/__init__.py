"""`python -m bot …`: one module per command group; `main` parses and dispatches."""
