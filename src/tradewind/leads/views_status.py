"""Lead status pages."""
