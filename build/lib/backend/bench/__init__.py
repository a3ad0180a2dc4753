"""Benchmark commands: they print a table and write JSON; they never assert."""
