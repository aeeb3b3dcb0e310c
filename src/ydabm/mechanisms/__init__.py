"""The model's mechanisms as pure functions over arrays, one module each.

Each phase takes the state it needs and returns a typed result (a frozen dataclass); the model's
step applies it. Markets (goods, labour, migration choice) are in :mod:`ydabm.markets`.
"""
