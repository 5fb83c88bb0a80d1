"""Evals: cases (articles + gold.yaml), suites, and deterministic scorers over the stages' JSON."""
