"""`python -m bench.read_probe URL SECONDS`: GET `URL` ten times a second for `SECONDS`, then
print the latencies in ms as one JSON list.

A load's reader runs in a process of its own: in the process of the 50 closed-loop clients
it waited for their event loop too, and measured the harness as much as the system (a read
took 6 ms longer in the harness than from a process beside it, on a 1 MB document)."""

import asyncio
import sys
import time

import aiohttp
import orjson
import uvloop

READS_PER_S = 10


async def probe(url: str, seconds: float) -> list[float]:
    latencies: list[float] = []
    deadline = time.monotonic() + seconds
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as http:
        while time.monotonic() < deadline:
            started = time.monotonic()
            async with http.get(url) as response:
                await response.read()
            latencies.append((time.monotonic() - started) * 1000)
            await asyncio.sleep(max(0.0, started + 1 / READS_PER_S - time.monotonic()))
    return latencies


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: python -m bench.read_probe URL SECONDS", file=sys.stderr)
        return 2
    latencies = uvloop.run(probe(argv[0], float(argv[1])))
    sys.stdout.buffer.write(orjson.dumps(latencies) + b"\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
