"""Evaluation suites: scenarios over the HTTP API; they print a table and write JSON."""
