"""Channel adapters: each turns its platform's updates into `bot.message.Incoming` rows in the
queue and delivers outbox messages back. A channel without its token configured stays off."""
