-- rules/acme/api_key_sharing.tos: api_key scope, 7-day window, three distinct().
CREATE OR REPLACE TABLE c AS
SELECT api_key_id AS scope, day, ts, event_id, client_ip, user_agent, country FROM ev
WHERE api_key_id IS NOT NULL AND status <> 'error';
CREATE OR REPLACE TABLE b AS SELECT scope, day, count(*) AS n FROM c GROUP BY ALL;
CREATE OR REPLACE TABLE dv AS
SELECT DISTINCT 'networks' AS agg, scope, client_ip AS val, day FROM c WHERE client_ip IS NOT NULL
UNION ALL SELECT DISTINCT 'clients', scope, user_agent, day FROM c WHERE user_agent IS NOT NULL
UNION ALL SELECT DISTINCT 'countries', scope, country, day FROM c WHERE country IS NOT NULL;
CREATE OR REPLACE TABLE dd AS
SELECT scope, day, sum(delta) FILTER (WHERE agg = 'networks') AS networks,
       sum(delta) FILTER (WHERE agg = 'clients') AS clients,
       sum(delta) FILTER (WHERE agg = 'countries') AS countries
FROM distinct_deltas(7) GROUP BY ALL;
INSERT INTO flagged
SELECT 'api_key_sharing', scope, day,
       outcome(networks >= 20 AND clients >= 5 AND countries >= 5, networks >= 12)
FROM (SELECT p.scope, p.day, sum(b.n) OVER f AS requests,
             sum(coalesce(d.networks, 0)) OVER r AS networks,
             sum(coalesce(d.clients, 0)) OVER r AS clients,
             sum(coalesce(d.countries, 0)) OVER r AS countries
      FROM points(7) p LEFT JOIN b USING (scope, day) LEFT JOIN dd d USING (scope, day)
      WINDOW f AS (PARTITION BY p.scope ORDER BY p.day ROWS 6 PRECEDING),
             r AS (PARTITION BY p.scope ORDER BY p.day))
WHERE requests > 0;
