"""The hand-written rules and the OpenAPI checks, without a server."""

from __future__ import annotations

import pytest

from bot.sandbox.validation import (
    RequestValidator,
    SpecValidator,
    check_commands,
    check_message,
    embed_length,
)

MESSAGES = "/channels/{channel_id}/messages"
COMMANDS = "/applications/{application_id}/commands"
CALLBACK = "/interactions/{interaction_id}/{interaction_token}/callback"


def command(name: str = "country", **extra) -> dict:
    return {"name": name, "description": "news", "type": 1, **extra}


def string_option(name: str, **extra) -> dict:
    return {"type": 3, "name": name, "description": "an option", **extra}


@pytest.mark.parametrize("name", ["Bad Name", "Country", "x" * 33, "hé!"])
def test_chat_input_names_follow_discords_pattern(name: str) -> None:
    errors = check_commands([command(name)])
    assert errors.rejection().paths() == ["0.name"]


@pytest.mark.parametrize("name", ["country", "país", "top-10", "o'brien"])
def test_valid_names_pass(name: str) -> None:
    assert not check_commands([command(name)])


def test_context_menu_names_may_have_spaces_and_capitals() -> None:
    assert not check_commands([{"name": "Ingest links", "type": 3}])


def test_required_options_come_first() -> None:
    options = [string_option("a"), string_option("b", required=True)]
    rejection = check_commands([command(options=options)]).rejection()
    assert rejection.paths() == ["0.options.1.required"]


def test_choices_and_autocomplete_are_exclusive() -> None:
    option = string_option("a", autocomplete=True, choices=[{"name": "x", "value": "x"}])
    assert check_commands([command(options=[option])]).rejection().paths() == [
        "0.options.0.autocomplete"
    ]


def test_26_choices_are_too_many() -> None:
    choices = [{"name": str(i), "value": str(i)} for i in range(26)]
    rejection = check_commands([command(options=[string_option("a", choices=choices)])]).rejection()
    assert rejection.paths() == ["0.options.0.choices"]
    assert rejection.error_codes() == ["BASE_TYPE_MAX_LENGTH"]


def test_duplicate_command_names_are_refused() -> None:
    assert check_commands([command(), command()]).rejection().error_codes() == [
        "APPLICATION_COMMANDS_DUPLICATE_NAME"
    ]


def test_embed_total_counts_title_description_fields_footer_author() -> None:
    embed = {
        "title": "ab",
        "description": "cde",
        "fields": [{"name": "f", "value": "gh"}],
        "footer": {"text": "ij"},
        "author": {"name": "k"},
    }
    assert embed_length(embed) == 11


def test_6001_characters_across_embeds_are_refused() -> None:
    embeds = [{"description": "x" * 4096}, {"description": "y" * 1905}]
    rejection = check_message({"embeds": embeds}).rejection()
    assert rejection.paths() == ["embeds"]
    assert rejection.error_codes() == ["MAX_EMBED_SIZE_EXCEEDED"]
    embeds[1]["description"] = "y" * 1904
    assert not check_message({"embeds": embeds})


def test_content_over_2000_and_six_buttons_in_a_row() -> None:
    buttons = [{"type": 2, "style": 1, "label": str(i), "custom_id": str(i)} for i in range(6)]
    body = {"content": "x" * 2001, "components": [{"type": 1, "components": buttons}]}
    assert sorted(check_message(body).rejection().paths()) == ["components.0.components", "content"]


def test_allowed_mentions_parse_and_ids_are_exclusive() -> None:
    body = {"content": "hi", "allowed_mentions": {"parse": ["users"], "users": ["1"]}}
    assert check_message(body).rejection().paths() == ["allowed_mentions"]


def test_without_spec_the_hand_rules_still_apply(caplog) -> None:
    from pathlib import Path

    assert SpecValidator.load(Path("/nonexistent/openapi.json")) is None
    assert "only hand-written rules" in caplog.text
    validator = RequestValidator(None)
    assert validator.message("POST", MESSAGES, {}, creating=True).code == 50006
    assert validator.commands(COMMANDS, [command("Bad Name")]).paths() == ["0.name"]


def test_spec_checks_embed_title_length(discord_spec: SpecValidator) -> None:
    validator = RequestValidator(discord_spec)
    rejection = validator.message(
        "POST", MESSAGES, {"embeds": [{"title": "x" * 257}]}, creating=True
    )
    assert rejection.to_json() == {
        "message": "Invalid Form Body",
        "code": 50035,
        "errors": {
            "embeds": {
                "0": {
                    "title": {
                        "_errors": [
                            {
                                "code": "BASE_TYPE_MAX_LENGTH",
                                "message": "Must be 256 or fewer in length.",
                            }
                        ]
                    }
                }
            }
        },
    }
    assert (
        validator.message("POST", MESSAGES, {"embeds": [{"title": "x" * 256}]}, creating=True)
        is None
    )


def test_spec_picks_the_callback_branch_by_type(discord_spec: SpecValidator) -> None:
    validator = RequestValidator(discord_spec)
    too_many = {"type": 8, "data": {"choices": [{"name": "a", "value": "a"}] * 26}}
    assert validator.callback(CALLBACK, too_many).paths() == ["data.choices"]
    bad_title = {"type": 4, "data": {"embeds": [{"title": "x" * 300}]}}
    assert validator.callback(CALLBACK, bad_title).paths() == ["data.embeds.0.title"]
    assert validator.callback(CALLBACK, {"type": 99}).paths() == ["type"]
    assert validator.callback(CALLBACK, {"type": 5}) is None


def test_a_file_alone_is_not_an_empty_message() -> None:
    validator = RequestValidator(None)
    from bot.sandbox.uploads import Upload

    body = {
        "type": 4,
        "data": {"attachments": []},
        "_files": [Upload("files[0]", 0, "a.csv", b"a,b")],
    }
    assert validator.callback(CALLBACK, body) is None
    assert validator.callback(CALLBACK, {"type": 4, "data": {}}).code == 50006


def test_embed_limits_hold_without_the_spec() -> None:
    embed = {
        "title": "t" * 257,
        "fields": [{"name": "n", "value": "v" * 1025}] + [{"name": "n", "value": "v"}] * 25,
        "footer": {"text": "f" * 2049},
    }
    rejection = check_message({"embeds": [embed] * 11}).rejection()
    assert set(rejection.paths()) >= {
        "embeds",
        "embeds.0.title",
        "embeds.0.fields",
        "embeds.0.fields.0.value",
        "embeds.0.footer.text",
    }


def test_content_limit_message_is_discords_for_bots(discord_spec) -> None:
    validator = RequestValidator(discord_spec)
    rejection = validator.message("POST", MESSAGES, {"content": "x" * 4001}, creating=True)
    (error,) = rejection.errors["content"]["_errors"]
    assert error["message"] == "Must be 2000 or fewer in length."


def test_the_spec_ships_inside_the_package(monkeypatch, caplog) -> None:
    from bot.sandbox.validation import SPEC_ENV, read_bundled_spec

    monkeypatch.delenv(SPEC_ENV, raising=False)
    spec = read_bundled_spec()
    assert "/channels/{channel_id}/messages" in spec["paths"]
    assert SpecValidator.load() is not None
    assert "not usable" not in caplog.text
