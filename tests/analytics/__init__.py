"""Tests of the Analytics Service and of the PostgreSQL cluster manager it runs on."""
