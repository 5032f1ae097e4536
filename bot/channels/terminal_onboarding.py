"""`socialpolicy onboard`: a guided tour of the code of conduct and the
scenario quiz, in the terminal.

Everything shown comes from the core (`assistant.onboarding`): the key rules,
Do's and Don'ts and CAO articles are verbatim citations from the knowledge
base, and every answer is recorded through `Onboarding.start/answer`, so a
manager's report sees terminal users next to Slack and Teams users.

Works on a terminal and with scripted input alike: lines are read from
`input` (default: stdin) and everything is written to a rich Console on
`output` (default: stdout). Exit codes: 0 done, 1 input ended or the user
quit, 2 unusable organisation or configuration, 130 interrupted (Ctrl-C).
Answers are saved one by one, so an interrupted quiz can be resumed.
"""

from __future__ import annotations

import getpass
import sys
from typing import Sequence, TextIO

from rich.console import Console, Group
from rich.panel import Panel
from rich.rule import Rule
from rich.text import Text

from bot.core.models import Citation
from bot.core.onboarding import OnboardingContent, OnboardingError, QuizStep, Scenario, orgs_with_quiz

CHANNEL = "cli"
EXIT_OK, EXIT_ENDED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130
QUIT_WORDS = {"q", "quit", "exit", "stop", "stoppen"}

STRINGS: dict[str, dict[str, str]] = {
    "nl": {
        "welcome": "Welkom bij socialpolicy",
        "intro": "Een korte rondleiding door de social media-gedragscode van {organisation} („{document}”), en daarna een quiz met {n} situaties uit de praktijk.",
        "pick_org": "Voor welke organisatie werk je?",
        "pick_org_prompt": "Kies 1–{n}: ",
        "pick_org_invalid": "Kies een nummer van 1 tot {n}.",
        "unknown_org": "Onbekende organisatie {org!r}; kies uit: {orgs}.",
        "what": "Wat doet deze assistent?",
        "what_body": (
            "• Beantwoordt je vragen over de social media-richtlijnen van {organisation}, altijd met een "
            "letterlijk citaat uit de richtlijn. Staat het antwoord er niet in, dan zegt hij dat en verwijst "
            "hij je door.\n"
            "• Leest je conceptbericht mee vóór je het plaatst en wijst aan wat beter kan, met de regel erbij.\n"
            "• Je vindt hem in Slack, in Microsoft Teams en hier in de terminal."
        ),
        "how": "Zo gebruik je het",
        "how_ask": "Stel een vraag:",
        "how_ask_example": 'socialpolicy ask --org {org} "Mag ik een foto van mijn studenten op Instagram zetten?"',
        "how_review": "Laat een concept nakijken (plak de tekst, sluit af met Ctrl-D):",
        "how_review_file": "Of vanuit een bestand:",
        "rules": "De belangrijkste regels",
        "dos": "Do's",
        "donts": "Don'ts",
        "cao": "Cao-artikelen die hierbij gelden",
        "cao_note": "Bij de citaten hierboven en in de quiz staan tussen [ ] de cao-artikelen waarop de regel steunt.",
        "contact": "Vragen over de richtlijnen? Neem contact op met {contact}.",
        "start_prompt": "Druk op Enter om met de quiz te beginnen… ",
        "quiz": "Quiz: {n} situaties",
        "resume": "Je was al begonnen: {done} van de {total} vragen beantwoord. Verdergaan waar je was? [J/n] ",
        "resume_invalid": "Antwoord met j (verdergaan) of n (opnieuw beginnen).",
        "question": "Vraag {n}/{total}",
        "answer_prompt": "Jouw antwoord ({letters}): ",
        "answer_invalid": "Dat is geen geldige keuze. Antwoord met {letters} (of 1–{n}); q om te stoppen.",
        "correct": "✔ Goed!",
        "wrong": "✘ Helaas. Het juiste antwoord is {letter}. {choice}",
        "why": "Waarom:",
        "sources": "Bron:",
        "progress": "Voortgang: {answered}/{total} · score {score}/{answered}",
        "done": "Klaar!",
        "final": "Eindscore: {score}/{total}",
        "verdict_high": "Uitstekend: je kent de richtlijnen goed.",
        "verdict_mid": "Goed bezig. Lees de uitleg bij de vragen die je miste nog eens na.",
        "verdict_low": "Neem de richtlijnen nog eens rustig door; je kunt de quiz altijd opnieuw doen.",
        "after": "Twijfel je later over een bericht? Vraag het de assistent, of neem contact op met {contact}.",
        "eof": "De invoer is beëindigd. Je antwoorden tot nu toe zijn bewaard; start `socialpolicy onboard` opnieuw om verder te gaan.",
        "interrupted": "Onderbroken. Je antwoorden tot nu toe zijn bewaard; start `socialpolicy onboard` opnieuw om verder te gaan.",
        "quit": "Gestopt. Je antwoorden tot nu toe zijn bewaard; start `socialpolicy onboard` opnieuw om verder te gaan.",
        "error": "Kan de onboarding niet starten: {error}",
    },
    "en": {
        "welcome": "Welcome to socialpolicy",
        "intro": "A short tour of {organisation}'s social media code of conduct (“{document}”), followed by a quiz with {n} real-life situations.",
        "pick_org": "Which organisation do you work for?",
        "pick_org_prompt": "Choose 1–{n}: ",
        "pick_org_invalid": "Choose a number from 1 to {n}.",
        "unknown_org": "Unknown organisation {org!r}; choose from: {orgs}.",
        "what": "What does this assistant do?",
        "what_body": (
            "• Answers your questions about {organisation}'s social media guidelines, always with a verbatim "
            "quote from the guideline. If the answer is not in them, it says so and tells you whom to ask.\n"
            "• Reviews your draft post before you publish it and points out what to change, with the rule.\n"
            "• You find it in Slack, in Microsoft Teams and here in the terminal."
        ),
        "how": "How to use it",
        "how_ask": "Ask a question:",
        "how_ask_example": 'socialpolicy ask --org {org} "Can I post a photo of my students on Instagram?"',
        "how_review": "Have a draft reviewed (paste the text, finish with Ctrl-D):",
        "how_review_file": "Or from a file:",
        "rules": "The key rules",
        "dos": "Do's",
        "donts": "Don'ts",
        "cao": "Collective agreement articles that apply",
        "cao_note": "Citations above and in the quiz show in [ ] the CAO articles a rule rests on.",
        "contact": "Questions about the guidelines? Contact {contact}.",
        "start_prompt": "Press Enter to start the quiz… ",
        "quiz": "Quiz: {n} situations",
        "resume": "You had already started: {done} of {total} questions answered. Continue where you left off? [Y/n] ",
        "resume_invalid": "Answer y (continue) or n (start again).",
        "question": "Question {n}/{total}",
        "answer_prompt": "Your answer ({letters}): ",
        "answer_invalid": "That is not a valid choice. Answer {letters} (or 1–{n}); q to stop.",
        "correct": "✔ Correct!",
        "wrong": "✘ Not quite. The right answer is {letter}. {choice}",
        "why": "Why:",
        "sources": "Source:",
        "progress": "Progress: {answered}/{total} · score {score}/{answered}",
        "done": "Done!",
        "final": "Final score: {score}/{total}",
        "verdict_high": "Excellent: you know the guidelines well.",
        "verdict_mid": "Well done. Have another look at the explanations of the questions you missed.",
        "verdict_low": "Take another calm look at the guidelines; you can take the quiz again at any time.",
        "after": "In doubt about a post later? Ask the assistant, or contact {contact}.",
        "eof": "Input ended. Your answers so far are saved; run `socialpolicy onboard` again to continue.",
        "interrupted": "Interrupted. Your answers so far are saved; run `socialpolicy onboard` again to continue.",
        "quit": "Stopped. Your answers so far are saved; run `socialpolicy onboard` again to continue.",
        "error": "Cannot start the onboarding: {error}",
    },
}
# The guideline quotes stay in the document's language (Dutch); an English
# reader is told so once.
VERBATIM_NOTE_EN = "Quotes are verbatim from the Dutch source document."


class _EndOfInput(Exception):
    pass


class _Quit(Exception):
    pass


def letters(n: int) -> list[str]:
    return [chr(65 + i) for i in range(n)]


def parse_choice(raw: str, n: int) -> int | None:
    """'A'/'b'/'2'/' c) ' -> a 0-based index, or None if it is not one of n choices."""
    value = raw.strip().lower().rstrip(".)")
    if len(value) == 1 and "a" <= value < chr(ord("a") + n):
        return ord(value) - ord("a")
    if value.isdigit() and 1 <= int(value) <= n:
        return int(value) - 1
    return None


class _Prompter:
    """Reads one line per prompt from a TTY (with line editing) or a stream."""

    def __init__(self, console: Console, stream: TextIO):
        self.console = console
        self.stream = stream
        self.interactive = _isatty(stream) and stream is sys.stdin and console.file is sys.stdout

    def ask(self, prompt: str) -> str:
        if self.interactive:
            try:
                return self.console.input(Text(prompt, style="bold"))
            except EOFError:
                raise _EndOfInput from None
        self.console.print(Text(prompt, style="bold"), end="")
        line = self.stream.readline()
        if not line:
            self.console.print()
            raise _EndOfInput
        line = line.rstrip("\r\n")
        self.console.print(Text(line), highlight=False)  # echo, so a transcript reads as a dialogue
        return line


def _isatty(stream) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


def _login() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name in the environment or the password database
        return "anonymous"


def run_onboard(assistant, org: str | None, language: str, user: str | None,
                input: TextIO | None = None, output: TextIO | None = None) -> int:
    """The tour and the quiz; returns the exit code."""
    language = language if language in STRINGS else "nl"
    t = STRINGS[language]
    stream = input if input is not None else sys.stdin
    console = Console(file=output if output is not None else sys.stdout, highlight=False)
    prompter = _Prompter(console, stream)
    onboarding = getattr(assistant, "onboarding", None)
    if onboarding is None:
        console.print(Text(t["error"].format(error="onboarding is not configured"), style="red"))
        return EXIT_USAGE
    name = user or _login()
    user_key = f"{CHANNEL}:{name}"
    try:
        available = _available_orgs(assistant)
        if org is None:
            org = _ask_org(console, prompter, assistant, available, language, t)
        elif org not in available:
            console.print(Text(t["unknown_org"].format(org=org, orgs=", ".join(available)), style="red"))
            return EXIT_USAGE
        content = onboarding.content(org, language)
        quiz = onboarding.quiz(org, language)
        if not quiz.scenarios:
            raise OnboardingError(f"the {org} quiz has no scenarios")
        _render_tour(console, assistant, content, len(quiz.scenarios), language, t)
        if prompter.interactive:
            prompter.ask(t["start_prompt"])
        scenario = _first_scenario(console, prompter, onboarding, quiz, user_key, name, org, language, t)
        ids = [s.id for s in quiz.scenarios]
        total = len(ids)
        step: QuizStep | None = None
        while scenario is not None:
            number = ids.index(scenario.id) + 1
            _render_scenario(console, scenario, number, total, t)
            choice = _ask_choice(prompter, len(scenario.choices), t)
            step = onboarding.answer(user_key, scenario.id, choice, language)
            _render_step(console, step, total, t)
            scenario = step.next
        progress = step.progress if step is not None else None
        score = progress.score if progress is not None else 0
        _render_final(console, score, total, content, t)
        return EXIT_OK
    except _EndOfInput:
        console.print(Text(t["eof"], style="yellow"))
        return EXIT_ENDED
    except _Quit:
        console.print(Text(t["quit"], style="yellow"))
        return EXIT_ENDED
    except KeyboardInterrupt:
        console.print()
        console.print(Text(t["interrupted"], style="yellow"))
        return EXIT_INTERRUPTED
    except OnboardingError as exc:
        console.print(Text(t["error"].format(error=exc), style="red"))
        return EXIT_USAGE


# -- choosing the organisation and where to start

def _available_orgs(assistant) -> list[str]:
    known = set(assistant.catalogue.organisations)
    return [o for o in orgs_with_quiz(assistant.onboarding.quiz_data) if o in known]


def _org_name(assistant, org: str, language: str) -> str:
    info = assistant.catalogue.organisations[org]
    return info.organisation_en if language == "en" else info.organisation


def _ask_org(console: Console, prompter: _Prompter, assistant, available: Sequence[str], language: str,
             t: dict[str, str]) -> str:
    if not available:
        raise OnboardingError("no organisation has a quiz")
    console.print(Text(t["pick_org"], style="bold"))
    for n, org in enumerate(available, 1):
        console.print(Text(f"  {n}. {_org_name(assistant, org, language)}"))
    while True:
        raw = prompter.ask(t["pick_org_prompt"].format(n=len(available))).strip()
        if raw.lower() in QUIT_WORDS:
            raise _Quit
        if raw.isdigit() and 1 <= int(raw) <= len(available):
            return available[int(raw) - 1]
        for org in available:
            if raw.lower() in (org.lower(), _org_name(assistant, org, "nl").lower(),
                               _org_name(assistant, org, "en").lower()):
                return org
        console.print(Text(t["pick_org_invalid"].format(n=len(available)), style="yellow"))


def _first_scenario(console: Console, prompter: _Prompter, onboarding, quiz, user_key: str, name: str,
                    org: str, language: str, t: dict[str, str]) -> Scenario:
    """Offer to resume a quiz left half-way; otherwise (re)start it."""
    upcoming = onboarding.current(user_key, language)
    ids = [s.id for s in quiz.scenarios]
    if upcoming is not None and upcoming.org == org and upcoming.id in ids and upcoming.id != ids[0]:
        done = ids.index(upcoming.id)
        while True:
            raw = prompter.ask(t["resume"].format(done=done, total=len(ids))).strip().lower()
            if raw in ("", "j", "ja", "y", "yes"):
                return upcoming
            if raw in ("n", "nee", "no"):
                break
            if raw in QUIT_WORDS:
                raise _Quit
            console.print(Text(t["resume_invalid"], style="yellow"))
    _, first = onboarding.start(user_key, CHANNEL, org, name, language)
    return first


def _ask_choice(prompter: _Prompter, n: int, t: dict[str, str]) -> int:
    shown = "/".join(letters(n))
    while True:
        raw = prompter.ask(t["answer_prompt"].format(letters=shown))
        choice = parse_choice(raw, n)
        if choice is not None:
            return choice
        if raw.strip().lower() in QUIT_WORDS:
            raise _Quit
        prompter.console.print(Text(t["answer_invalid"].format(letters=shown, n=n), style="yellow"))


# -- rendering

def _render_tour(console: Console, assistant, content: OnboardingContent, n_scenarios: int, language: str,
                 t: dict[str, str]) -> None:
    organisation = _org_name(assistant, content.org, language)
    intro = Text(t["intro"].format(document=content.document, organisation=organisation, n=n_scenarios))
    if language == "en":
        intro.append("\n" + VERBATIM_NOTE_EN, style="dim")
    console.print(Panel(intro, title=Text(f"{t['welcome']} — {organisation}", style="bold"), border_style="cyan"))

    console.print(Rule(Text(t["what"], style="bold")))
    console.print(Text(t["what_body"].format(organisation=organisation)))
    console.print()
    console.print(Text(t["how"], style="bold"))
    console.print(Text(t["how_ask"]))
    console.print(Text("  $ " + t["how_ask_example"].format(org=content.org), style="green"))
    console.print(Text(t["how_review"]))
    console.print(Text(f"  $ socialpolicy review --org {content.org} -", style="green"))
    console.print(Text(t["how_review_file"]))
    console.print(Text(f"  $ socialpolicy review --org {content.org} --file concept.txt", style="green"))

    if content.key_rules:
        console.print(Rule(Text(t["rules"], style="bold")))
        console.print(_render_rules(content.key_rules))
    if content.dos or content.donts:
        console.print(Rule(Text(f"{t['dos']} & {t['donts']}", style="bold")))
        if content.dos:
            console.print(_render_list(t["dos"], content.dos, "✔", "green"))
        if content.donts:
            console.print(_render_list(t["donts"], content.donts, "✘", "red"))
    if content.cao:
        agreement = assistant.catalogue.organisations[content.org].collective_agreement
        title = t["cao"] + (f" ({agreement})" if agreement else "")
        console.print(Rule(Text(title, style="bold")))
        for c in content.cao:
            head = Text(c.section, style="bold magenta")
            head.append("\n  “", style="dim")
            head.append(c.quote, style="italic")
            head.append("”", style="dim")
            console.print(head)
        console.print(Text(t["cao_note"], style="dim"))
    console.print(Rule())
    console.print(Text(t["contact"].format(contact=content.contact), style="bold"))
    console.print()


def _render_rules(rules: Sequence[Citation]) -> Group:
    """One list (a numbered Do's and Don'ts list), or one block per guideline."""
    sections = list(dict.fromkeys(c.section for c in rules))
    parts = []
    if len(sections) == 1 and len(rules) > 1:
        parts.append(Text(sections[0], style="bold"))
        for n, c in enumerate(rules, 1):
            line = Text(f"{n:>3}. ")
            line.append(c.quote)
            if c.cao:
                line.append("  [" + "; ".join(c.cao) + "]", style="magenta")
            parts.append(line)
    else:
        for c in rules:
            block = Text(c.section, style="bold")
            if c.cao:
                block.append("  [" + "; ".join(c.cao) + "]", style="magenta")
            block.append("\n  “", style="dim")
            block.append(c.quote, style="italic")
            block.append("”", style="dim")
            parts.append(block)
    return Group(*parts)


def _render_list(title: str, items: Sequence[Citation], mark: str, style: str) -> Group:
    parts = [Text(items[0].section or title, style="bold")]
    for c in items:
        line = Text(f"  {mark} ", style=style)
        line.append(c.quote)
        parts.append(line)
    return Group(*parts)


def _render_scenario(console: Console, scenario: Scenario, number: int, total: int, t: dict[str, str]) -> None:
    console.print()
    console.print(Rule(Text(t["question"].format(n=number, total=total), style="bold cyan")))
    console.print(Text(scenario.text, style="bold"))
    for letter, choice in zip(letters(len(scenario.choices)), scenario.choices):
        line = Text(f"  {letter}. ", style="bold")
        line.append(choice)
        console.print(line)


def _render_step(console: Console, step: QuizStep, total: int, t: dict[str, str]) -> None:
    s = step.scenario
    if step.correct:
        console.print(Text(t["correct"], style="bold green"))
    else:
        letter = letters(len(s.choices))[s.answer]
        console.print(Text(t["wrong"].format(letter=letter, choice=s.choices[s.answer]), style="bold red"))
    why = Text(t["why"] + " ", style="bold")
    why.append(s.explanation, style="")
    console.print(why)
    console.print(Text(t["sources"], style="dim"))
    for c in s.citations:
        console.print(_citation(c))
    answered = len(step.progress.answers)
    console.print(Text(t["progress"].format(answered=answered, total=total, score=step.progress.score),
                       style="cyan"))


def _citation(c: Citation) -> Text:
    """A quiz citation: the organisation and document are those of the tour,
    so only the section, its CAO articles and the verbatim quote are shown."""
    line = Text("  § ", style="dim")
    line.append(c.section, style="bold")
    if c.cao:
        line.append("  [" + "; ".join(c.cao) + "]", style="magenta")
    line.append("\n    “", style="dim")
    line.append(c.quote, style="italic")
    line.append("”", style="dim")
    return line


def _render_final(console: Console, score: int, total: int, content: OnboardingContent, t: dict[str, str]) -> None:
    ratio = score / total if total else 0.0
    verdict = t["verdict_high"] if ratio >= 0.8 else t["verdict_mid"] if ratio >= 0.5 else t["verdict_low"]
    body = Text(t["final"].format(score=score, total=total), style="bold")
    body.append("\n" + verdict, style="")
    body.append("\n" + t["after"].format(contact=content.contact), style="dim")
    console.print()
    console.print(Panel(body, title=Text(t["done"], style="bold green"), border_style="green"))
