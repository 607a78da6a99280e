"""Stage 2 — from files to articles: cleaning web pages, the gazetteer, metadata, the corpus folder."""
