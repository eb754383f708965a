"""Channel adapters: web chat (`web`), Telegram (`telegram/`), WhatsApp (`whatsapp/`).

A channel is two things. In: parse what the platform sends into `bot.message.Incoming` (channel name,
sender, the platform's message id, the text for Rasa; a `notice` for what Rasa cannot use, a `Photo`
to fetch) and hand it to `app[keys.INTAKE].accept` — the intake stores it once and does the rest
(rate limit, empty and length checks, photo download and storage, queueing, wake-ups). Out: implement
`bot.sender.Sender.send` for one `Outgoing` and register it in `app[keys.SENDERS]`; the outbox
dispatcher retries and keeps each recipient's order. A channel without its token configured stays off.
"""
