-- rules/acme/logprob_probing.tos: account scope, 14-day window, p90().
-- The percentile is not mergeable per day: each counted event with a known value is
-- repeated for the 14 points whose window holds it, then ranked (nearest rank, ⌈0.9·n⌉).
CREATE OR REPLACE TABLE c AS
SELECT account_id AS scope, day, ts, event_id, logit_bias_size, top_logprobs,
       logprobs AND logit_bias_size > 100 AND max_tokens = 1 AS probing
FROM ev
WHERE binding_effective >= epoch_us(TIMESTAMP '2024-01-15') AND logprobs;
CREATE OR REPLACE TABLE b AS
SELECT scope, day, count(*) AS n, count(*) FILTER (WHERE probing) AS probes,
       max(top_logprobs) AS most_alternatives
FROM c GROUP BY ALL;
CREATE OR REPLACE TABLE pct AS
SELECT scope, day, max(v) FILTER (WHERE rk = (cnt * 9 + 9) // 10) AS typical_bias FROM (
  SELECT scope, day + k AS day, logit_bias_size AS v,
         row_number() OVER (PARTITION BY scope, day + k ORDER BY logit_bias_size) AS rk,
         count(*) OVER (PARTITION BY scope, day + k) AS cnt
  FROM c, (SELECT unnest(range(14)) AS k) WHERE logit_bias_size IS NOT NULL)
GROUP BY ALL;
INSERT INTO flagged
SELECT 'logprob_probing', scope, day,
       outcome(probes >= 50 AND probes / requests >= 0.8 AND typical_bias > 100,
               probes >= 5 AND most_alternatives >= 10)
FROM (SELECT p.scope, p.day, sum(b.n) OVER f AS requests, sum(b.probes) OVER f AS probes,
             max(b.most_alternatives) OVER f AS most_alternatives
      FROM points(14) p LEFT JOIN b USING (scope, day)
      WINDOW f AS (PARTITION BY p.scope ORDER BY p.day ROWS 13 PRECEDING))
LEFT JOIN pct USING (scope, day)
WHERE requests > 0;
