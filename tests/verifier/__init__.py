"""Tests of origincert.verifier (a package, so its conftest and helpers have their own names)."""
