"""File I/O at the edges: the only modules that open spreadsheet files or write them.

Reading: :mod:`.sniff` decides what a file is (and refuses what crmsheet cannot read), then
:mod:`.xlsxread` or :mod:`.csvread` (with :mod:`.textdecode`) turn it into :class:`.grid.Grid`
objects: cells as written, with their Excel row numbers. Writing: :mod:`.tables` is the one
xlsx writer (with :mod:`.styles` and the streamed rows of :mod:`.sheetxml`), :mod:`.problems`
writes the problem report, :mod:`.atomic` makes every write all-or-nothing, and
:mod:`.graft` (over the package model in :mod:`.ooxml`) writes crmsheet's sheets into the
user's own workbook.
"""
