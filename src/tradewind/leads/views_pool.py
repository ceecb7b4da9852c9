"""Lead pool pages."""
