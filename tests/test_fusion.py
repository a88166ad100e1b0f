"""How the coverage rerank is weighed: by the share of the question rendered surely."""

from __future__ import annotations

from retrieve.expand import Expansion, Rendering
from retrieve.hybrid import named_share


def test_named_share_counts_names_and_dates_not_dictionary_senses():
    expansion = Expansion(renderings=[Rendering("names", "tesla", ("特斯拉",), 1.0),
                                      Rendering("dictionary", "receive", ("收到", "受到"), 0.5),
                                      Rendering("date", "june 2023", ("2023年6月",), 1.0)])
    concepts = [["tesla", "特斯拉"], ["receive", "收到", "受到"], ["june 2023", "2023年6月"]]
    weighted = [(3.0, ["tesla"]), (1.0, ["receive"]), (2.0, ["june2023"])]
    assert named_share(expansion, concepts, weighted) == 5.0 / 6.0
    assert named_share(expansion, concepts[1:2], weighted[1:2]) == 0.0
    assert named_share(Expansion(), [], []) == 0.0
