"""Stage 3 — what the articles say in figures: money, counts and their purposes; named initiatives."""
