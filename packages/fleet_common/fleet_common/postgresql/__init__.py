"""Django's PostgreSQL backend with a client-side read timeout (ENGINE = "fleet_common.postgresql")."""
