"""The HTTP layer: the Starlette endpoints (GraphQL, CSV reports, network exports, health, the
GraphiQL page and its assets) and their plumbing (request checks, the body limit, the error
contract, admission of a caller).

It sits above `schema/` and `resolvers/`: it may import both, and nothing below it imports
it; `app.py` wires its routes and middleware into the application.
"""
