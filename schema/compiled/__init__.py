"""The compiled read road: GraphQL reads answered by one SQL statement that builds their JSON.

A request can take one of four roads:

1. **The fast lane** (`fast_lane`), before strawberry's view: a POSTed query this worker has
   already answered wholly on the compiled road is planned from its text and answered from one
   statement, with no graphql-core execution at all (admission, limits and input checks are
   repeated as strawberry's extensions would). Anything it is unsure of falls to road 2 or 3.
2. **Compiled root fields inside strawberry's execution** (`execution.FastExecutionContext`):
   each root field whose whole selection the planner (`planner`) accepts is answered by one
   statement for all of them (`resolvers.compiled.answer`), passed through as PostgreSQL's JSON.
3. **The ordinary graphql-core road**: every other root field, resolver by resolver through
   dataloaders; `execution` still reads plain attributes and scalars without graphql-core's
   per-field machinery. Mutations, subscriptions and fields not compiled always go here.
4. **SQLite** always takes the ordinary road (no base64 in SQL for global IDs), as does
   PostgreSQL with `compiled_reads` off; tests compare roads 1-2 with 3 byte for byte.

What a field reads in SQL is said at the field (`declare`): plain columns are inferred, computed
values, references and child lists are declared. tests/schema/test_compiled_fields.py fails for any
field that is neither compiled nor on its commented list of fields that take the ordinary road.
"""
