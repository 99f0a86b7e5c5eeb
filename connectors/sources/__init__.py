"""One module (or small package) per source, named after it: declared spec, fetch (I/O), pure standardise."""
