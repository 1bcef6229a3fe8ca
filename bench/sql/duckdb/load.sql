-- tosguard's evaluation inputs in DuckDB, for the scan benchmark (docs/performance.md).
-- Reads the four canonical JSONL files of the current directory and prepares what
-- the rules of rules/acme/ need, with the semantics of docs/engine.md:
--   ev        counted-event candidates: one row per event with its day bucket, org,
--             cluster, binding policy version and the detector scores it sees
--   acct      accounts (timestamps in microseconds)
--   period    the audited period: first .. last day bucket holding an event
--   flagged   the non-compliant points every rule file appends to
-- Days are integers (days since 1970-01-01); a bucket is (start of D, start of D+1].
SET preserve_insertion_order = false;

CREATE TABLE raw_ev AS
SELECT * FROM read_ndjson('events.jsonl', columns = {
  event_id: 'VARCHAR', ts: 'TIMESTAMP', account_id: 'VARCHAR', org_id: 'VARCHAR',
  api_key_id: 'VARCHAR', endpoint: 'VARCHAR', output_tokens: 'BIGINT', max_tokens: 'BIGINT',
  params: 'STRUCT(logprobs BOOLEAN, top_logprobs BIGINT, logit_bias_size BIGINT)',
  status: 'VARCHAR', client_ip: 'VARCHAR', country: 'VARCHAR', user_agent: 'VARCHAR',
  device_id: 'VARCHAR', text: 'VARCHAR'});

CREATE TABLE acct AS
SELECT account_id, org_id, epoch_us(created_at) AS created_at, tier, country,
       payment_fingerprint, coalesce(contract, []) AS contract, epoch_us(banned_at) AS banned_at,
       signup_ip, device_id, email_domain
FROM read_ndjson('accounts.jsonl', columns = {
  account_id: 'VARCHAR', org_id: 'VARCHAR', created_at: 'TIMESTAMP', tier: 'VARCHAR',
  country: 'VARCHAR', payment_fingerprint: 'VARCHAR', contract: 'VARCHAR[]',
  banned_at: 'TIMESTAMP', signup_ip: 'VARCHAR', device_id: 'VARCHAR', email_domain: 'VARCHAR'});

-- The versions of policy acme_terms (rules/acme/policy.tos) and, per account, the
-- first acceptance of each declared version (acceptances of other versions are ignored).
CREATE TABLE versions AS
SELECT * FROM (VALUES ('2024-01', epoch_us(TIMESTAMP '2024-01-15')),
                      ('2025-06', epoch_us(TIMESTAMP '2025-06-01'))) v(version, effective);
CREATE TABLE accepted AS
SELECT a.account_id, v.version, v.effective, min(epoch_us(a.accepted_at)) AS accepted_at
FROM read_ndjson('acceptances.jsonl', columns = {
  account_id: 'VARCHAR', policy: 'VARCHAR', version: 'VARCHAR', accepted_at: 'TIMESTAMP'}) a
JOIN versions v ON v.version = a.version
WHERE a.policy = 'acme_terms'
GROUP BY ALL;

-- Signals: per (detector, subject) the latest, at equal ts the higher score.
CREATE TABLE raw_sig AS
SELECT detector, subject_kind, subject, epoch_us(ts) AS ts, score
FROM read_ndjson('signals.jsonl', columns = {
  detector: 'VARCHAR', subject_kind: 'VARCHAR', subject: 'VARCHAR', ts: 'TIMESTAMP',
  score: 'DOUBLE'});
CREATE TABLE sig_event AS
SELECT detector, subject AS event_id, arg_max(score, (ts, score)) AS score
FROM raw_sig WHERE subject_kind = 'event' GROUP BY ALL;
CREATE TABLE sig_account AS
SELECT detector, subject AS account_id, ts, max(score) AS score
FROM raw_sig WHERE subject_kind = 'account' GROUP BY ALL;

-- Clusters: connected components over the linking identifiers of the configuration;
-- a value shared by more than 50 accounts links nobody. Cluster id = smallest member.
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
SELECT DISTINCT l.account_id AS a, s.root AS b FROM link_values l JOIN shared s USING (ident, val)
WHERE l.account_id <> s.root;
CREATE TABLE cluster_of AS
WITH RECURSIVE
  e(a, b) AS (SELECT a, b FROM link_edges UNION SELECT b, a FROM link_edges),
  r(a, b) AS (SELECT DISTINCT a, a FROM e UNION SELECT r.a, e.b FROM r JOIN e ON e.a = r.b)
SELECT a AS account_id, min(b) AS cluster_id FROM r GROUP BY a;

-- Binding version at each event's time: the newest accepted version in force.
CREATE TABLE ev AS
WITH base AS (
  SELECT e.event_id, epoch_us(e.ts) AS ts, e.account_id,
         coalesce(e.org_id, a.org_id) AS org_id, e.api_key_id, e.endpoint,
         e.output_tokens, e.max_tokens, e.params.logprobs AS logprobs,
         e.params.top_logprobs AS top_logprobs, e.params.logit_bias_size AS logit_bias_size,
         e.status, e.client_ip, e.country, e.user_agent, e.device_id, e.text,
         coalesce(c.cluster_id, e.account_id) AS cluster_id
  FROM raw_ev e LEFT JOIN acct a USING (account_id) LEFT JOIN cluster_of c USING (account_id)),
binding AS (
  SELECT b.event_id, max(p.effective) AS binding_effective
  FROM base b JOIN accepted p ON p.account_id = b.account_id
       AND p.accepted_at <= b.ts AND p.effective <= b.ts
  GROUP BY b.event_id)
SELECT b.*, (b.ts - 1) // 86400000000 AS day, g.binding_effective,
       coalesce(d.score, ad.score) AS s_distill,
       coalesce(t.score, att.score) AS s_template_reuse,
       coalesce(r.score, ar.score) AS s_account_risk
FROM base b
LEFT JOIN binding g USING (event_id)
LEFT JOIN sig_event d ON d.detector = 'distill' AND d.event_id = b.event_id
LEFT JOIN sig_event t ON t.detector = 'template_reuse' AND t.event_id = b.event_id
LEFT JOIN sig_event r ON r.detector = 'account_risk' AND r.event_id = b.event_id
ASOF LEFT JOIN (SELECT * FROM sig_account WHERE detector = 'distill') ad
  ON ad.account_id = b.account_id AND ad.ts <= b.ts
ASOF LEFT JOIN (SELECT * FROM sig_account WHERE detector = 'template_reuse') att
  ON att.account_id = b.account_id AND att.ts <= b.ts
ASOF LEFT JOIN (SELECT * FROM sig_account WHERE detector = 'account_risk') ar
  ON ar.account_id = b.account_id AND ar.ts <= b.ts;
DROP TABLE raw_ev;

CREATE TABLE period AS SELECT min(day) AS lo, max(day) AS hi FROM ev;
CREATE TABLE flagged (rule VARCHAR, scope VARCHAR, day BIGINT, outcome VARCHAR);

-- Helpers shared by the rule files. Each rule file builds
--   c(scope, day, ts, event_id, ...)  its counted events,
--   b(scope, day, n, ...)             their per-day bucket states,
--   dv(agg, scope, val, day)          the distinct known values per bucket, for distinct(),
-- then merges the buckets of each window with frames over points(W) and appends its
-- non-compliant points to flagged.
--
CREATE TABLE c (scope VARCHAR, day BIGINT, ts BIGINT, event_id VARCHAR);
CREATE TABLE b (scope VARCHAR, day BIGINT, n BIGINT);
CREATE TABLE dv (agg VARCHAR, scope VARCHAR, val VARCHAR, day BIGINT);
-- points(W): every (scope, day) of the audited period whose W-day window can hold a
-- bucket of the scope: all days from its first bucket to its last plus W-1, so frames
-- of W rows are windows of W days. Points with an empty window are dropped by the rules.
CREATE MACRO points(w) AS TABLE
  SELECT s.scope, unnest(range(s.lo, least(s.hi + w, (SELECT hi FROM period) + 1))) AS day
  FROM (SELECT scope, min(day) AS lo, max(day) AS hi FROM b GROUP BY scope) s;
-- distinct_deltas(W): distinct() over W-day windows as a running sum. A value seen on
-- day d counts at the points d .. min(d+W-1, next day it is seen - 1).
CREATE MACRO distinct_deltas(w) AS TABLE
  SELECT agg, scope, day, sum(delta) AS delta FROM (
    SELECT agg, scope, day, 1 AS delta FROM dv
    UNION ALL
    SELECT agg, scope, coalesce(least(day + w, nxt), day + w), -1 FROM (
      SELECT agg, scope, day, lead(day) OVER (PARTITION BY agg, scope, val ORDER BY day) AS nxt
      FROM dv))
  GROUP BY ALL;
-- max_gap_points(W): max_gap() at each point, from the counted events c: the gaps
-- inside each bucket always count, the gap from the previous bucket only while that
-- bucket is still in the window.
CREATE MACRO max_gap_points(w) AS TABLE
  WITH g AS (
    SELECT scope, day, ts - lag(ts) OVER o AS gap, lag(day) OVER o AS prev_day
    FROM c WINDOW o AS (PARTITION BY scope ORDER BY ts, event_id)),
  gb AS (
    SELECT scope, day, max(gap) FILTER (WHERE prev_day = day) AS inner_gap,
           max(gap) FILTER (WHERE prev_day < day) AS cross_gap,
           max(prev_day) FILTER (WHERE prev_day < day) AS prev_day
    FROM g GROUP BY ALL)
  SELECT scope, day + k AS day,
         max(greatest(inner_gap, CASE WHEN prev_day >= day + k - w + 1 THEN cross_gap END)) AS max_gap
  FROM gb, (SELECT unnest(range(w)) AS k)
  GROUP BY ALL;
-- outcome(violation, review): the first level whose condition is true, else
-- insufficient_evidence when one is unknown, else compliant (SQL's NULL logic is Kleene's).
CREATE MACRO outcome(v, r) AS
  CASE WHEN v THEN 'violation' WHEN r THEN 'review'
       WHEN v IS NULL OR r IS NULL THEN 'insufficient_evidence' ELSE 'compliant' END;
