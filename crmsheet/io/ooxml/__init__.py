"""The Office Open XML package model the in-place writer edits (:mod:`crmsheet.io.graft`).

``xmltext`` finds elements in a part's text and edits spans of it, so that untouched bytes
stay untouched; ``package`` holds the zip's parts with their zip headers, relationships and
content types; ``workbook`` the workbook part's sheets and defined names; ``styles`` merges
one styles.xml into another without changing any existing index; ``charts`` writes out a
grafted chart's defaults and automatic colours, so it draws alike whatever saved the host.
"""
