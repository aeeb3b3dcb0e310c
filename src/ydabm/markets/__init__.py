"""Markets as pure functions over arrays: goods (Dixit-Stiglitz), labour (matching), migration (logit)."""
