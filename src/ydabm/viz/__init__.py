"""The Solara app and the offline assets it needs (nothing in the model imports this package)."""
