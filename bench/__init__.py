"""Benchmarks and quality scripts: ``uv run python -m bench.<name>`` from the project root."""
