"""Settle the stored figures after a write, and sweep for any settling that was missed."""

from __future__ import annotations

from celery import shared_task

from dashboards import figures


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def settle_figures() -> None:
    # Another settler at work covers what is pending now: no need to wait for it.
    figures.settle(wait=False)


@shared_task
def sweep_figures() -> None:
    """Every minute (beat): pending changes whose task was lost (broker down, worker killed)."""
    if figures.pending():
        figures.settle(wait=True)
