-- tosguard's evaluation inputs in DuckDB, for the scan benchmark (docs/performance.md).
-- Read first, then bench/sql/clusters.sql, then prepare.sql (same folder).
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
