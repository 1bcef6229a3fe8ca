-- tosguard's evaluation inputs in the sqlite3 shell, for the scan benchmark
-- (docs/performance.md): the same tables as bench/sql/duckdb/load.sql. Each JSONL file
-- of the current directory is imported line by line into a one-column table and read
-- with json_extract. Timestamps are read in the canonical form the canonical preset
-- writes (RFC 3339 in UTC with a "Z", fractions up to microseconds); other offsets are
-- not handled here. Days are integers (days since 1970-01-01); a bucket is
-- (start of D, start of D+1].
.output /dev/null
PRAGMA journal_mode = OFF;
.output stdout
PRAGMA synchronous = OFF;
PRAGMA cache_size = -1000000;
PRAGMA temp_store = FILE;

.mode ascii
.separator "\037" "\n"
CREATE TABLE raw_events (line TEXT);
CREATE TABLE raw_accounts (line TEXT);
CREATE TABLE raw_acceptances (line TEXT);
CREATE TABLE raw_signals (line TEXT);
.import events.jsonl raw_events
.import accounts.jsonl raw_accounts
.import acceptances.jsonl raw_acceptances
.import signals.jsonl raw_signals
.mode list
.separator "\t" "\n"

-- "2025-05-10T00:30:36.587Z" -> microseconds since the epoch.
CREATE VIEW raw_ev AS
SELECT json_extract(line, '$.event_id') AS event_id, json_extract(line, '$.ts') AS t,
       json_extract(line, '$.account_id') AS account_id, json_extract(line, '$.org_id') AS org_id,
       json_extract(line, '$.api_key_id') AS api_key_id, json_extract(line, '$.endpoint') AS endpoint,
       json_extract(line, '$.output_tokens') AS output_tokens,
       json_extract(line, '$.max_tokens') AS max_tokens,
       json_extract(line, '$.params.logprobs') AS logprobs,
       json_extract(line, '$.params.top_logprobs') AS top_logprobs,
       json_extract(line, '$.params.logit_bias_size') AS logit_bias_size,
       json_extract(line, '$.status') AS status, json_extract(line, '$.client_ip') AS client_ip,
       json_extract(line, '$.country') AS country, json_extract(line, '$.user_agent') AS user_agent,
       json_extract(line, '$.device_id') AS device_id, json_extract(line, '$.text') AS text
FROM raw_events;
CREATE TABLE ev0 AS
SELECT event_id, unixepoch(substr(t, 1, 19)) * 1000000
         + CASE WHEN substr(t, 20, 1) = '.'
                THEN CAST(substr(substr(t, 21, instr(t, 'Z') - 21) || '000000', 1, 6) AS INTEGER)
                ELSE 0 END AS ts,
       account_id, org_id, api_key_id, endpoint, output_tokens, max_tokens, logprobs,
       top_logprobs, logit_bias_size, status, client_ip, country, user_agent, device_id, text
FROM raw_ev;
DROP VIEW raw_ev;
DROP TABLE raw_events;

CREATE TABLE acct AS
SELECT account_id, org_id, tier, country, payment_fingerprint, coalesce(contract, '[]') AS contract,
       signup_ip, device_id, email_domain,
       unixepoch(substr(c, 1, 19)) * 1000000
         + CASE WHEN substr(c, 20, 1) = '.'
                THEN CAST(substr(substr(c, 21, instr(c, 'Z') - 21) || '000000', 1, 6) AS INTEGER)
                ELSE 0 END AS created_at,
       unixepoch(substr(x, 1, 19)) * 1000000
         + CASE WHEN substr(x, 20, 1) = '.'
                THEN CAST(substr(substr(x, 21, instr(x, 'Z') - 21) || '000000', 1, 6) AS INTEGER)
                ELSE 0 END AS banned_at
FROM (SELECT json_extract(line, '$.account_id') AS account_id, json_extract(line, '$.org_id') AS org_id,
             json_extract(line, '$.tier') AS tier, json_extract(line, '$.country') AS country,
             json_extract(line, '$.payment_fingerprint') AS payment_fingerprint,
             json_extract(line, '$.contract') AS contract, json_extract(line, '$.signup_ip') AS signup_ip,
             json_extract(line, '$.device_id') AS device_id,
             json_extract(line, '$.email_domain') AS email_domain,
             json_extract(line, '$.created_at') AS c, json_extract(line, '$.banned_at') AS x
      FROM raw_accounts);
CREATE UNIQUE INDEX acct_id ON acct (account_id);

-- The versions of policy acme_terms (rules/acme/policy.tos) and, per account, the
-- first acceptance of each declared version (acceptances of other versions are ignored).
CREATE TABLE versions (version TEXT, effective INTEGER);
INSERT INTO versions VALUES ('2024-01', unixepoch('2024-01-15') * 1000000),
                            ('2025-06', unixepoch('2025-06-01') * 1000000);
CREATE TABLE accepted AS
SELECT a.account_id, v.version, v.effective,
       min(unixepoch(substr(a.t, 1, 19)) * 1000000
           + CASE WHEN substr(a.t, 20, 1) = '.'
                  THEN CAST(substr(substr(a.t, 21, instr(a.t, 'Z') - 21) || '000000', 1, 6) AS INTEGER)
                  ELSE 0 END) AS accepted_at
FROM (SELECT json_extract(line, '$.account_id') AS account_id, json_extract(line, '$.policy') AS policy,
             json_extract(line, '$.version') AS version, json_extract(line, '$.accepted_at') AS t
      FROM raw_acceptances) a
JOIN versions v ON v.version = a.version
WHERE a.policy = 'acme_terms'
GROUP BY a.account_id, v.version, v.effective;
CREATE INDEX accepted_account ON accepted (account_id);

-- Signals: per (detector, subject) the latest, at equal ts the higher score.
CREATE TABLE raw_sig AS
SELECT detector, subject_kind, subject, score,
       unixepoch(substr(t, 1, 19)) * 1000000
         + CASE WHEN substr(t, 20, 1) = '.'
                THEN CAST(substr(substr(t, 21, instr(t, 'Z') - 21) || '000000', 1, 6) AS INTEGER)
                ELSE 0 END AS ts
FROM (SELECT json_extract(line, '$.detector') AS detector,
             json_extract(line, '$.subject_kind') AS subject_kind,
             json_extract(line, '$.subject') AS subject, json_extract(line, '$.ts') AS t,
             json_extract(line, '$.score') AS score
      FROM raw_signals);
CREATE TABLE sig_event AS
SELECT detector, event_id, score FROM (
  SELECT detector, subject AS event_id, score,
         row_number() OVER (PARTITION BY detector, subject ORDER BY ts DESC, score DESC) AS rn
  FROM raw_sig WHERE subject_kind = 'event')
WHERE rn = 1;
CREATE UNIQUE INDEX sig_event_id ON sig_event (detector, event_id);
CREATE TABLE sig_account AS
SELECT detector, subject AS account_id, ts, max(score) AS score
FROM raw_sig WHERE subject_kind = 'account' GROUP BY detector, subject, ts;
CREATE INDEX sig_account_ts ON sig_account (detector, account_id, ts);

-- Clusters: connected components over the linking identifiers of the configuration;
-- a value shared by more than 50 accounts links nobody. Cluster id = smallest member.
CREATE TABLE link_values AS
SELECT DISTINCT ident, val, account_id FROM (
  SELECT 'account.payment_fingerprint' AS ident, payment_fingerprint AS val, account_id FROM acct
  UNION ALL SELECT 'account.device_id', device_id, account_id FROM acct
  UNION ALL SELECT 'account.signup_ip', signup_ip, account_id FROM acct
  UNION ALL SELECT 'event.device_id', device_id, account_id FROM ev0)
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

-- Binding version at each event's time, cluster, org, and the detector scores it sees.
CREATE TABLE ev AS
SELECT e.event_id, e.ts, (e.ts - 1) / 86400000000 AS day, e.account_id,
       coalesce(e.org_id, a.org_id) AS org_id, e.api_key_id, e.endpoint, e.output_tokens,
       e.max_tokens, e.logprobs, e.top_logprobs, e.logit_bias_size, e.status, e.client_ip,
       e.country, e.user_agent, e.device_id, e.text,
       coalesce(c.cluster_id, e.account_id) AS cluster_id,
       (SELECT max(p.effective) FROM accepted p
        WHERE p.account_id = e.account_id AND p.accepted_at <= e.ts AND p.effective <= e.ts)
         AS binding_effective,
       coalesce((SELECT score FROM sig_event s WHERE s.detector = 'distill' AND s.event_id = e.event_id),
                (SELECT score FROM sig_account s WHERE s.detector = 'distill'
                   AND s.account_id = e.account_id AND s.ts <= e.ts ORDER BY s.ts DESC LIMIT 1))
         AS s_distill,
       coalesce((SELECT score FROM sig_event s WHERE s.detector = 'template_reuse' AND s.event_id = e.event_id),
                (SELECT score FROM sig_account s WHERE s.detector = 'template_reuse'
                   AND s.account_id = e.account_id AND s.ts <= e.ts ORDER BY s.ts DESC LIMIT 1))
         AS s_template_reuse,
       coalesce((SELECT score FROM sig_event s WHERE s.detector = 'account_risk' AND s.event_id = e.event_id),
                (SELECT score FROM sig_account s WHERE s.detector = 'account_risk'
                   AND s.account_id = e.account_id AND s.ts <= e.ts ORDER BY s.ts DESC LIMIT 1))
         AS s_account_risk
FROM ev0 e LEFT JOIN acct a ON a.account_id = e.account_id
LEFT JOIN cluster_of c ON c.account_id = e.account_id;
DROP TABLE ev0;

CREATE TABLE period AS SELECT min(day) AS lo, max(day) AS hi FROM ev;
CREATE TABLE cal AS
WITH RECURSIVE d(day) AS (SELECT lo FROM period UNION ALL SELECT day + 1 FROM d WHERE day < (SELECT hi FROM period))
SELECT day FROM d;
CREATE TABLE offsets AS
WITH RECURSIVE k(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM k WHERE k < 89) SELECT k FROM k;
CREATE TABLE flagged (rule TEXT, scope TEXT, day INTEGER, outcome TEXT);

-- Helpers shared by the rule files (views, resolved when used). Each rule file sets
-- win(w) to its window in days and builds
--   c(scope, day, ts, event_id, ...)  its counted events,
--   b(scope, day, n, ...)             their per-day bucket states,
--   dv(agg, scope, val, day)          the distinct known values per bucket, for distinct(),
-- then merges the buckets of each window with frames over points and appends its
-- points to flagged.
CREATE TABLE win (w INTEGER);
-- points: every (scope, day) of the audited period whose window can hold a bucket of
-- the scope: all days from its first bucket to its last plus w-1, so frames of w rows
-- are windows of w days. Points with an empty window are dropped by the rules.
CREATE VIEW points AS
SELECT s.scope, cal.day FROM (SELECT scope, min(day) AS lo, max(day) AS hi FROM b GROUP BY scope) s
JOIN cal ON cal.day BETWEEN s.lo AND s.hi + (SELECT w FROM win) - 1;
-- distinct_deltas: distinct() over w-day windows as a running sum. A value seen on day
-- d counts at the points d .. min(d+w-1, next day it is seen - 1).
CREATE VIEW distinct_deltas AS
SELECT agg, scope, day, sum(delta) AS delta FROM (
  SELECT agg, scope, day, 1 AS delta FROM dv
  UNION ALL
  SELECT agg, scope, min(day + (SELECT w FROM win), coalesce(nxt, day + (SELECT w FROM win))), -1 FROM (
    SELECT agg, scope, day, lead(day) OVER (PARTITION BY agg, scope, val ORDER BY day) AS nxt FROM dv))
GROUP BY agg, scope, day;
-- max_gap_points: max_gap() at each point, from the counted events c: the gaps inside
-- each bucket always count, the gap from the previous bucket only while that bucket
-- is still in the window.
CREATE VIEW max_gap_points AS
WITH g AS (
  SELECT scope, day, ts - lag(ts) OVER o AS gap, lag(day) OVER o AS prev_day
  FROM c WINDOW o AS (PARTITION BY scope ORDER BY ts, event_id)),
gb AS (
  SELECT scope, day, max(gap) FILTER (WHERE prev_day = day) AS inner_gap,
         max(gap) FILTER (WHERE prev_day < day) AS cross_gap,
         max(prev_day) FILTER (WHERE prev_day < day) AS prev_day
  FROM g GROUP BY scope, day)
SELECT scope, day + k AS day,
       max(CASE WHEN prev_day >= day + k - (SELECT w FROM win) + 1 AND (inner_gap IS NULL OR cross_gap > inner_gap)
                THEN cross_gap ELSE inner_gap END) AS max_gap
FROM gb JOIN offsets ON k < (SELECT w FROM win)
GROUP BY scope, day + k;
CREATE TABLE c (scope TEXT, day INTEGER, ts INTEGER, event_id TEXT);
CREATE TABLE b (scope TEXT, day INTEGER, n INTEGER);
CREATE TABLE dv (agg TEXT, scope TEXT, val TEXT, day INTEGER);
