"""1,000 acknowledged writes survive a restart of the whole fleet (stop, then start on the same state dir), row for row."""

import asyncio

import loadtest

WRITES = 1000


def dump(fleet, owners: list[str]) -> list[str]:
    """Every column of the owners' rows, as Postgres prints them (superuser, over the private socket)."""
    owner_list = ", ".join(f"'{owner}'" for owner in owners)  # UUIDs from auth, never user input
    text = fleet.infra.postgres.psql(
        f"COPY (SELECT * FROM customers_customer WHERE owner IN ({owner_list}) ORDER BY id) TO STDOUT;\n",
        database="customers")
    return text.splitlines()


async def create(load: loadtest.Load, count: int, concurrency: int) -> None:
    """`count` creates, `concurrency` at a time, each account's own in sequence."""
    remaining = iter(range(count))

    async def worker(account) -> None:
        connection = loadtest.Connection(load.host, load.port)
        try:
            for _ in remaining:
                await load.one("create", account, connection)
        finally:
            await connection.close()

    await asyncio.gather(*(worker(account) for account in load.accounts[:concurrency]))


def test_a_thousand_writes_survive_a_restart_of_the_whole_fleet(fleet, gateway, accounts, figure):
    users = accounts(8)
    load = loadtest.Load(gateway, users)
    asyncio.run(create(load, WRITES, len(users)))
    summary = loadtest.summarize(load.samples, allowed=())
    before = dump(fleet, [u.sub for u in users])

    fleet.stop()
    fleet.start()
    after = dump(fleet, [u.sub for u in users])
    writes = loadtest.verify(gateway, users)

    figure("writes acknowledged (201)", summary["statuses"].get("201", 0))
    figure("rows before the restart", len(before))
    figure("rows after, identical in every column", sum(a == b for a, b in zip(before, after)))
    assert summary["errors"] == 0 and summary["statuses"] == {"201": WRITES}
    assert len(before) == WRITES and after == before
    assert writes["acknowledged_rows"] == WRITES and writes["lost"] == writes["changed"] == 0
