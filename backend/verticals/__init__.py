"""Verticals: each one folder holding everything about one line of business (its ontology,
episodes, agents, tools, reply templates, extraction patterns and demo data)."""
