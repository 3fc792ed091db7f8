"""Printers: one module per output format; they format, never compute."""
