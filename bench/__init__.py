"""Scale benchmarks: the office-10y data generator and the server-time runner (see README.md)."""
