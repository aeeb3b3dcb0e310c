"""Validation of the model against theory and stylised facts."""
