"""Messages that answer nothing are never taken as a yes or a no.

"Apakah data ini sudah benar?" is answered with `affirm` or `deny`, and `affirm` stores the proposal.
A stray "?" or a keyboard mash must take the unclear path instead (nlu_fallback → a rephrase prompt,
or out_of_scope). DIET alone read "?", "xyz" and "zzz" as a confident yes or no; the n-gram blend
(nlu/components/ngram_classifier.py) does not.
"""

from __future__ import annotations

from tests.nlu.test_heldout import parse_all

NON_ANSWERS = ["?", "zzz", "xyz", "qqq", "!!!", "-", "mmm", "hmm", "asdf", "lorem ipsum", "jkjkjk", "..."]


async def test_non_answers_are_neither_yes_nor_no(stack) -> None:
    results = await parse_all(stack.rasa_url, NON_ANSWERS)
    read_as_answer = {text: (r["intent"]["name"], round(r["intent"]["confidence"], 2))
                      for text, r in zip(NON_ANSWERS, results, strict=True)
                      if r["intent"]["name"] in {"affirm", "deny"}}
    assert not read_as_answer
