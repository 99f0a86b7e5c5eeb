"""Clustering: union-find over accepted links, guarded so unrelated facilities never chain together.

Links are applied strongest first. Two clusters merge only if the merge breaks no constraint:
- they would not hold two different OS IDs (OS Hub already says those are different facilities);
- they would not hold two different unit/plant numbers ("Unit 3" vs "Unit 4");
- no human rejected a pair of records across them.
A human confirmation is applied first and is never blocked by these guards.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class _Cluster:
    members: list[int]
    os_ids: set[str] = field(default_factory=set)
    units: set[str] = field(default_factory=set)


class GuardedClusters:
    """Disjoint sets of record indexes with merge guards (see module docstring)."""

    def __init__(self, os_ids: list[str | None], units: list[str], rejected: set[tuple[int, int]]):
        self._parent = list(range(len(os_ids)))
        self._clusters = {
            i: _Cluster([i], {os_ids[i]} if os_ids[i] else set(), {units[i]} if units[i] else set())
            for i in range(len(os_ids))
        }
        self._rejected = rejected

    def find(self, index: int) -> int:
        while self._parent[index] != index:
            self._parent[index] = self._parent[self._parent[index]]
            index = self._parent[index]
        return index

    def can_merge(self, left: int, right: int) -> bool:
        a, b = self._clusters[self.find(left)], self._clusters[self.find(right)]
        if a.os_ids and b.os_ids and a.os_ids != b.os_ids:
            return False
        if a.units and b.units and a.units != b.units:
            return False
        return not any((min(x, y), max(x, y)) in self._rejected for x in a.members for y in b.members)

    def merge(self, left: int, right: int, force: bool = False) -> bool:
        """Merge the clusters of two records; returns whether they are now together."""
        root_left, root_right = self.find(left), self.find(right)
        if root_left == root_right:
            return True
        if not force and not self.can_merge(left, right):
            return False
        keep, drop = sorted((root_left, root_right))
        self._parent[drop] = keep
        kept, dropped = self._clusters[keep], self._clusters.pop(drop)
        kept.members.extend(dropped.members)
        kept.os_ids |= dropped.os_ids
        kept.units |= dropped.units
        return True

    def labels(self) -> list[int]:
        """The cluster root of every record index."""
        return [self.find(i) for i in range(len(self._parent))]
