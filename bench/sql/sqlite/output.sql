-- The non-compliant points of every rule: rule, scope value, day (YYYY-MM-DD), outcome.
SELECT rule, scope, date(day * 86400, 'unixepoch') AS day, outcome
FROM flagged WHERE outcome <> 'compliant' ORDER BY rule, scope, day;
