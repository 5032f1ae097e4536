"""Evaluation and benchmarking: `socialpolicy eval` scores the golden sets
against thresholds; `socialpolicy bench` compares socialpolicy with a plain
LangChain RAG baseline and measures latency, memory and scale.

Kept import-light: the heavy modules (models, Chroma, LangChain) are only
imported by the functions that need them.
"""
