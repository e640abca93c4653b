"""The PDF dossier of a case: cover, every answer with its translation and the lawyer's
corrections and additions, rendered in the background and cached by content hash."""
