"""Agents: workers and firms as vectorised sets (numpy columns), city governments as Mesa agents."""
