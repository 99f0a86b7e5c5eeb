-- Worker-voice grievance cases for the HTCDS export: mapped fields only, no case key or narrative.
-- Every case is read; sharing/htcds.py exports only those with a forced-labour indicator.
SELECT
    l.facility_id,
    f.country_code,
    strftime(g.received_date, '%Y-%m') AS received_month,
    g.channel,
    lower(trim(g.category_raw)) AS category,
    g.ilo_indicator,
    g.htcds_method_of_control,
    g.htcds_case_status,
    rf.sectors AS facility_sectors
FROM staged.worker_voice_grievances AS g
JOIN staged.facility_records AS f USING (record_id)
LEFT JOIN resolved.record_links AS l USING (record_id)
LEFT JOIN resolved.facilities AS rf ON rf.facility_id = l.facility_id
ORDER BY l.facility_id, g.received_date, g.case_key
