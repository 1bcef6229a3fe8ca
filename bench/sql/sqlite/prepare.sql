-- The rest of load.sql, after bench/sql/clusters.sql: the counted-event candidates ev,
-- the audited period and the helpers of the rule files.
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
FROM raw_ev e LEFT JOIN acct a ON a.account_id = e.account_id
LEFT JOIN cluster_of c ON c.account_id = e.account_id;
DROP TABLE raw_ev;

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
