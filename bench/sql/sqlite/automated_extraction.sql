-- rules/acme/automated_extraction.tos: org scope, 3-day window, max_gap().
DELETE FROM win; INSERT INTO win VALUES (3);
DROP TABLE c;
CREATE TABLE c AS
SELECT org_id AS scope, day, ts, event_id, s_template_reuse FROM ev
WHERE org_id IS NOT NULL AND binding_effective >= unixepoch('2024-01-15') * 1000000
  AND status = 'success';
DROP TABLE b;
CREATE TABLE b AS
SELECT scope, day, count(*) AS n, count(*) FILTER (WHERE s_template_reuse >= 0.8) AS templated
FROM c GROUP BY scope, day;
CREATE INDEX b_key ON b (scope, day);
DROP TABLE IF EXISTS mg;
CREATE TABLE mg AS SELECT * FROM max_gap_points;
CREATE INDEX mg_key ON mg (scope, day);
INSERT INTO flagged
SELECT 'automated_extraction', scope, day, CASE
         WHEN v THEN 'violation' WHEN r THEN 'review'
         WHEN v IS NULL OR r IS NULL THEN 'insufficient_evidence' ELSE 'compliant' END
FROM (SELECT w.scope, w.day, requests,
             requests / 3.0 >= 10 AND busy_days >= 3 AND mg.max_gap < 12 * 3600000000
               AND 1.0 * templated / requests >= 0.5 AS v,
             requests / 3.0 >= 5 AND mg.max_gap < 24 * 3600000000 AND 1.0 * templated / requests >= 0.3 AS r
      FROM (SELECT p.scope, p.day, sum(b.n) OVER f AS requests, count(b.n) OVER f AS busy_days,
                   sum(b.templated) OVER f AS templated
            FROM points p LEFT JOIN b ON b.scope = p.scope AND b.day = p.day
            WINDOW f AS (PARTITION BY p.scope ORDER BY p.day ROWS 2 PRECEDING)) w
      LEFT JOIN mg ON mg.scope = w.scope AND mg.day = w.day)
WHERE requests > 0;
