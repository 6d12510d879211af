"""The permission matrix: every route, every persona, in and out of scope."""
