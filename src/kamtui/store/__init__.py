"""The SQLite store: SQLModel tables, the engine, transactions and migrations."""
