"""Corpus ingestion: files to cleaned articles with exact sentence offsets, duplicates and derivatives marked."""

from agent.ingest.pipeline import DEFAULT_MAX_BYTES, IngestReport, expand_paths, ingest_paths, parse_file, parse_path

__all__ = ["DEFAULT_MAX_BYTES", "IngestReport", "expand_paths", "ingest_paths", "parse_file", "parse_path"]
