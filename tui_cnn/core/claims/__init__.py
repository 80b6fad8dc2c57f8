"""The chapter's claims as experiments, each ending in a verdict with its numbers.

``catalog.CLAIMS`` lists them (id as in the chapter's sections); each claim module has an
experiment ``run(lab) -> Verdict`` and a verdict rule tested on made-up results
(``verdict.py``). A :class:`lab.Lab` trains what the experiments need, several seeds each,
once: runs are shared between claims and kept under ``<runs dir>/claims/``.
"""
