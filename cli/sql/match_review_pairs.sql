-- Grey-band pairs in resolved.review_queue with both records side by side, their facilities and the
-- latest decision recorded since the last run (if any). $pending_only: only undecided pairs.
WITH latest AS (
    SELECT least(record_id_left, record_id_right) AS low, greatest(record_id_left, record_id_right) AS high,
           decision, decided_by, decided_at, note
    FROM resolved.match_decisions
    QUALIFY row_number() OVER (
        PARTITION BY least(record_id_left, record_id_right), greatest(record_id_left, record_id_right)
        ORDER BY decided_at DESC) = 1
)
SELECT q.pair_id, q.match_score, q.name_score, q.address_score, q.distance_km,
       q.record_id_left, q.record_id_right,
       a.source_type AS left_source, a.contributor AS left_contributor, a.name AS left_name,
       a.address AS left_address, a.country_code AS left_country, a.os_id AS left_os_id,
       la.facility_id AS left_facility_id,
       b.source_type AS right_source, b.contributor AS right_contributor, b.name AS right_name,
       b.address AS right_address, b.country_code AS right_country, b.os_id AS right_os_id,
       lb.facility_id AS right_facility_id,
       d.decision AS recorded_decision, d.decided_by, d.decided_at
FROM resolved.review_queue q
JOIN staged.facility_records a ON a.record_id = q.record_id_left
JOIN staged.facility_records b ON b.record_id = q.record_id_right
LEFT JOIN resolved.record_links la ON la.record_id = q.record_id_left
LEFT JOIN resolved.record_links lb ON lb.record_id = q.record_id_right
LEFT JOIN latest d ON d.low = least(q.record_id_left, q.record_id_right)
                  AND d.high = greatest(q.record_id_left, q.record_id_right)
WHERE ($pair IS NULL OR q.pair_id = $pair)
  AND (NOT $pending_only OR d.decision IS NULL)
ORDER BY q.match_score DESC, q.pair_id
