-- rules/acme/unsupported_regions.tos: account scope, 30-day window, no require.
CREATE OR REPLACE TABLE c AS
SELECT e.account_id AS scope, e.day, e.ts, e.event_id, e.country FROM ev e LEFT JOIN acct a USING (account_id)
WHERE NOT coalesce(a.tier = 'government' OR list_contains(a.contract, 'export_license'), false);
CREATE OR REPLACE TABLE b AS
SELECT scope, day, count(*) AS n,
       count(*) FILTER (WHERE country IN ('KP', 'IR', 'SY', 'CU')) AS unsupported
FROM c GROUP BY ALL;
INSERT INTO flagged
SELECT 'unsupported_region_access', scope, day,
       outcome(unsupported >= 10 AND unsupported / requests >= 0.5, unsupported >= 1)
FROM (SELECT p.scope, p.day, sum(b.n) OVER f AS requests, sum(b.unsupported) OVER f AS unsupported
      FROM points(30) p LEFT JOIN b USING (scope, day)
      WINDOW f AS (PARTITION BY p.scope ORDER BY p.day ROWS 29 PRECEDING))
WHERE requests > 0;
