"""Benchmarks: measured throughput of pipeline stages on synthetic data."""
