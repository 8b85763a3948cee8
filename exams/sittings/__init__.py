"""Sittings of the written exam: booking, pre-drawn papers, accommodations and invigilation."""
