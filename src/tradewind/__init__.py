"""Tradewind CRM."""

__version__ = "0.1.0"
