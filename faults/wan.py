"""Network profiles for the replication links: a loopback LAN, and the real geography.

The nodes stand in Moscow (a), Saint Petersburg (b) and Novosibirsk (c). `WAN` delays each
replication link like the distance does: about 5 ms one way between Moscow and Saint
Petersburg (≈ 700 km of fibre) and about 25 ms from either of them to Novosibirsk (≈ 3 000 km
plus routing), with jitter. The table is symmetric; each direction draws its own jitter.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .proxy import Delay

NODES = ("a", "b", "c")
CITIES = {"a": "Москва", "b": "Санкт-Петербург", "c": "Новосибирск"}


@dataclass(frozen=True)
class Profile:
    """One-way delay per undirected pair of nodes (`"ab"`, `"ac"`, `"bc"`)."""

    name: str
    pairs: dict[str, Delay] = field(default_factory=dict)

    def delay(self, source: str, target: str) -> Delay:
        """The one-way delay of the directed link `source` → `target`."""
        return self.pairs.get("".join(sorted(source + target)), Delay())

    def describe(self) -> str:
        if not self.pairs:
            return f"{self.name}: no added delay"
        parts = [
            f"{CITIES[p[0]]}–{CITIES[p[1]]} {d.ms:g}±{d.jitter_ms:g} ms"
            for p, d in sorted(self.pairs.items())
        ]
        return f"{self.name}: one way " + ", ".join(parts)


LAN = Profile("lan")
WAN = Profile(
    "wan",
    {
        "ab": Delay(5.0, 1.0),  # Москва – Санкт-Петербург
        "ac": Delay(25.0, 3.0),  # Москва – Новосибирск
        "bc": Delay(25.0, 3.0),  # Санкт-Петербург – Новосибирск
    },
)
PROFILES = {profile.name: profile for profile in (LAN, WAN)}


def profile(name: str) -> Profile:
    """A profile by name (`lan` or `wan`), with a message naming the choices."""
    try:
        return PROFILES[name]
    except KeyError:
        choices = ", ".join(PROFILES)
        raise ValueError(f"network profile: expected one of {choices}, got {name!r}") from None
