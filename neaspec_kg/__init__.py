"""neaspec-kg: the linked open data knowledge graph of NEASPEC.

The package layout follows the data flow:
sources -> report (parse) -> extract -> rdf -> validate -> store -> serve / publish.
"""

__version__ = "0.1.0"
