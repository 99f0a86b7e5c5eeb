-- Social-audit findings for synthesis: no finding, audit or facility identifiers, no provenance.
SELECT
    f.country_code,
    a.scheme,
    a.scheme_version,
    a.auditor,
    a.audit_date,
    lower(trim(a.category_raw)) AS category,
    a.ilo_indicator,
    a.severity,
    a.corrective_action_status
FROM staged.audit_findings AS a
JOIN staged.facility_records AS f USING (record_id)
ORDER BY a.audit_date, a.finding_id
