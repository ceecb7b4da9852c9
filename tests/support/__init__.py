"""Real protocol servers on loopback for tests: SMTP (aiosmtpd) and a small IMAP4rev1 server."""
