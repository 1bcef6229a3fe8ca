-- rules/acme/automated_extraction.tos: org scope, 3-day window, max_gap().
CREATE OR REPLACE TABLE c AS
SELECT org_id AS scope, day, ts, event_id, s_template_reuse FROM ev
WHERE org_id IS NOT NULL AND binding_effective >= epoch_us(TIMESTAMP '2024-01-15')
  AND status = 'success';
CREATE OR REPLACE TABLE b AS
SELECT scope, day, count(*) AS n, count(*) FILTER (WHERE s_template_reuse >= 0.8) AS templated
FROM c GROUP BY ALL;
CREATE OR REPLACE TABLE mg AS SELECT * FROM max_gap_points(3);
INSERT INTO flagged
SELECT 'automated_extraction', scope, day,
       outcome(requests / 3 >= 10 AND busy_days >= 3 AND max_gap < 12 * 3600000000
                 AND templated / requests >= 0.5,
               requests / 3 >= 5 AND max_gap < 24 * 3600000000 AND templated / requests >= 0.3)
FROM (SELECT p.scope, p.day, sum(b.n) OVER f AS requests, count(b.n) OVER f AS busy_days,
             sum(b.templated) OVER f AS templated
      FROM points(3) p LEFT JOIN b USING (scope, day)
      WINDOW f AS (PARTITION BY p.scope ORDER BY p.day ROWS 2 PRECEDING))
LEFT JOIN mg USING (scope, day)
WHERE requests > 0;
