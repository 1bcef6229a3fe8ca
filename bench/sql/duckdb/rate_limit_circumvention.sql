-- rules/acme/rate_limit_circumvention.tos: cluster scope, 7-day window, 3 active days.
CREATE OR REPLACE TABLE c AS
SELECT cluster_id AS scope, day, ts, event_id, account_id, status FROM ev
WHERE binding_effective >= epoch_us(TIMESTAMP '2025-06-01');
CREATE OR REPLACE TABLE b AS
SELECT scope, day, count(*) AS n, count(*) FILTER (WHERE status = 'rate_limited') AS limited
FROM c GROUP BY ALL;
CREATE OR REPLACE TABLE dv AS SELECT DISTINCT 'accounts' AS agg, scope, account_id AS val, day FROM c;
INSERT INTO flagged
SELECT 'rate_limit_circumvention', scope, day,
       outcome(accounts >= 5 AND requests / 7 >= 10 AND limited >= 10 AND limited / requests >= 0.08,
               accounts >= 3 AND limited >= 5 AND limited / requests >= 0.05)
FROM (SELECT p.scope, p.day, sum(b.n) OVER f AS requests, count(b.n) OVER f AS active,
             sum(b.limited) OVER f AS limited,
             sum(coalesce(d.delta, 0)) OVER (PARTITION BY p.scope ORDER BY p.day) AS accounts
      FROM points(7) p LEFT JOIN b USING (scope, day) LEFT JOIN distinct_deltas(7) d USING (scope, day)
      WINDOW f AS (PARTITION BY p.scope ORDER BY p.day ROWS 6 PRECEDING))
WHERE requests > 0 AND active >= 3;
