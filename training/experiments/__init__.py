"""One-off measurements on val behind choices written in training/README.md (never on test)."""
