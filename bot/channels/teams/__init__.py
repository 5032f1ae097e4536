"""Microsoft Teams: a thin botbuilder adapter over the Assistant.

server.py runs the aiohttp app, bot.py translates activities, cards.py
renders Adaptive Cards and config.py reads credentials and tenant scopes.
All policy logic stays in bot.core (botbuilder's successor, the M365 Agents
SDK, should need a new adapter only).
"""
