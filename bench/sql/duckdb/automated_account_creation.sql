-- rules/acme/automated_account_creation.tos: cluster scope, 1-day window.
CREATE OR REPLACE TABLE c AS
SELECT e.cluster_id AS scope, e.day, e.ts, e.event_id, e.account_id, a.email_domain, e.s_account_risk
FROM ev e LEFT JOIN acct a USING (account_id)
WHERE e.ts - a.created_at <= 3 * 86400000000;
CREATE OR REPLACE TABLE b AS
SELECT scope, day, count(*) AS n, count(DISTINCT account_id) AS fresh_accounts,
       count(DISTINCT email_domain) AS domains, max(s_account_risk) AS risk
FROM c GROUP BY ALL;
INSERT INTO flagged
SELECT 'automated_account_creation', scope, day,
       outcome(fresh_accounts >= 5 AND domains <= 2,
               fresh_accounts >= 3 OR (fresh_accounts >= 2 AND risk >= 0.8))
FROM b;
