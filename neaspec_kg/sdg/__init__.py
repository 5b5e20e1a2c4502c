"""UN SDG vocabularies: the UN SDG KOS as its own named graph, and SDG links.

* :mod:`neaspec_kg.sdg.kos` loads the UN KOS data (never its ontology file) and
  exposes goal/target texts by code (``kos_graph(data_dir)``).
* :mod:`neaspec_kg.sdg.link` links programme areas, mechanisms, projects, decisions,
  statements and commitments to SDG goals/targets with a reproducible method and
  records how every link was made, in the ``links-sdg`` named graph
  (``link_sdgs(extraction, curated)``).
* :mod:`neaspec_kg.sdg.evaluate` measures those links against a hand-judged set.
"""
