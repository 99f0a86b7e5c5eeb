-- Worker-voice cells that must never leave the warehouse: a count below k, a suppressed cell that still
-- carries a count, or a summary built with a k below flrisk's (the parameter is bound as $k / ?).
SELECT count(*)
FROM published.worker_voice_summary
WHERE (respondents IS NOT NULL AND respondents < ?)
   OR (reporting IS NOT NULL AND respondents IS NULL)
   OR (grievance_cases IS NOT NULL AND grievance_cases < ?)
   OR (suppressed AND (respondents IS NOT NULL OR reporting IS NOT NULL OR grievance_cases IS NOT NULL))
   OR k_threshold < ?
