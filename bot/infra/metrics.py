"""Prometheus metrics, shared by the Slack and Teams servers.

Labels carry channel, kind and outcome only: never user ids or text.
"""

from __future__ import annotations

import time
from contextlib import contextmanager

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest


class Metrics:
    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        self.requests = Counter("socialpolicy_requests_total", "Requests handled",
                                ["channel", "kind"], registry=self.registry)
        self.latency = Histogram("socialpolicy_request_seconds", "Time to handle a request",
                                 ["channel", "kind"], registry=self.registry,
                                 buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10))
        self.abstentions = Counter("socialpolicy_abstentions_total", "Questions the guidelines do not answer",
                                   ["channel"], registry=self.registry)
        self.verdicts = Counter("socialpolicy_review_verdicts_total", "Draft review verdicts",
                                ["channel", "verdict"], registry=self.registry)
        self.errors = Counter("socialpolicy_errors_total", "Errors while handling a request",
                              ["channel", "kind"], registry=self.registry)

    @contextmanager
    def track(self, channel: str, kind: str):
        self.requests.labels(channel, kind).inc()
        started = time.perf_counter()
        try:
            yield
        except Exception:
            self.errors.labels(channel, kind).inc()
            raise
        finally:
            self.latency.labels(channel, kind).observe(time.perf_counter() - started)

    def answered(self, channel: str, answer) -> None:
        if answer.abstained:
            self.abstentions.labels(channel).inc()

    def reviewed(self, channel: str, review) -> None:
        self.verdicts.labels(channel, review.verdict).inc()

    def exposition(self) -> tuple[bytes, str]:
        return generate_latest(self.registry), CONTENT_TYPE_LATEST
