"""Cross-service, integration and per-package tests."""
