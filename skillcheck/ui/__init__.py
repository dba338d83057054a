"""The Streamlit app's helpers: the chat turn adapter, rendering, the eligibility form.

``app.py`` at the top of the repository holds only the layout and the wiring; what
it shows is built here, so it can be tested without a browser.
"""
