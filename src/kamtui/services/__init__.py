"""Use-cases that combine the store and the domain: what the UI and the CLI call."""
