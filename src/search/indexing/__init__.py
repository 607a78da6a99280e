"""Stage 5 — building the index folder: layout and manifest, chunks, the SQLite store, the build."""
