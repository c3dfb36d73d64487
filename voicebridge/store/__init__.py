"""The call store: SQLite on the box, written as things happen so a crash loses nothing."""
