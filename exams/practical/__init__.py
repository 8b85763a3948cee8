"""The practical examination (OSCE): scheduling assessments, examiners' marks, the pass
rule (``services``), reads (``selectors``), standard setting by borderline regression
(``standard_setting``, drawn by ``charts``), and its pages (``views``, ``urls``)."""
