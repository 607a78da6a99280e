"""Stage 4 — finding passages: embedders and their cache, vectors (FAISS), BM25, fusion, filters."""
