"""Language tools for Indonesian, Javanese and Sundanese chat: one home for every text rule.

- `fold`: case, accents ("désa" = "desa"), elongation ("bangeeet" → "banget"), reduplication ("bolong2").
- `words`: the word patterns every reader splits text with.
- `resources`: the only reader of the corpora shipped in `core/language/resources/` (NusaX, indo-collex,
  STIF-Indonesia, the project's seed sentences).
- `normalise`: informal Indonesian written the standard way, before the NLU tokenises.
- `identify`: language identification (`id`, `jv`, `su`, `other`).
- `markers`: hand-written function-word lists (negation, yes, regional grammar, greetings).

Pure Python on the standard library, so the gateway (3.12), the action server and Rasa (3.10) all import
it. The NLU pipeline uses `fold`, `words`, `resources`, `normalise` and `identify` (and `core/numbers.py`):
they are training inputs (`ops/stack.py`), so changing them retrains the model.
"""
