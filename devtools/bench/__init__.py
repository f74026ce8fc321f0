"""Benchmarks' shared helpers, synthetic-history generators and the bench_api server."""
