"""File formats: scenario and experiment files, their schema and reference."""
