"""The network change counter: the sum of 16 rows (`db.network_counter`), one of which every
write transaction raises by one.

Each API worker keeps its built cooperation network in memory (see `graph.cache`) and reuses it
only while this value is the one it was built at, so a write on any worker is seen by network
queries on every worker from the next request on.
"""

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

__all__ = ["NetworkChange"]


class NetworkChange(SQLModel, table=True):
    __tablename__ = "network_change"

    id: int = Field(primary_key=True)
    value: int = Field(default=0, sa_type=sa.BigInteger, sa_column_kwargs={"nullable": False})
