-- rules/acme/distillation_cluster.tos: cluster scope, 14-day window, 5 active days.
DELETE FROM win; INSERT INTO win VALUES (14);
DROP TABLE c;
CREATE TABLE c AS
SELECT e.cluster_id AS scope, e.day, e.ts, e.event_id, e.account_id, e.s_distill, e.s_template_reuse
FROM ev e LEFT JOIN acct a ON a.account_id = e.account_id
WHERE e.binding_effective >= unixepoch('2024-01-15') * 1000000
  AND NOT EXISTS (SELECT 1 FROM json_each(a.contract) WHERE value = 'distillation_permitted');
DROP TABLE b;
CREATE TABLE b AS
SELECT scope, day, count(*) AS n, count(*) FILTER (WHERE s_distill >= 0.9) AS distilled,
       min(s_template_reuse) AS weakest
FROM c GROUP BY scope, day;
CREATE INDEX b_key ON b (scope, day);
DROP TABLE dv;
CREATE TABLE dv AS SELECT DISTINCT 'accounts' AS agg, scope, account_id AS val, day FROM c;
DROP TABLE IF EXISTS dd;
CREATE TABLE dd AS SELECT scope, day, delta AS accounts FROM distinct_deltas;
CREATE INDEX dd_key ON dd (scope, day);
INSERT INTO flagged
SELECT 'distillation_cluster', scope, day, CASE
         WHEN v THEN 'violation' WHEN r THEN 'review'
         WHEN v IS NULL OR r IS NULL THEN 'insufficient_evidence' ELSE 'compliant' END
FROM (SELECT scope, day, requests, active,
             accounts >= 3 AND requests >= 400 AND 1.0 * distilled / requests >= 0.8 AND weakest >= 0.5 AS v,
             accounts >= 2 AND requests >= 100 AND 1.0 * distilled / requests >= 0.5 AS r
      FROM (SELECT p.scope, p.day, sum(b.n) OVER f AS requests, count(b.n) OVER f AS active,
                   sum(b.distilled) OVER f AS distilled, min(b.weakest) OVER f AS weakest,
                   sum(coalesce(d.accounts, 0)) OVER (PARTITION BY p.scope ORDER BY p.day) AS accounts
            FROM points p LEFT JOIN b ON b.scope = p.scope AND b.day = p.day
            LEFT JOIN dd d ON d.scope = p.scope AND d.day = p.day
            WINDOW f AS (PARTITION BY p.scope ORDER BY p.day ROWS 13 PRECEDING)))
WHERE requests > 0 AND active >= 5;
