"""The app over a Chroma server: when the server stops, the page and the API say what is wrong, without tracebacks."""

from __future__ import annotations

import pytest

from tests.index.test_server import ChromaServer
from tests.ui.conftest import start_app, wait_until_ready


@pytest.mark.server
def test_a_stopped_chroma_server_is_named_in_the_status_and_in_answers(tmp_path):
    from gradio_client import Client

    chroma = ChromaServer(tmp_path / "server-data")
    app = None
    try:
        app = start_app(tmp_path / "app", env={"QA_CHROMA_URL": chroma.url})
        wait_until_ready(app, articles=5)
        client = Client(app.url, verbose=False)
        assert (
            "eleven"
            in client.predict("how many people were beheaded at the al-Fugaha checkpoint?", api_name="/ask")["answer"]
        )
        chroma.stop()
        status = client.predict(api_name="/status")
        assert "Chroma server" in status["message"] and chroma.url in status["message"]
        with pytest.raises(Exception, match="Chroma server"):
            client.predict("how many people were beheaded at the al-Fugaha checkpoint?", api_name="/ask")
    finally:
        chroma.stop()
        if app is not None:
            app.stop()
    assert "Traceback" not in app.log(), app.log()[-6000:]
