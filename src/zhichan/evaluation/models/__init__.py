"""The evaluation's tables, one module per part (imported here so Django finds them)."""
