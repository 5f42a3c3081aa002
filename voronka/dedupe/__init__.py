"""Duplicate control: the pure matching core lives in voronka.dedupe.matching."""
