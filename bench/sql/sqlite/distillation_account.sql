-- rules/acme/distillation_account.tos: account scope, 30-day window.
DELETE FROM win; INSERT INTO win VALUES (30);
DROP TABLE c;
CREATE TABLE c AS
SELECT e.account_id AS scope, e.day, e.ts, e.event_id, e.s_distill, e.s_template_reuse, e.text
FROM ev e LEFT JOIN acct a ON a.account_id = e.account_id
WHERE e.binding_effective >= unixepoch('2024-01-15') * 1000000
  AND NOT EXISTS (SELECT 1 FROM json_each(a.contract) WHERE value = 'distillation_permitted');
DROP TABLE b;
CREATE TABLE b AS
SELECT scope, day, count(*) AS n,
       count(*) FILTER (WHERE s_template_reuse >= 0.8) AS templated,
       count(*) FILTER (WHERE lower(text) REGEXP 'step[- ]by[- ]step|show your reasoning') AS reasoning,
       max(s_distill) AS strongest
FROM c GROUP BY scope, day;
CREATE INDEX b_key ON b (scope, day);
INSERT INTO flagged
SELECT 'distillation_account', scope, day, CASE
         WHEN v THEN 'violation' WHEN r THEN 'review'
         WHEN v IS NULL OR r IS NULL THEN 'insufficient_evidence' ELSE 'compliant' END
FROM (SELECT scope, day,
             requests >= 100 AND 1.0 * templated / requests >= 0.6 AND strongest >= 0.95 AS v,
             requests >= 50 AND strongest >= 0.9
               AND (1.0 * templated / requests >= 0.4 OR 1.0 * reasoning / requests >= 0.5) AS r,
             requests
      FROM (SELECT p.scope, p.day, sum(b.n) OVER f AS requests, sum(b.templated) OVER f AS templated,
                   sum(b.reasoning) OVER f AS reasoning, max(b.strongest) OVER f AS strongest
            FROM points p LEFT JOIN b ON b.scope = p.scope AND b.day = p.day
            WINDOW f AS (PARTITION BY p.scope ORDER BY p.day ROWS 29 PRECEDING)))
WHERE requests > 0;
