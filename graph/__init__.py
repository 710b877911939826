"""The cooperation network: organizations tied by agreements, alliances, programs and units.

- `graph.data`: the plain rows a network is built from (no database, no API);
- `graph.load`: reading those rows from the database, and the change counter;
- `graph.network`: the network in arrays, filtered views, neighbourhoods, shortest paths;
- `graph.analytics`: density, components, centrality, communities, bridges;
- `graph.isolation`: the networkit computations in processes apart, each with a time budget;
- `graph.alliances`: an alliance's member network;
- `graph.export`: GraphML, GEXF and Cytoscape JSON;
- `graph.cache`: the built network per process, rebuilt when the change counter moves.

Nothing here knows strawberry or HTTP; `resolvers.network` applies visibility and serves it.
"""
