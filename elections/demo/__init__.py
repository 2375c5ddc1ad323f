"""Demo data: the small Akmola region (``region``) and the national round (``national``)."""
