-- rules/acme/logprob_probing.tos: account scope, 14-day window, p90().
-- The percentile is not mergeable per day: each counted event with a known value is
-- repeated for the 14 points whose window holds it, then ranked (nearest rank, ⌈0.9·n⌉).
DELETE FROM win; INSERT INTO win VALUES (14);
DROP TABLE c;
CREATE TABLE c AS
SELECT account_id AS scope, day, ts, event_id, logit_bias_size, top_logprobs,
       logprobs AND logit_bias_size > 100 AND max_tokens = 1 AS probing
FROM ev
WHERE binding_effective >= unixepoch('2024-01-15') * 1000000 AND logprobs;
DROP TABLE b;
CREATE TABLE b AS
SELECT scope, day, count(*) AS n, count(*) FILTER (WHERE probing) AS probes,
       max(top_logprobs) AS most_alternatives
FROM c GROUP BY scope, day;
CREATE INDEX b_key ON b (scope, day);
DROP TABLE IF EXISTS pct;
CREATE TABLE pct AS
SELECT scope, day, max(CASE WHEN rk = (cnt * 9 + 9) / 10 THEN v END) AS typical_bias FROM (
  SELECT scope, day + k AS day, logit_bias_size AS v,
         row_number() OVER (PARTITION BY scope, day + k ORDER BY logit_bias_size) AS rk,
         count(*) OVER (PARTITION BY scope, day + k) AS cnt
  FROM c JOIN offsets ON k < 14 WHERE logit_bias_size IS NOT NULL)
GROUP BY scope, day;
CREATE INDEX pct_key ON pct (scope, day);
INSERT INTO flagged
SELECT 'logprob_probing', scope, day, CASE
         WHEN v THEN 'violation' WHEN r THEN 'review'
         WHEN v IS NULL OR r IS NULL THEN 'insufficient_evidence' ELSE 'compliant' END
FROM (SELECT w.scope, w.day, requests,
             probes >= 50 AND 1.0 * probes / requests >= 0.8 AND pct.typical_bias > 100 AS v,
             probes >= 5 AND most_alternatives >= 10 AS r
      FROM (SELECT p.scope, p.day, sum(b.n) OVER f AS requests, sum(b.probes) OVER f AS probes,
                   max(b.most_alternatives) OVER f AS most_alternatives
            FROM points p LEFT JOIN b ON b.scope = p.scope AND b.day = p.day
            WINDOW f AS (PARTITION BY p.scope ORDER BY p.day ROWS 13 PRECEDING)) w
      LEFT JOIN pct ON pct.scope = w.scope AND pct.day = w.day)
WHERE requests > 0;
