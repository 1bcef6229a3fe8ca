-- rules/acme/ban_evasion.tos: cluster scope, 90-day window, account attributes.
CREATE OR REPLACE TABLE c AS
SELECT e.cluster_id AS scope, e.day, e.ts, e.event_id, e.account_id, a.banned_at, a.created_at,
       a.payment_fingerprint
FROM ev e LEFT JOIN acct a USING (account_id);
CREATE OR REPLACE TABLE b AS
SELECT scope, day, count(*) AS n, count(*) FILTER (WHERE banned_at > 0) AS banned_requests,
       min(banned_at) AS first_ban, max(created_at) AS newest_account
FROM c GROUP BY ALL;
CREATE OR REPLACE TABLE dv AS
SELECT DISTINCT 'accounts' AS agg, scope, account_id AS val, day FROM c
UNION ALL
SELECT DISTINCT 'payment_methods', scope, payment_fingerprint, day FROM c WHERE payment_fingerprint IS NOT NULL;
CREATE OR REPLACE TABLE dd AS
SELECT scope, day, sum(delta) FILTER (WHERE agg = 'accounts') AS accounts,
       sum(delta) FILTER (WHERE agg = 'payment_methods') AS payment_methods
FROM distinct_deltas(90) GROUP BY ALL;
INSERT INTO flagged
SELECT 'ban_evasion', scope, day,
       outcome(banned_requests > 0 AND newest_account > first_ban,
               banned_requests > 0 AND payment_methods < accounts)
FROM (SELECT p.scope, p.day, sum(b.n) OVER f AS requests, sum(b.banned_requests) OVER f AS banned_requests,
             min(b.first_ban) OVER f AS first_ban, max(b.newest_account) OVER f AS newest_account,
             sum(coalesce(d.accounts, 0)) OVER r AS accounts,
             sum(coalesce(d.payment_methods, 0)) OVER r AS payment_methods
      FROM points(90) p LEFT JOIN b USING (scope, day) LEFT JOIN dd d USING (scope, day)
      WINDOW f AS (PARTITION BY p.scope ORDER BY p.day ROWS 89 PRECEDING),
             r AS (PARTITION BY p.scope ORDER BY p.day))
WHERE requests > 0;
