"""`python -m bot` runs the gateway; bot.app stays an ordinary module (one set of app keys)."""

from bot.app import main

main()
