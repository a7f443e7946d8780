"""Replication between edges and the hub: clocks and merge rules (pure logic, no Django)."""
