"""The browser UI (Gradio) over `qa.Assistant`; `app.py` is its entry point."""
