-- rules/acme/distillation_cluster.tos: cluster scope, 14-day window, 5 active days.
CREATE OR REPLACE TABLE c AS
SELECT e.cluster_id AS scope, e.day, e.ts, e.event_id, e.account_id, e.s_distill, e.s_template_reuse
FROM ev e LEFT JOIN acct a USING (account_id)
WHERE e.binding_effective >= epoch_us(TIMESTAMP '2024-01-15')
  AND NOT coalesce(list_contains(a.contract, 'distillation_permitted'), false);
CREATE OR REPLACE TABLE b AS
SELECT scope, day, count(*) AS n, count(*) FILTER (WHERE s_distill >= 0.9) AS distilled,
       min(s_template_reuse) AS weakest
FROM c GROUP BY ALL;
CREATE OR REPLACE TABLE dv AS SELECT DISTINCT 'accounts' AS agg, scope, account_id AS val, day FROM c;
INSERT INTO flagged
SELECT 'distillation_cluster', scope, day,
       outcome(accounts >= 3 AND requests >= 400 AND distilled / requests >= 0.8 AND weakest >= 0.5,
               accounts >= 2 AND requests >= 100 AND distilled / requests >= 0.5)
FROM (SELECT p.scope, p.day, sum(b.n) OVER f AS requests, count(b.n) OVER f AS active,
             sum(b.distilled) OVER f AS distilled, min(b.weakest) OVER f AS weakest,
             sum(coalesce(d.delta, 0)) OVER (PARTITION BY p.scope ORDER BY p.day) AS accounts
      FROM points(14) p LEFT JOIN b USING (scope, day) LEFT JOIN distinct_deltas(14) d USING (scope, day)
      WINDOW f AS (PARTITION BY p.scope ORDER BY p.day ROWS 13 PRECEDING))
WHERE requests > 0 AND active >= 5;
