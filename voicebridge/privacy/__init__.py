"""Data protection: retention and purge, subject export and erasure, redaction, the audit log, recordings, backups."""
