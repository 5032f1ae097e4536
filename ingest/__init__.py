"""Ingest: turn the documents in knowledge/ into passages and write the store."""
