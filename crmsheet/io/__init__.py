"""File I/O at the edges: the only modules that open spreadsheet files."""
