-- The rest of load.sql, after bench/sql/clusters.sql: the counted-event candidates ev,
-- the audited period and the helpers of the rule files.
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
