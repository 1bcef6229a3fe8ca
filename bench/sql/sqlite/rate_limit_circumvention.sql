-- rules/acme/rate_limit_circumvention.tos: cluster scope, 7-day window, 3 active days.
DELETE FROM win; INSERT INTO win VALUES (7);
DROP TABLE c;
CREATE TABLE c AS
SELECT cluster_id AS scope, day, ts, event_id, account_id, status FROM ev
WHERE binding_effective >= unixepoch('2025-06-01') * 1000000;
DROP TABLE b;
CREATE TABLE b AS
SELECT scope, day, count(*) AS n, count(*) FILTER (WHERE status = 'rate_limited') AS limited
FROM c GROUP BY scope, day;
CREATE INDEX b_key ON b (scope, day);
DROP TABLE dv;
CREATE TABLE dv AS SELECT DISTINCT 'accounts' AS agg, scope, account_id AS val, day FROM c;
DROP TABLE IF EXISTS dd;
CREATE TABLE dd AS SELECT scope, day, delta AS accounts FROM distinct_deltas;
CREATE INDEX dd_key ON dd (scope, day);
INSERT INTO flagged
SELECT 'rate_limit_circumvention', scope, day, CASE
         WHEN v THEN 'violation' WHEN r THEN 'review'
         WHEN v IS NULL OR r IS NULL THEN 'insufficient_evidence' ELSE 'compliant' END
FROM (SELECT scope, day, requests, active,
             accounts >= 5 AND requests / 7.0 >= 10 AND limited >= 10 AND 1.0 * limited / requests >= 0.08 AS v,
             accounts >= 3 AND limited >= 5 AND 1.0 * limited / requests >= 0.05 AS r
      FROM (SELECT p.scope, p.day, sum(b.n) OVER f AS requests, count(b.n) OVER f AS active,
                   sum(b.limited) OVER f AS limited,
                   sum(coalesce(d.accounts, 0)) OVER (PARTITION BY p.scope ORDER BY p.day) AS accounts
            FROM points p LEFT JOIN b ON b.scope = p.scope AND b.day = p.day
            LEFT JOIN dd d ON d.scope = p.scope AND d.day = p.day
            WINDOW f AS (PARTITION BY p.scope ORDER BY p.day ROWS 6 PRECEDING)))
WHERE requests > 0 AND active >= 3;
