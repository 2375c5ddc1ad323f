"""The audit trail as the public and the operators reach it: its head and events over HTTP, and
the checks of ``audit verify`` that read the protocols and results the chain vouches for."""
