-- 0008: a placeholder on branch feat/eni only. The number belongs to another
-- branch's migration; drop this file when merging it (numbers must be contiguous
-- for 0011_network_interfaces.sql to load).
SELECT 1;
