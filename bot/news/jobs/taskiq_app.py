"""The taskiq broker on RabbitMQ, shared by gateways (which send jobs) and workers.

Every name comes from one setting (``broker_queue``) so that several fleets, or tests,
share one RabbitMQ without meeting: the exchange, the job queue and its dead letters.
Messages are persistent and the queue durable: a RabbitMQ restart keeps waiting jobs.
"""

from __future__ import annotations

from taskiq_aio_pika import AioPikaBroker
from taskiq_aio_pika.exchange import Exchange
from taskiq_aio_pika.queue import Queue, QueueType

from bot.config import Settings

INGEST_TASK = "newsbot.ingest"


def make_broker(settings: Settings, *, prefetch: int = 4) -> AioPikaBroker:
    """The broker for ``settings.broker_url``; ``prefetch`` is how many unacknowledged jobs
    one worker holds (they go back to the queue if it dies)."""
    if not settings.broker_url:
        raise ValueError("make_broker needs NEWSBOT_BROKER_URL")
    name = settings.broker_queue
    return AioPikaBroker(
        settings.broker_url,
        qos=prefetch,
        exchange=Exchange(name=name),
        task_queues=[Queue(name=f"{name}.jobs", type=QueueType.CLASSIC, routing_key=name)],
        dead_letter_queue=Queue(name=f"{name}.dead", type=QueueType.CLASSIC),
    )
