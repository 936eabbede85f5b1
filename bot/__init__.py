"""The Telegram side of briefbot: command line, rendering and (later) the PTB application."""
