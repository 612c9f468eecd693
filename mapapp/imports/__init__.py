"""Imports: the lists groups already keep, taken in through a reviewed, repeatable pipeline.

formats reads an uploaded file into a Table (columns and rows of text, plus a geometry where
the format has one); the pipeline maps its columns to entry fields, places each row, compares
it with what earlier imports of the same source wrote (a dry run that writes nothing), and
applies the reviewed plan through the entry services in one transaction.
"""
