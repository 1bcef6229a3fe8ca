-- rules/acme/api_key_sharing.tos: api_key scope, 7-day window, three distinct().
DELETE FROM win; INSERT INTO win VALUES (7);
DROP TABLE c;
CREATE TABLE c AS
SELECT api_key_id AS scope, day, ts, event_id, client_ip, user_agent, country FROM ev
WHERE api_key_id IS NOT NULL AND status <> 'error';
DROP TABLE b;
CREATE TABLE b AS SELECT scope, day, count(*) AS n FROM c GROUP BY scope, day;
CREATE INDEX b_key ON b (scope, day);
DROP TABLE dv;
CREATE TABLE dv AS
SELECT DISTINCT 'networks' AS agg, scope, client_ip AS val, day FROM c WHERE client_ip IS NOT NULL
UNION ALL SELECT DISTINCT 'clients', scope, user_agent, day FROM c WHERE user_agent IS NOT NULL
UNION ALL SELECT DISTINCT 'countries', scope, country, day FROM c WHERE country IS NOT NULL;
DROP TABLE IF EXISTS dd;
CREATE TABLE dd AS
SELECT scope, day, sum(delta) FILTER (WHERE agg = 'networks') AS networks,
       sum(delta) FILTER (WHERE agg = 'clients') AS clients,
       sum(delta) FILTER (WHERE agg = 'countries') AS countries
FROM distinct_deltas GROUP BY scope, day;
CREATE INDEX dd_key ON dd (scope, day);
INSERT INTO flagged
SELECT 'api_key_sharing', scope, day, CASE
         WHEN v THEN 'violation' WHEN r THEN 'review'
         WHEN v IS NULL OR r IS NULL THEN 'insufficient_evidence' ELSE 'compliant' END
FROM (SELECT scope, day, requests,
             networks >= 20 AND clients >= 5 AND countries >= 5 AS v, networks >= 12 AS r
      FROM (SELECT p.scope, p.day, sum(b.n) OVER f AS requests,
                   sum(coalesce(d.networks, 0)) OVER o AS networks,
                   sum(coalesce(d.clients, 0)) OVER o AS clients,
                   sum(coalesce(d.countries, 0)) OVER o AS countries
            FROM points p LEFT JOIN b ON b.scope = p.scope AND b.day = p.day
            LEFT JOIN dd d ON d.scope = p.scope AND d.day = p.day
            WINDOW f AS (PARTITION BY p.scope ORDER BY p.day ROWS 6 PRECEDING),
                   o AS (PARTITION BY p.scope ORDER BY p.day)))
WHERE requests > 0;
