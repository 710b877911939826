"""SQL for the compiled read road (see `schema.compiled` for the roads a request can take).

`shapes` are what the planner makes of a selection; `lists` the filtered lists, relations and
computed values the schema's fields name; `statement` writes shapes as one SQL expression of
nested JSON with the ordinary resolvers' visibility, filters and orderings; `answer` caches the
written statement and runs it; `summaries` writes a cooperation summary's counts; `json_sql`
holds pieces both share. PostgreSQL only; nothing here knows GraphQL.
"""
