-- Grievance cases for synthesis: no case key, facility link or provenance, only shareable attributes.
SELECT
    f.country_code,
    g.received_date,
    g.channel,
    lower(trim(g.category_raw)) AS category,
    g.ilo_indicator,
    g.htcds_method_of_control,
    g.status,
    g.htcds_case_status
FROM staged.worker_voice_grievances AS g
JOIN staged.facility_records AS f USING (record_id)
ORDER BY g.received_date, g.case_key
