"""Content of the demo evaluation project (issue 9), written for the demo: the codebook, the
evaluation matrix, the interview register with its coding, the three case narratives and the
prospective workshop. All of it is synthetic; the people named in the raw transcripts
(``transcripts/*.txt``) are fictional and their names never reach the database (the
transcripts go through the pseudonymisation helper as an upload would).

French text here is data (what evaluators would have typed), not interface text: it is not
translated through the catalogue.
"""
