"""geomeld."""
