"""The business's web app: call inbox, call pages, live calls, profile editor, data protection, accounts, browser phone.

Starlette on uvicorn with server-rendered Jinja2 templates; it reads and writes the daemon's SQLite store on its own connections.
"""
