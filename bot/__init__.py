"""socialpolicy: a Slack and Teams assistant for social media codes of conduct.

`bot.core` is the pure core (no Slack, Teams, Chroma or LangChain imports);
`bot.infra` implements its ports; `bot.channels` are the CLI, Slack and Teams
adapters, which only translate and render.
"""
