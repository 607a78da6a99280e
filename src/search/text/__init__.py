"""Stage 1 — text utilities every later stage shares: normalisation, sentences and clauses, numbers."""
