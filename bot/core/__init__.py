"""The pure core: domain models, answering, review rules and onboarding.

Nothing in this package imports Slack, Teams, Chroma or LangChain code; it
talks to infrastructure through the small protocols in `ports`.
"""
