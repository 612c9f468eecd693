"""Cells of the spreadsheets we hand out (CSV downloads, the HSDS data package): text a
spreadsheet would run as a formula is kept text."""

# Spreadsheets run cells starting with these as formulas; a leading quote keeps them text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """value as cell text, with a leading quote if a spreadsheet would read it as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text
