"""Seeing a running server: what one request did (`facts`), its SQL (`sql`), the request log
(`logs`), Prometheus metrics (`metrics`) and, when configured, OpenTelemetry traces
(`tracing`, imported only then).

Below every other layer: db, resolvers and schema record what they know of the request in
progress into its `facts.RequestFacts`; `web.observe` makes them for each request and, once
it is answered, logs and counts them.
"""
