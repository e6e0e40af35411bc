"""Tests of the Chat Service and of the redis-server process manager."""
