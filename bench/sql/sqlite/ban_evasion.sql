-- rules/acme/ban_evasion.tos: cluster scope, 90-day window, account attributes.
DELETE FROM win; INSERT INTO win VALUES (90);
DROP TABLE c;
CREATE TABLE c AS
SELECT e.cluster_id AS scope, e.day, e.ts, e.event_id, e.account_id, a.banned_at, a.created_at,
       a.payment_fingerprint
FROM ev e LEFT JOIN acct a ON a.account_id = e.account_id;
DROP TABLE b;
CREATE TABLE b AS
SELECT scope, day, count(*) AS n, count(*) FILTER (WHERE banned_at > 0) AS banned_requests,
       min(banned_at) AS first_ban, max(created_at) AS newest_account
FROM c GROUP BY scope, day;
CREATE INDEX b_key ON b (scope, day);
DROP TABLE dv;
CREATE TABLE dv AS
SELECT DISTINCT 'accounts' AS agg, scope, account_id AS val, day FROM c
UNION ALL
SELECT DISTINCT 'payment_methods', scope, payment_fingerprint, day FROM c WHERE payment_fingerprint IS NOT NULL;
DROP TABLE IF EXISTS dd;
CREATE TABLE dd AS
SELECT scope, day, sum(delta) FILTER (WHERE agg = 'accounts') AS accounts,
       sum(delta) FILTER (WHERE agg = 'payment_methods') AS payment_methods
FROM distinct_deltas GROUP BY scope, day;
CREATE INDEX dd_key ON dd (scope, day);
INSERT INTO flagged
SELECT 'ban_evasion', scope, day, CASE
         WHEN v THEN 'violation' WHEN r THEN 'review'
         WHEN v IS NULL OR r IS NULL THEN 'insufficient_evidence' ELSE 'compliant' END
FROM (SELECT scope, day, requests,
             banned_requests > 0 AND newest_account > first_ban AS v,
             banned_requests > 0 AND payment_methods < accounts AS r
      FROM (SELECT p.scope, p.day, sum(b.n) OVER f AS requests, sum(b.banned_requests) OVER f AS banned_requests,
                   min(b.first_ban) OVER f AS first_ban, max(b.newest_account) OVER f AS newest_account,
                   sum(coalesce(d.accounts, 0)) OVER o AS accounts,
                   sum(coalesce(d.payment_methods, 0)) OVER o AS payment_methods
            FROM points p LEFT JOIN b ON b.scope = p.scope AND b.day = p.day
            LEFT JOIN dd d ON d.scope = p.scope AND d.day = p.day
            WINDOW f AS (PARTITION BY p.scope ORDER BY p.day ROWS 89 PRECEDING),
                   o AS (PARTITION BY p.scope ORDER BY p.day)))
WHERE requests > 0;
