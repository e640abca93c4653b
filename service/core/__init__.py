"""Cross-cutting plumbing: settings, database, errors, jobs, time."""
