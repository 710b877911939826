"""HTTP endpoints and the assets the app serves beside the GraphQL API."""
