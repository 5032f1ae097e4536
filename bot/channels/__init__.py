"""Channels: the terminal, Slack and Teams adapters. They translate and
render; all policy logic lives in bot.core."""
