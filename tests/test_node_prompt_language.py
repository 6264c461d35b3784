"""The speaker's own prompts (link lost/restored, identify) are short and in the hub's language once it says one."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from mqtt import Command, NodeConfig
from node.agent import Agent
from node.prompts import PROMPTS, chime, prompt
from node.speech import Speech
from tests.conftest import AlsaSink
from tests.node_agents import NODE, make_agent, speech
from tests.node_helpers import ORDERS
from tests.sound_helpers import first_sound, heard_matches, spoken

__all__ = ["make_agent", "speech"]  # fixtures, used by name


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_link_prompts_are_a_few_words_in_each_language(lang: str) -> None:
    lost, restored = prompt("link_lost", lang)[0], prompt("link_restored", lang)[0]

    print(f"{lang}: {lost} / {restored} / {prompt('identify', lang, node_id=NODE)[0]}")
    for text in (lost, restored):
        assert (len(text) <= 6) if lang == "zh" else (len(text.split()) <= 3)
        assert not any(ch.isdigit() for ch in text)
    assert set(PROMPTS[lang]) == {"link_lost", "link_restored", "identify"}


def test_the_hubs_language_outranks_the_files_for_the_speakers_own_prompts(
    make_agent: Callable[..., Agent], alsa_sink: AlsaSink, speech: Speech
) -> None:
    agent = make_agent(language="zh")
    assert agent.prompt_language == "zh"  # no word from the hub yet: the file's

    agent.on_config(NodeConfig(routes=(ORDERS,), volume=100, language="en").to_json())
    ok, _ = agent.run_command(Command(id="c1", cmd="identify"))

    heard = np.frombuffer(alsa_sink.read(), dtype="<i2").astype(np.int16)
    text, lang = prompt("identify", agent.prompt_language, node_id=NODE)
    print("identify says:", text, lang)
    bell = chime().samples  # levelled as made
    assert ok and (text, lang) == (f"I am {NODE}.", "en")
    assert heard_matches(heard, 0, bell)
    assert heard_matches(heard, first_sound(heard) - first_sound(bell) + bell.size, spoken(speech, text, "en"))  # the bell heard from its start

    agent.on_config(NodeConfig(routes=(ORDERS,), volume=70).to_json())  # a hub that names no language
    assert agent.prompt_language == "zh"
