-- rules/acme/distillation_account.tos: account scope, 30-day window.
CREATE OR REPLACE TABLE c AS
SELECT e.account_id AS scope, e.day, e.ts, e.event_id, e.s_distill, e.s_template_reuse, e.text
FROM ev e LEFT JOIN acct a USING (account_id)
WHERE e.binding_effective >= epoch_us(TIMESTAMP '2024-01-15')
  AND NOT coalesce(list_contains(a.contract, 'distillation_permitted'), false);
CREATE OR REPLACE TABLE b AS
SELECT scope, day, count(*) AS n,
       count(*) FILTER (WHERE s_template_reuse >= 0.8) AS templated,
       count(*) FILTER (WHERE regexp_matches(text, 'step[- ]by[- ]step|show your reasoning', 'i')) AS reasoning,
       max(s_distill) AS strongest
FROM c GROUP BY ALL;
INSERT INTO flagged
SELECT 'distillation_account', scope, day,
       outcome(requests >= 100 AND templated / requests >= 0.6 AND strongest >= 0.95,
               requests >= 50 AND strongest >= 0.9 AND (templated / requests >= 0.4 OR reasoning / requests >= 0.5))
FROM (SELECT p.scope, p.day, sum(b.n) OVER f AS requests, sum(b.templated) OVER f AS templated,
             sum(b.reasoning) OVER f AS reasoning, max(b.strongest) OVER f AS strongest
      FROM points(30) p LEFT JOIN b USING (scope, day)
      WINDOW f AS (PARTITION BY p.scope ORDER BY p.day ROWS 29 PRECEDING))
WHERE requests > 0;
