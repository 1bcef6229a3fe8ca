-- rules/acme/automated_account_creation.tos: cluster scope, 1-day window.
DROP TABLE c;
CREATE TABLE c AS
SELECT e.cluster_id AS scope, e.day, e.ts, e.event_id, e.account_id, a.email_domain, e.s_account_risk
FROM ev e LEFT JOIN acct a ON a.account_id = e.account_id
WHERE e.ts - a.created_at <= 3 * 86400000000;
INSERT INTO flagged
SELECT 'automated_account_creation', scope, day, CASE
         WHEN v THEN 'violation' WHEN r THEN 'review'
         WHEN v IS NULL OR r IS NULL THEN 'insufficient_evidence' ELSE 'compliant' END
FROM (SELECT scope, day, fresh_accounts >= 5 AND domains <= 2 AS v,
             fresh_accounts >= 3 OR (fresh_accounts >= 2 AND risk >= 0.8) AS r
      FROM (SELECT scope, day, count(DISTINCT account_id) AS fresh_accounts,
                   count(DISTINCT email_domain) AS domains, max(s_account_risk) AS risk
            FROM c GROUP BY scope, day));
