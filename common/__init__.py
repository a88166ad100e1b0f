"""Shared pieces used by every stage: settings, errors and text normalisation."""
