"""The chat through Gradio's own client API, as the README shows it."""

from __future__ import annotations


def test_the_client_api_returns_the_answer_and_its_citations(app_server):
    from gradio_client import Client

    result = Client(app_server.url, verbose=False).predict(
        "How many people were beheaded at the al-Fugaha checkpoint?", api_name="/ask"
    )

    assert "eleven" in result["answer"]
    assert result["abstained"] is False
    first = result["citations"][0]
    assert first["n"] == 1 and first["article_id"] == "002_87556d76f135b60a"
    assert first["quote"] in first["paragraph_text"]
    assert "[1]" in result["answer"]


def test_the_client_api_takes_earlier_questions_as_history(app_server):
    from gradio_client import Client

    result = Client(app_server.url, verbose=False).predict(
        "How many people were beheaded?",
        ["When did Islamic State fighters attack the al-Fugaha checkpoint?"],
        api_name="/ask",
    )

    assert "eleven" in result["answer"].lower()


def test_the_client_api_reports_an_empty_question_as_an_error(app_server):
    import pytest
    from gradio_client import Client
    from gradio_client.exceptions import AppError

    with pytest.raises(AppError) as caught:
        Client(app_server.url, verbose=False).predict("   ", api_name="/ask")
    assert str(caught.value).strip()


def test_only_the_documented_endpoints_are_exposed(app_server):
    from gradio_client import Client

    api = Client(app_server.url, verbose=False).view_api(print_info=False, return_format="dict")

    assert set(api["named_endpoints"]) == {"/ask", "/status"}
    assert api["unnamed_endpoints"] == {}
