"""The built network, kept per process and reused while the database says nothing changed.

Every write transaction raises the change counter (the sum of `network_change`'s rows, see
`db.network_counter` and `resolvers.network_changes.note_change`) before it commits. A request
for the network reads the counter (one select of 16 rows) and reuses the process's network
only if it was built at that same value; otherwise it reloads the rows and rebuilds. So a write
committed on any worker is seen by network queries on every worker from the next request on,
and workers share nothing but the database.

Views (the network through a filter and a viewer's visible agreements) are kept in a small LRU
per network; they are dropped with it. Building runs in a worker thread so the event loop keeps
serving other requests.
"""

import asyncio
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from weakref import WeakKeyDictionary

from sqlalchemy.engine import Engine
from sqlalchemy.ext.asyncio import AsyncEngine

from graph.data import NetworkData
from graph.load import load_network, read_change
from graph.network import Filter, Network, View

__all__ = ["NetworkCache", "cache_for"]

Loader = Callable[[AsyncEngine], Awaitable[tuple[int, NetworkData]]]
ViewKey = tuple[Filter, frozenset[int] | None]


class NetworkCache:
    def __init__(self, *, loader: Loader = load_network, views: int = 32) -> None:
        self._loader = loader
        self._max_views = views
        self._change: int | None = None
        self._network: Network | None = None
        self._views: OrderedDict[ViewKey, View] = OrderedDict()
        self._lock = asyncio.Lock()
        self.builds = 0
        """How many times the network was built (for tests and the benchmark)."""

    async def network(self, engine: AsyncEngine) -> Network:
        async with engine.connect() as connection:
            change = await read_change(connection)
        if self._network is not None and self._change == change:
            return self._network
        async with self._lock:
            if self._network is None or self._change != change:
                loaded, data = await self._loader(engine)
                network = await asyncio.to_thread(Network, data)
                self._network, self._change = network, loaded
                self._views.clear()
                self.builds += 1
            return self._network

    async def view(
        self, engine: AsyncEngine, f: Filter, visible_agreements: frozenset[int] | None
    ) -> View:
        """The network through `f`, with only `visible_agreements` (None: all agreements)."""
        network = await self.network(engine)
        key = (f, visible_agreements)
        found = self._views.get(key)
        if found is not None and found.network is network:
            self._views.move_to_end(key)
            return found
        view = await asyncio.to_thread(network.view, f, visible_agreements)
        if network is self._network:
            self._views[key] = view
            while len(self._views) > self._max_views:
                self._views.popitem(last=False)
        return view


_CACHES: WeakKeyDictionary[Engine, NetworkCache] = WeakKeyDictionary()


def cache_for(engine: AsyncEngine) -> NetworkCache:
    """The process's network cache for the database behind `engine`."""
    found = _CACHES.get(engine.sync_engine)
    if found is None:
        found = _CACHES[engine.sync_engine] = NetworkCache()
    return found
