"""The ground every feature stands on: database, config, clock, the audit chain, idempotency,
and the refusals a service raises."""
