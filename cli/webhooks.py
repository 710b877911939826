"""`partnergraph worker` (sends webhook deliveries and runs the reminder job until stopped)
and `partnergraph webhooks list|test|redeliver` (an operator's view of the endpoints,
docs/webhooks.md)."""

from typing import Annotated

import typer

from cli.database import configured, database
from cli.failures import run

__all__ = ["webhooks_app", "worker"]

webhooks_app = typer.Typer(help="Webhook endpoints and their deliveries.", rich_markup_mode=None)


def worker(
    once: Annotated[bool, typer.Option(help="One pass over every endpoint, then exit.")] = False,
    reminders: Annotated[
        bool, typer.Option(help="Run the reminder job too (every reminder_interval_s).")
    ] = True,
    rollups: Annotated[
        bool,
        typer.Option(help="Run the job that moves the summary rollups' window too (hourly)."),
    ] = True,
) -> None:
    """Send webhook deliveries (and retries) and run the reminder job and the rollups' job
    until stopped; several may run at once."""
    settings = configured()

    async def work() -> int:
        import asyncio

        from resolvers.reminders import ReminderJob, run_reminders
        from resolvers.rollup_job import RollupJob, refresh_rollups
        from resolvers.webhook_delivery import Worker, deliver_once

        async with database() as engine:
            if once:
                if reminders:
                    await run_reminders(engine, settings)
                if rollups:
                    await refresh_rollups(engine, refresh_days=settings.rollup_refresh)
                return await deliver_once(engine, settings)
            jobs = [Worker(engine, settings).run()]
            if reminders:
                jobs.append(ReminderJob(engine, settings).run())
            if rollups:
                jobs.append(RollupJob(engine, settings).run())
            await asyncio.gather(*jobs)
            return 0

    attempts = run(work)
    if once:
        typer.echo(f"made {attempts} delivery attempts")


@webhooks_app.command("list")
def webhooks_list() -> None:
    """Every endpoint: id, owner, enabled, pending deliveries, URL, why disabled."""

    async def work() -> list[str]:
        import sqlalchemy as sa

        from resolvers.webhooks import DELIVERY, WEBHOOK

        pending = (
            sa.select(sa.func.count())
            .where(DELIVERY.c.webhook_id == WEBHOOK.c.id, DELIVERY.c.status == "pending")
            .scalar_subquery()
        )
        async with database() as engine, engine.connect() as connection:
            rows = await connection.execute(
                sa.select(WEBHOOK, pending.label("pending")).order_by(WEBHOOK.c.id)
            )
            return [
                f"{r.id}\torg={r.organization_id or '-'}\t"
                f"{'enabled' if r.enabled else 'disabled'}\tpending={r.pending}\t{r.url}"
                + (f"\t{r.disabled_reason}" if r.disabled_reason else "")
                for r in rows
            ]

    for line in run(work):
        typer.echo(line)


@webhooks_app.command("test")
def webhooks_test(webhook_id: int) -> None:
    """Queue a `webhook.test` delivery to the endpoint WEBHOOK_ID and make one pass now."""
    settings = configured()

    async def work() -> str:
        import sqlalchemy as sa

        from resolvers.webhook_delivery import deliver_once, queue_test
        from resolvers.webhooks import DELIVERY

        async with database() as engine:
            delivery = await queue_test(engine, webhook_id)
            await deliver_once(engine, settings)
            async with engine.connect() as connection:
                row = (
                    await connection.execute(sa.select(DELIVERY).where(DELIVERY.c.id == delivery))
                ).one()
            return (
                f"delivery {delivery}: {row.status}, HTTP {row.response_code}, {row.error or 'ok'}"
            )

    typer.echo(run(work))


@webhooks_app.command("redeliver")
def webhooks_redeliver(delivery_id: int) -> None:
    """Mark the delivery DELIVERY_ID pending again; the worker sends it on its next pass."""

    async def work() -> None:
        import sqlalchemy as sa

        from db.base import utcnow
        from resolvers.webhooks import DELIVERY

        async with database() as engine, engine.begin() as connection:
            done = await connection.execute(
                sa.update(DELIVERY)
                .where(DELIVERY.c.id == delivery_id)
                .values(status="pending", next_attempt_at=utcnow(), error=None)
            )
            if done.rowcount != 1:
                raise typer.BadParameter(f"no delivery {delivery_id}")

    run(work)
    typer.echo(f"delivery {delivery_id} queued again")
