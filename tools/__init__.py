"""Development tools: README and docs examples (`examples.py`), the schema linter."""
