-- Clusters for the scan benchmark's SQL (read by DuckDB and by sqlite3 alike, between
-- their load.sql and prepare.sql): connected components over the linking identifiers
-- of the configuration (account.payment_fingerprint, account.device_id,
-- account.signup_ip, event.device_id), from the tables acct and raw_ev. A value shared
-- by more than 50 accounts links nobody; the cluster id is the smallest member.
CREATE TABLE link_values AS
SELECT DISTINCT ident, val, account_id FROM (
  SELECT 'account.payment_fingerprint' AS ident, payment_fingerprint AS val, account_id FROM acct
  UNION ALL SELECT 'account.device_id', device_id, account_id FROM acct
  UNION ALL SELECT 'account.signup_ip', signup_ip, account_id FROM acct
  UNION ALL SELECT 'event.device_id', device_id, account_id FROM raw_ev)
WHERE val IS NOT NULL;
CREATE TABLE link_edges AS
WITH shared AS (
  SELECT ident, val, min(account_id) AS root FROM link_values
  GROUP BY ident, val HAVING count(*) BETWEEN 2 AND 50)
SELECT DISTINCT l.account_id AS a, s.root AS b
FROM link_values l JOIN shared s ON s.ident = l.ident AND s.val = l.val
WHERE l.account_id <> s.root;
CREATE TABLE cluster_of AS
WITH RECURSIVE
  e(a, b) AS (SELECT a, b FROM link_edges UNION SELECT b, a FROM link_edges),
  r(a, b) AS (SELECT DISTINCT a, a FROM e UNION SELECT r.a, e.b FROM r JOIN e ON e.a = r.b)
SELECT a AS account_id, min(b) AS cluster_id FROM r GROUP BY a;
CREATE UNIQUE INDEX cluster_of_account ON cluster_of (account_id);
