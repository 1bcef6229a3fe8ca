-- tosguard's evaluation inputs in the sqlite3 shell, for the scan benchmark
-- Read first, then bench/sql/clusters.sql, then prepare.sql (same folder).
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
CREATE VIEW raw_fields AS
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
CREATE TABLE raw_ev AS
SELECT event_id, unixepoch(substr(t, 1, 19)) * 1000000
         + CASE WHEN substr(t, 20, 1) = '.'
                THEN CAST(substr(substr(t, 21, instr(t, 'Z') - 21) || '000000', 1, 6) AS INTEGER)
                ELSE 0 END AS ts,
       account_id, org_id, api_key_id, endpoint, output_tokens, max_tokens, logprobs,
       top_logprobs, logit_bias_size, status, client_ip, country, user_agent, device_id, text
FROM raw_fields;
DROP VIEW raw_fields;
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
