"""Cells written for spreadsheets: every CSV Commons Map writes (the downloads, a source's
round-trip export) keeps text that a spreadsheet would run as a formula as text."""

# Spreadsheets run cells starting with these as formulas; a leading quote keeps them text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """value as a cell's text, quoted if a spreadsheet would take it for a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text
