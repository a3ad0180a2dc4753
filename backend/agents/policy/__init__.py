"""The deterministic policy model: routing, slot filling, replies."""
