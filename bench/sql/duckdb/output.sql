-- The non-compliant points of every rule: rule, scope value, day (YYYY-MM-DD), outcome.
SELECT rule, scope, strftime(DATE '1970-01-01' + CAST(day AS INTEGER), '%Y-%m-%d') AS day, outcome
FROM flagged WHERE outcome <> 'compliant' ORDER BY rule, scope, day;
