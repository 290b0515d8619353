"""Single-topic helpers that import no app of this project."""
