"""Unit tests of crdt_core, one module per source module."""
