"""Small hand-made networks for the tests of graph/."""

from datetime import date

from graph.data import Member, NetworkData, Organization, Tie, TieKind
from graph.network import Filter, Network, View

__all__ = ["Builder"]

A = TieKind.AGREEMENT


class Builder:
    """Organizations 1..n (universities in DE unless told) and ties between them."""

    def __init__(self, n: int, **kinds: tuple[str, str]) -> None:
        self.orgs = [Organization(i, f"O{i}", "university", "DE") for i in range(1, n + 1)]
        for key, (kind, country) in kinds.items():
            i = int(key[1:])
            self.orgs[i - 1] = Organization(i, f"O{i}", kind, country)
        self.ties: list[Tie] = []
        self.members: list[Member] = []

    def agreement(
        self,
        key: int,
        *parties: int,
        kind: str = "framework",
        status: str = "active",
        starts: date | None = None,
        ends: date | None = None,
    ) -> "Builder":
        self.ties.append(Tie(A, key, f"A{key}", kind, status, starts, ends))
        self.members += [Member(A, key, p) for p in parties]
        return self

    def alliance(self, key: int, *members: tuple[int, date | None, date | None]) -> "Builder":
        self.ties.append(Tie(TieKind.ALLIANCE, key, f"Alliance {key}", "provincial"))
        self.members += [Member(TieKind.ALLIANCE, key, o, s, e) for o, s, e in members]
        return self

    def network(self) -> Network:
        return Network(NetworkData(self.orgs, self.ties, self.members))

    def view(self, f: Filter | None = None, visible: frozenset[int] | None = None) -> View:
        return self.network().view(f or Filter(), visible)
