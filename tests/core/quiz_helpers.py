"""Shared by the quiz tests: a bank with multiple-choice items, a core that records the signals features
publish, and small readers of what the quiz stored (through the feature's own parts, never SQL)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from fakes import FakeChat, FakeScheduler, Harness, small_bank

from bot.actions import decode
from bot.bootstrap import FEATURES, Core, build_core
from bot.chat import ChatRouter
from bot.clock import ManualClock
from bot.config import Config
from bot.content.bank import Bank
from bot.content.formats import export_studybot
from bot.content.item import Item
from bot.content.schema import validate_item
from bot.events import ChoiceSelected, CommandInvoked
from bot.ids import ChannelRef, MemberRef, Platform
from bot.messages import Reply, Response
from bot.registry import FeatureSpec
from bot.services import Services
from bot.signals import ItemAttempted

LONG = ("Because the learning rate schedule was warmed up too quickly for the batch size in use here",
        "Because the validation split leaked future rows into the training folds during preprocessing",
        "Because dropout was applied at inference time as well as during training, by mistake",
        "Because the optimiser state was reset at every epoch boundary instead of being carried over")
#: (domain, difficulty, prompt, choices, answer index)
QUESTIONS: tuple[tuple[str, str, str, tuple[str, ...], int], ...] = (
    ("deep-learning", "easy", "Which activation function outputs values strictly between zero and one?",
     ("ReLU", "Sigmoid", "Tanh", "Leaky ReLU"), 1),
    ("deep-learning", "medium", "What does batch normalisation normalise during training?",
     ("The weights of each layer", "Layer inputs over the mini-batch", "The learning rate", "The loss value"), 1),
    ("deep-learning", "medium", "Which technique randomly zeroes activations to regularise a network?",
     ("Weight decay", "Early stopping", "Dropout", "Gradient clipping"), 2),
    ("deep-learning", "hard", "Residual connections mainly help very deep networks by easing what?",
     ("Gradient flow through many layers", "Memory use on the GPU", "Tokenisation", "Data augmentation"), 0),
    ("math-stats", "easy", "What is the expected value of a fair six-sided die roll?",
     ("3", "3.5", "4", "6"), 1),
    ("math-stats", "medium", "A p-value is the probability of data at least this extreme given what?",
     ("The alternative is true", "The null hypothesis is true", "The sample is biased", "The test is paired"), 1),
    ("math-stats", "hard", "Which distribution models the count of events in a fixed interval at a constant rate?",
     ("Binomial", "Normal", "Poisson", "Uniform"), 2),
    ("programming", "easy", "Which Python built-in returns the number of items in a list?",
     ("size()", "count()", "len()", "length()"), 2),
    ("ml-algorithms", "medium", "Why did the validation loss of this model drop suspiciously far below training loss?",
     LONG, 2),
    ("ml-algorithms", "easy", "Which algorithm splits the feature space with axis-aligned thresholds?",
     ("k-nearest neighbours", "Decision tree", "Linear regression", "k-means"), 1),
)
EXPLANATION = "The explanation of this question, long enough for the schema to accept it as written."


def mc_items() -> list[Item]:
    out = []
    for n, (domain, difficulty, prompt, choices, answer) in enumerate(QUESTIONS):
        out.append(validate_item({
            "id": f"mc-{domain}-{n:02d}", "domain": domain, "subtopic": f"sub{n % 2}", "kind": "multiple_choice",
            "difficulty": difficulty, "prompt": prompt, "choices": list(choices), "answer": choices[answer],
            "explanation": f"{EXPLANATION} ({n})"}))
    return out


def quiz_bank() -> Bank:
    return small_bank().merged(mc_items())


def quiz_pack() -> str:
    """The same questions as a community pack (what the adapter tests add, their harness bank has none)."""
    return export_studybot(mc_items())


class Heard:
    """A feature that records every ItemAttempted it hears (as the review feature would take them)."""

    def __init__(self) -> None:
        self.signals: list[ItemAttempted] = []

    def build(self, services: Services) -> FeatureSpec:
        async def heard(signal: ItemAttempted) -> None:
            self.signals.append(signal)

        return FeatureSpec(name="heard", listens={ItemAttempted: heard})


def builders(review: bool = False, extra: Iterable[Callable[[Services], FeatureSpec]] = ()
             ) -> list[Callable[[Services], FeatureSpec]]:
    """The composition root's features without the real review feature (another package); with `review`, a
    stand-in named "review" (the quiz only asks whether one is registered)."""
    out = [m.build for m in FEATURES if m.__name__ != "bot.features.review"]
    if review:
        out.append(lambda services: FeatureSpec(name="review"))
    return [*out, *extra]


async def quiz_harness(start: datetime, db: str = ":memory:", *, review: bool = False,
                       heard: Heard | None = None, clock: ManualClock | None = None) -> Harness:
    chat = FakeChat()
    router = ChatRouter()
    router.register(Platform.CONSOLE, chat)
    clock = clock or ManualClock(start)
    scheduler = FakeScheduler()
    extra = [heard.build] if heard is not None else []
    core = await build_core(Config(db=db), clock=clock, scheduler=scheduler, bank=quiz_bank(), chat=router,
                            features=builders(review, extra))
    return Harness(core, chat, clock, scheduler)


def part(core: Core, name: str) -> Any:
    """One of the quiz feature's parts (its stores, for reading what it recorded)."""
    quiz = next(f for f in core.registry.features if f.name == "quiz")
    return quiz.parts[name]


async def quiz(h: Harness, who: str, **options: Any) -> Response:
    return await h.command(who, "quiz", "solo", **options)


async def race(h: Harness, who: str, channel: ChannelRef | None = None, in_dm: bool = False,
               admin: bool = False, **options: Any) -> Response:
    event = CommandInvoked(h.actor(who, admin), channel or _channel(), "quiz", options, "race", in_dm=in_dm)
    return await h.handle(event)


def _channel() -> ChannelRef:
    from fakes import CHANNEL

    return CHANNEL


async def click(h: Harness, who: str, action: str, at: datetime | None = None, admin: bool = False) -> Response:
    return await h.handle(ChoiceSelected(h.actor(who, admin), _channel(), action, occurred_at=at))


def button(reply: Reply | None, label_start: str) -> str:
    assert reply is not None
    for choice in reply.choices:
        if choice.label.startswith(label_start):
            return choice.action
    raise AssertionError(f"no button {label_start!r} in {[c.label for c in reply.choices]}")


async def right_and_wrong(h: Harness, reply: Reply | None) -> tuple[str, str]:
    """The action ids of the right and of a wrong answer button on a solo question."""
    assert reply is not None and reply.choices
    action = decode(reply.choices[0].action)
    view = await part(h.core, "quiz_store").view(int(action.args[0]))
    question = view.questions[int(action.args[1])]
    by_index = {int(decode(c.action).args[-1]): c.action for c in reply.choices}
    return by_index[question.answer], by_index[(question.answer + 1) % len(by_index)]


async def race_answer(h: Harness, reply: Reply) -> tuple[str, str]:
    """The right and a wrong pick button of a posted race question."""
    qid = int(decode(reply.choices[0].action).args[0])
    question = await part(h.core, "race_store").question(qid)
    by_index = {int(decode(c.action).args[-1]): c.action for c in reply.choices}
    return by_index[question.answer], by_index[(question.answer + 1) % len(by_index)]


def member(h: Harness, who: str) -> MemberRef:
    return h.actor(who).member
