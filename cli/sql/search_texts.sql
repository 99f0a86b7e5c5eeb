-- Every text a facility can be found by: names (cleaned and as received, so native scripts count),
-- addresses, parent companies and OS IDs, from each linked record and from the resolved facility;
-- and the ids of facilities merged into it (an old id still finds the facility it now belongs to).
-- $country and $brand narrow the facilities (NULL: all).
WITH texts AS (
    SELECT l.facility_id, 'name' AS field, r.name AS text
    FROM staged.facility_records r JOIN resolved.record_links l USING (record_id)
    UNION SELECT l.facility_id, 'name', r.name_raw
    FROM staged.facility_records r JOIN resolved.record_links l USING (record_id)
    UNION SELECT facility_id, 'name', name FROM resolved.facilities
    UNION SELECT l.facility_id, 'address', r.address
    FROM staged.facility_records r JOIN resolved.record_links l USING (record_id)
    UNION SELECT facility_id, 'address', address FROM resolved.facilities
    UNION SELECT l.facility_id, 'parent company', r.parent_company
    FROM staged.facility_records r JOIN resolved.record_links l USING (record_id)
    UNION SELECT l.facility_id, 'os id', r.os_id
    FROM staged.facility_records r JOIN resolved.record_links l USING (record_id)
    UNION SELECT facility_id, 'os id', unnest(os_ids) FROM resolved.facilities
    UNION SELECT facility_id, 'former id', alias_id FROM resolved.facility_id_aliases
)
SELECT t.facility_id, t.field, t.text, p.risk_score, f.country_code
FROM texts t
JOIN resolved.facilities f USING (facility_id)
LEFT JOIN published.facility_risk p USING (facility_id)
WHERE t.text IS NOT NULL AND trim(t.text) <> ''
  AND ($country IS NULL OR f.country_code = $country)
  AND ($brand IS NULL OR list_contains(p.contributors, $brand))
