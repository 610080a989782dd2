"""The daily digest: when it is due (schedule), what it holds (build), its life cycle (service)."""
