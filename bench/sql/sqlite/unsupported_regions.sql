-- rules/acme/unsupported_regions.tos: account scope, 30-day window, no require.
DELETE FROM win; INSERT INTO win VALUES (30);
DROP TABLE c;
CREATE TABLE c AS
SELECT e.account_id AS scope, e.day, e.ts, e.event_id, e.country
FROM ev e LEFT JOIN acct a ON a.account_id = e.account_id
WHERE NOT coalesce(a.tier = 'government'
                   OR (a.account_id IS NOT NULL
                       AND EXISTS (SELECT 1 FROM json_each(a.contract) WHERE value = 'export_license')), 0);
DROP TABLE b;
CREATE TABLE b AS
SELECT scope, day, count(*) AS n, count(*) FILTER (WHERE country IN ('KP', 'IR', 'SY', 'CU')) AS unsupported
FROM c GROUP BY scope, day;
CREATE INDEX b_key ON b (scope, day);
INSERT INTO flagged
SELECT 'unsupported_region_access', scope, day, CASE
         WHEN v THEN 'violation' WHEN r THEN 'review'
         WHEN v IS NULL OR r IS NULL THEN 'insufficient_evidence' ELSE 'compliant' END
FROM (SELECT scope, day, requests,
             unsupported >= 10 AND 1.0 * unsupported / requests >= 0.5 AS v, unsupported >= 1 AS r
      FROM (SELECT p.scope, p.day, sum(b.n) OVER f AS requests, sum(b.unsupported) OVER f AS unsupported
            FROM points p LEFT JOIN b ON b.scope = p.scope AND b.day = p.day
            WINDOW f AS (PARTITION BY p.scope ORDER BY p.day ROWS 29 PRECEDING)))
WHERE requests > 0;
