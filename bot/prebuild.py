"""`python -m bot.prebuild`: build into SOCIALPOLICY_CACHE_DIR what a server
would otherwise build at its first question and its first review, the
router's fit and the review classifier. deploy/Dockerfile runs it, so the
image's servers start with both (SOCIALPOLICY_PREBUILT_CACHE_DIR,
bot/infra/prebuilt_cache.py). Idempotent: what is cached is loaded."""

from __future__ import annotations

import logging
import sys
import time

log = logging.getLogger("socialpolicy.prebuild")


def main() -> int:
    from bot.container import build_embeddings, build_review_semantic, build_router, knowledge_catalogue
    from bot.core.review import Reviewer
    from bot.logs import configure_logging
    from bot.settings import Settings

    settings = Settings()
    configure_logging(settings.log_level)
    started = time.perf_counter()
    embeddings = build_embeddings(settings)
    catalogue = knowledge_catalogue(settings)
    router = build_router(settings, catalogue, embeddings)
    semantic = build_review_semantic(settings, embeddings, Reviewer(catalogue).institutions,
                                     announce=lambda line: sys.stderr.write(line + "\n"))
    if semantic is not None:
        semantic.built      # trained here, or loaded when cached
    log.info("prebuilt in %s (router: %s, review classifier: %s) in %.0f s", settings.cache_dir,
             "yes" if router is not None else "no question bank", "yes" if semantic is not None else "no bank",
             time.perf_counter() - started)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
