"""The Slack adapter (Bolt for Python, asyncio).

`server.run(settings, port)` serves the app; `app.build_app` registers the
listeners by kind; `blocks` renders Block Kit; `config` reads settings and the
per-workspace/channel organisation scope. The adapter translates and renders:
every rule, answer, verdict and quiz step comes from the Assistant facade.
"""
