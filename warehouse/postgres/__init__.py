"""Publishing flrisk's published tables to a PostgreSQL server where BI tools read them: the target URL
(never a password in it), DDL derived from the data contracts, one transaction per publish (built in a
staging schema, swapped in by rename), bulk COPY, and the read-only role `flrisk_reader`."""
